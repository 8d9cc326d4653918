import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { loadPersonClaims, type NrbacRoleClaim, scopeClaims } from '../../src/directory/claims.ts';
import { baselineActivities, findActivity } from '../../src/directory/national-rbac.ts';
import { upsertOrganisation } from '../../src/directory/organisations.ts';
import { createPerson, updatePerson } from '../../src/directory/people.ts';
import { assignRole, endRoleAssignment, type RoleAssignment } from '../../src/directory/positions.ts';
import { describeEachDatabase } from '../helpers/databases.ts';

const TODAY = '2025-06-15';

// The illustrative UserInfo of contract §9.3, for its shape.
const contractExample = {
  sub: '910000000001',
  uid: '910000000001',
  nhsid_useruid: '910000000001',
  name: 'Ada Example',
  given_name: 'Ada',
  family_name: 'Example',
  middle_names: 'Jane',
  initials: 'AJ',
  title: 'Dr',
  display_name: 'Dr Ada Example',
  email: 'ada.example@nhs.net',
  idassurancelevel: '3',
  nhsid_user_orgs: [{ org_name: 'EXAMPLE HOSPITALS NHS TRUST', org_code: 'RXX' }],
  nhsid_nrbac_roles: [
    {
      person_orgid: '910000000051',
      person_roleid: '910000000103',
      org_code: 'RXX',
      role_name: '"Clinical":"Clinical Provision":"Clinical Practitioner Access Role"',
      role_code: 'S8000:G8000:R8000',
      activities: ['Amend Patient Demographics'],
      activity_codes: ['B0825'],
      workgroups: ['Cardiology Team'],
      workgroups_codes: ['910000000777'],
    },
  ],
  nhsid_org_memberships: [
    { person_orgid: '910000000052', org_name: 'EXAMPLE GP PRACTICE', org_code: 'A99999', gnc: 'G9999998' },
  ],
  nhsid_org_roles: [
    { person_orgid: '910000000051', org_name: 'EXAMPLE HOSPITALS NHS TRUST', org_code: 'RXX' },
  ],
  gmc_id: '7000001',
};

const listClaims = ['nhsid_user_orgs', 'nhsid_nrbac_roles', 'nhsid_org_memberships', 'nhsid_org_roles'];

function kind(value: unknown): string {
  return Array.isArray(value) ? 'array' : typeof value;
}

function assertSameShape(actual: unknown, example: unknown, path: string): void {
  assert.equal(kind(actual), kind(example), `${path} is a ${kind(example)}`);
  if (Array.isArray(example) && Array.isArray(actual) && example.length > 0) {
    for (const [i, item] of actual.entries()) assertSameShape(item, example[0], `${path}[${i}]`);
  } else if (kind(example) === 'object') {
    const a = actual as Record<string, unknown>;
    for (const [key, value] of Object.entries(example as Record<string, unknown>)) {
      if (key in a) assertSameShape(a[key], value, `${path}.${key}`);
    }
    for (const key of Object.keys(a))
      assert.ok(key in (example as object), `${path}.${key} is a contract field`);
  }
}

describeEachDatabase('directory claims', (ctx) => {
  let adaId: string;
  let cardiology: RoleAssignment;
  let practice: RoleAssignment;
  let oldRole: RoleAssignment;

  before(async () => {
    const db = ctx.db;
    await upsertOrganisation(db, { code: 'RXX', name: 'EXAMPLE HOSPITALS NHS TRUST' });
    await upsertOrganisation(db, { code: 'A99999', name: 'EXAMPLE GP PRACTICE', gnc: 'G9999998' });
    await upsertOrganisation(db, { code: 'Y51', name: 'FORMER EMPLOYER' });
    const ada = await createPerson(
      db,
      {
        givenName: 'Ada',
        familyName: 'Example',
        middleNames: 'Jane',
        title: 'Dr',
        email: 'Ada.Example@nhs.net',
        professionalIds: { gmc_id: '7000001' },
      },
      { id: '910000000001' },
    );
    adaId = ada.id;
    cardiology = await assignRole(db, {
      personId: adaId,
      orgCode: 'RXX',
      jobRoleCode: 'R8000',
      activityCodes: ['B1611', 'B0825'], // B0825 is in the baseline already
      workgroups: [{ code: '910000000777', name: 'Cardiology Team' }],
      startDate: '2025-01-01',
    });
    practice = await assignRole(db, { personId: adaId, orgCode: 'A99999', jobRoleCode: 'R8008' });
    await assignRole(db, {
      personId: adaId,
      orgCode: 'A99999',
      jobRoleCode: 'R8006',
      startDate: '2025-07-01',
    });
    oldRole = await assignRole(db, {
      personId: adaId,
      orgCode: 'Y51',
      jobRoleCode: 'R8001',
      startDate: '2020-01-01',
    });
    await endRoleAssignment(db, oldRole.personRoleId, '2024-12-31');
  });

  test('every claim has the shape of the contract example', async () => {
    const claims = await loadPersonClaims(ctx.db, adaId, TODAY);
    assert.ok(claims);
    assertSameShape(claims, contractExample, 'claims');
    assert.deepEqual(JSON.parse(JSON.stringify(claims)), claims, 'plain JSON: no undefined or odd values');
    for (const key of listClaims) assert.ok(Array.isArray(claims[key]), `${key} is an array`);
    for (const key of ['sub', 'uid', 'nhsid_useruid', 'idassurancelevel', 'gmc_id']) {
      assert.equal(typeof claims[key], 'string', key);
    }
  });

  test('person claims', async () => {
    const claims = await loadPersonClaims(ctx.db, adaId, TODAY);
    assert.ok(claims);
    assert.equal(claims['sub'], '910000000001');
    assert.equal(claims['uid'], claims['sub']);
    assert.equal(claims['nhsid_useruid'], claims['sub']);
    assert.equal(claims['name'], 'Ada Example');
    assert.equal(claims['given_name'], 'Ada');
    assert.equal(claims['family_name'], 'Example');
    assert.equal(claims['middle_names'], 'Jane');
    assert.equal(claims['initials'], 'AJ');
    assert.equal(claims['title'], 'Dr');
    assert.equal(claims['display_name'], 'Dr Ada Example');
    assert.equal(claims['email'], 'ada.example@nhs.net');
    assert.equal(claims['idassurancelevel'], '3');
    assert.equal(claims['gmc_id'], '7000001');
    assert.equal('nmc_id' in claims, false, 'absent professional ids are left out');
  });

  test('role claims: active roles only, with codes, names, baseline plus extra activities and workgroups', async () => {
    const claims = await loadPersonClaims(ctx.db, adaId, TODAY);
    assert.ok(claims);
    const roles = claims['nhsid_nrbac_roles'] as NrbacRoleClaim[];
    assert.deepEqual(
      roles.map((r) => r.person_roleid).sort(),
      [cardiology.personRoleId, practice.personRoleId].sort(),
      'the ended and the future role are left out',
    );
    for (const role of roles) {
      assert.match(role.person_orgid, /^\d{12}$/);
      assert.match(role.person_roleid, /^\d{12}$/);
      assert.match(role.role_code, /^S\d{4}:G\d{4}:R\d{4}$/);
      assert.match(role.role_name, /^"[^"]+":"[^"]+":"[^"]+"$/);
      assert.equal(role.activities.length, role.activity_codes.length);
      assert.equal(new Set(role.activity_codes).size, role.activity_codes.length, 'no duplicate activities');
      for (const [i, code] of role.activity_codes.entries()) {
        assert.match(code, /^B\d{4}$/);
        assert.equal(role.activities[i], findActivity(code)?.name, 'names parallel codes');
      }
    }
    const clinical = roles.find((r) => r.person_roleid === cardiology.personRoleId);
    assert.ok(clinical);
    assert.equal(clinical.person_orgid, cardiology.personOrgId);
    assert.equal(clinical.org_code, 'RXX');
    assert.equal(clinical.role_code, 'S8000:G8000:R8000');
    assert.equal(clinical.role_name, '"Clinical":"Clinical Provision":"Clinical Practitioner Access Role"');
    assert.deepEqual(clinical.activity_codes, [...baselineActivities('R8000'), 'B1611']);
    assert.ok(clinical.activities.includes('Amend Patient Demographics'));
    assert.deepEqual(clinical.workgroups, ['Cardiology Team']);
    assert.deepEqual(clinical.workgroups_codes, ['910000000777']);

    const support = roles.find((r) => r.person_roleid === practice.personRoleId);
    assert.ok(support);
    assert.equal(support.role_code, 'S8001:G8002:R8008');
    assert.equal(support.role_name.split(':').at(-1), '"Admin/Clinical Support Access Role"');
    assert.deepEqual(support.activities, []);
    assert.deepEqual(support.activity_codes, []);
    assert.equal('workgroups' in support, false, 'no workgroups, no workgroup keys');
    assert.equal('workgroups_codes' in support, false);
  });

  test('organisation claims', async () => {
    const claims = await loadPersonClaims(ctx.db, adaId, TODAY);
    assert.ok(claims);
    const byCode = (a: { org_code: string }, b: { org_code: string }) => a.org_code.localeCompare(b.org_code);
    assert.deepEqual(
      (claims['nhsid_user_orgs'] as { org_code: string }[]).sort(byCode),
      [
        { org_name: 'EXAMPLE GP PRACTICE', org_code: 'A99999' },
        { org_name: 'EXAMPLE HOSPITALS NHS TRUST', org_code: 'RXX' },
      ],
      'organisations with an active role, once each',
    );
    assert.deepEqual(
      (claims['nhsid_org_memberships'] as { org_code: string }[]).sort(byCode),
      [
        {
          person_orgid: practice.personOrgId,
          org_name: 'EXAMPLE GP PRACTICE',
          org_code: 'A99999',
          gnc: 'G9999998',
        },
        { person_orgid: cardiology.personOrgId, org_name: 'EXAMPLE HOSPITALS NHS TRUST', org_code: 'RXX' },
        { person_orgid: oldRole.personOrgId, org_name: 'FORMER EMPLOYER', org_code: 'Y51' },
      ],
      'every membership; gnc only where the organisation has one',
    );
    assert.deepEqual(
      (claims['nhsid_org_roles'] as { org_code: string }[]).sort(byCode),
      [
        { person_orgid: practice.personOrgId, org_name: 'EXAMPLE GP PRACTICE', org_code: 'A99999' },
        { person_orgid: cardiology.personOrgId, org_name: 'EXAMPLE HOSPITALS NHS TRUST', org_code: 'RXX' },
      ],
      'memberships with an active role',
    );
  });

  test('a person with no roles and no optional details still gets every list claim, empty', async () => {
    const bob = await createPerson(ctx.db, {
      givenName: 'Bob',
      familyName: 'Plain',
      email: 'bob.plain@example.nhs.uk',
    });
    const claims = await loadPersonClaims(ctx.db, bob.id, TODAY);
    assert.ok(claims);
    for (const key of listClaims) assert.deepEqual(claims[key], [], key);
    assert.equal(claims['display_name'], 'Bob Plain');
    assert.equal(claims['initials'], 'B');
    assert.equal('title' in claims, false);
    assert.equal('middle_names' in claims, false);
    for (const key of scopeClaims['professionalmemberships'] ?? []) assert.equal(key in claims, false, key);

    await updatePerson(ctx.db, bob.id, { displayName: 'Bobby P', idAssuranceLevel: 1 });
    const after = await loadPersonClaims(ctx.db, bob.id, TODAY);
    assert.equal(after?.['display_name'], 'Bobby P');
    assert.equal(after?.['idassurancelevel'], '1');
  });

  test('unknown people have no claims; today must be a date', async () => {
    assert.equal(await loadPersonClaims(ctx.db, '999999999999', TODAY), undefined);
    assert.equal(await loadPersonClaims(ctx.db, 'not-an-id', TODAY), undefined);
    await assert.rejects(loadPersonClaims(ctx.db, adaId, 'today'), /YYYY-MM-DD/);
  });

  test('scopeClaims maps each scope to its claims as contract §9.1 lists them', async () => {
    assert.deepEqual(scopeClaims, {
      profile: ['name', 'family_name', 'given_name', 'uid'],
      email: ['email'],
      nhsperson: ['nhsid_useruid', 'title', 'idassurancelevel', 'initials', 'middle_names', 'display_name'],
      associatedorgs: ['nhsid_user_orgs'],
      nationalrbacaccess: ['nhsid_nrbac_roles'],
      professionalmemberships: [
        'gmc_id',
        'gdc_id',
        'gphc_id',
        'nmc_id',
        'rcn_id',
        'gmp_id',
        'gdp_id',
        'consultant_id',
      ],
      organisationalmemberships: ['nhsid_org_memberships', 'nhsid_org_roles'],
    });
    // Every claim computed is released by some scope (sub comes with openid).
    const claims = await loadPersonClaims(ctx.db, adaId, TODAY);
    assert.ok(claims);
    const released = new Set(Object.values(scopeClaims).flat());
    for (const key of Object.keys(claims))
      assert.ok(key === 'sub' || released.has(key), `${key} has a scope`);
  });
});
