// Contract §16.3: registering a person — duplicate search, the profile, identity checks with three
// documents, the photo, and the restriction on unverified profiles.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Actor } from '../../src/ra/action.ts';
import { RaError } from '../../src/ra/errors.ts';
import type { RaServices } from '../../src/ra/services.ts';
import { describeEachDatabase } from '../helpers/databases.ts';
import {
  createOrganisation,
  createRaStaff,
  createVerifiedPerson,
  newPersonInput,
  raServicesFor,
  threeDocuments,
} from './support.ts';

const isRaError = (code: string, field?: string) => (error: unknown) =>
  error instanceof RaError && error.code === code && (!field || error.fields.some((f) => f.field === field));

describeEachDatabase('RA people services', (ctx) => {
  let ra: RaServices;
  let agent: Actor;
  let checker: Actor;
  let orgCode: string;

  test('setup', async () => {
    ra = raServicesFor(ctx.db);
    orgCode = await createOrganisation(ctx.db);
    agent = await createRaStaff(ctx.db, 'ra-agent', orgCode);
    checker = await createRaStaff(ctx.db, 'id-checker', orgCode);
  });

  const countPeople = async () =>
    Number(
      (
        await ctx.db
          .selectFrom('people')
          .select((eb) => eb.fn.countAll().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );

  test('contract §16.3: a registered profile is unverified, at identity level 1, in the organisation', async () => {
    const input = newPersonInput(orgCode, { niNumber: 'ce 65 43 21 b', middleNames: 'Jane' });
    const person = await ra.registerPerson(agent, input);
    assert.equal(person.identityStatus, 'unverified');
    assert.equal(person.idAssuranceLevel, 1);
    assert.equal(person.niNumber, 'CE654321B');
    assert.equal(person.dateOfBirth, '1980-02-29');
    assert.deepEqual(person.organisations, [orgCode]);
  });

  test('contract §16.3: duplicate search finds people by name, date of birth, email and NI number', async () => {
    const input = newPersonInput(orgCode, { niNumber: 'AB123456D', dateOfBirth: '1971-07-07' });
    const person = await ra.registerPerson(agent, input);
    const byName = await ra.searchDuplicates(agent, {
      givenName: 'alex',
      familyName: input.familyName.toUpperCase(),
    });
    assert.deepEqual(
      byName.map((m) => [m.id, m.matchedOn]),
      [[person.id, ['name']]],
    );
    const byDob = await ra.searchDuplicates(agent, { dateOfBirth: '1971-07-07' });
    assert.ok(byDob.some((m) => m.id === person.id && m.matchedOn.includes('dateOfBirth')));
    const byEmail = await ra.searchDuplicates(agent, { email: input.email.toUpperCase() });
    assert.deepEqual(
      byEmail.map((m) => m.id),
      [person.id],
    );
    const byNi = await ra.searchDuplicates(agent, { niNumber: 'ab 12 34 56 d' });
    assert.deepEqual(
      byNi.map((m) => [m.id, m.matchedOn, m.inYourOrganisations]),
      [[person.id, ['niNumber'], true]],
    );

    // Someone from another organisation learns the duplicate exists, and nothing more.
    const outsider = await createRaStaff(ctx.db, 'ra-agent', await createOrganisation(ctx.db));
    const [seen] = await ra.searchDuplicates(outsider, { niNumber: 'AB123456D' });
    assert.equal(seen?.inYourOrganisations, false);
    assert.equal(seen?.email, undefined);
    assert.equal(seen?.dateOfBirth, undefined);

    await assert.rejects(ra.searchDuplicates(agent, {}), isRaError('invalid_input'));
    await assert.rejects(
      ra.searchDuplicates(agent, { niNumber: 'not a number' }),
      isRaError('invalid_input', 'niNumber'),
    );
  });

  test('contract §16.3: registering a duplicate is refused (email, NI number; name and date of birth until confirmed)', async () => {
    const first = newPersonInput(orgCode, { niNumber: 'CE123456A' });
    await ra.registerPerson(agent, first);
    const before = await countPeople();
    await assert.rejects(
      ra.registerPerson(agent, newPersonInput(orgCode, { email: first.email })),
      isRaError('conflict', 'email'),
    );
    await assert.rejects(
      ra.registerPerson(agent, newPersonInput(orgCode, { niNumber: 'CE 12 34 56 A' })),
      isRaError('conflict', 'niNumber'),
    );
    const twin = { ...newPersonInput(orgCode), givenName: first.givenName, familyName: first.familyName };
    await assert.rejects(ra.registerPerson(agent, twin), isRaError('conflict', 'confirmNotDuplicate'));
    assert.equal(await countPeople(), before);
    const confirmed = await ra.registerPerson(agent, { ...twin, confirmNotDuplicate: true });
    assert.equal(confirmed.familyName, first.familyName);
  });

  test('DESIGN §5: bad registration input names every field and writes nothing', async () => {
    const before = await countPeople();
    await assert.rejects(
      ra.registerPerson(agent, {
        orgCode: 'x',
        givenName: '',
        familyName: 'Ok',
        email: 'not-an-email',
        dateOfBirth: '2999-01-01',
        surprise: true,
      } as never),
      (error: unknown) => {
        assert.ok(error instanceof RaError && error.code === 'invalid_input');
        const fields = error.fields.map((f) => f.field);
        for (const field of ['orgCode', 'givenName', 'email', 'dateOfBirth'])
          assert.ok(fields.includes(field), field);
        return true;
      },
    );
    await assert.rejects(
      ra.registerPerson(agent, newPersonInput('NOSUCH1')),
      isRaError('forbidden'), // an organisation the agent does not serve
    );
    assert.equal(await countPeople(), before);
  });

  test('contract §16.3: identity checks with three documents set level 3 and lift the restriction', async () => {
    const person = await ra.registerPerson(agent, newPersonInput(orgCode));
    const verified = await ra.verifyIdentity(checker, {
      personId: person.id,
      documents: threeDocuments,
      checkedOn: '2025-03-04',
      method: 'video',
    });
    assert.equal(verified.identityStatus, 'verified');
    assert.equal(verified.idAssuranceLevel, 3);
    const record = await ctx.db
      .selectFrom('identity_verifications')
      .selectAll()
      .where('person_id', '=', person.id)
      .executeTakeFirstOrThrow();
    assert.equal(record.checked_by, checker.personId);
    assert.equal(record.checked_on, '2025-03-04');
    assert.equal(record.method, 'video');
    assert.deepEqual(
      (JSON.parse(record.documents) as { type: string }[]).map((d) => d.type),
      ['passport', 'utility-bill', 'bank-statement'],
    );
  });

  test('contract §16.3: identity checks need a photo ID, a proof of address and a third document; no images', async () => {
    const person = await ra.registerPerson(agent, newPersonInput(orgCode));
    const base = { personId: person.id, checkedOn: '2025-03-04' };
    const attempts: unknown[] = [
      { ...base, documents: threeDocuments.slice(0, 2) },
      {
        ...base,
        documents: [
          { type: 'utility-bill', checks: ['original-seen'] },
          { type: 'bank-statement', checks: ['original-seen'] },
          { type: 'council-tax-bill', checks: ['original-seen'] },
        ],
      },
      {
        ...base,
        documents: [
          { type: 'passport', checks: ['photo-matches-holder'] },
          { type: 'national-identity-card', checks: ['original-seen'] },
          { type: 'armed-forces-id', checks: ['original-seen'] },
        ],
      },
      {
        ...base,
        documents: [
          { ...threeDocuments[0], image: 'data:image/png;base64,AAAA' },
          ...threeDocuments.slice(1),
        ],
      },
      { ...base, documents: threeDocuments, checkedOn: '2999-01-01' },
      { ...base, documents: [{ type: 'passport', checks: [] }, ...threeDocuments.slice(1)] },
    ];
    for (const attempt of attempts) {
      await assert.rejects(ra.verifyIdentity(checker, attempt as never), isRaError('invalid_input'));
    }
    const after = await ra.getPerson(agent, person.id);
    assert.equal(after.identityStatus, 'unverified');
    const records = await ctx.db
      .selectFrom('identity_verifications')
      .select('id')
      .where('person_id', '=', person.id)
      .execute();
    assert.equal(records.length, 0);
  });

  test('contract §16.3: unverified profiles are restricted: no positions, no authenticators', async () => {
    const manager = await createRaStaff(ctx.db, 'ra-manager', orgCode);
    const person = await ra.registerPerson(agent, newPersonInput(orgCode));
    const position = await ra.createPosition(manager, {
      orgCode,
      name: 'Nurse',
      jobRoleCode: 'R8001',
      approval: { approvedBy: 'Board', approvedOn: '2025-01-01' },
    });
    await assert.rejects(
      ra.assignPosition(agent, { personId: person.id, positionId: position.id }),
      isRaError('conflict', 'personId'),
    );
    await assert.rejects(
      ra.issueRegistrationLink(manager, { personId: person.id, kind: 'password-totp' }),
      isRaError('conflict', 'personId'),
    );
    await ctx.db
      .updateTable('people')
      .set({ identity_status: 'migrated' })
      .where('id', '=', person.id)
      .execute();
    await assert.rejects(
      ra.assignPosition(agent, { personId: person.id, positionId: position.id }),
      isRaError('conflict'),
    );
  });

  test('contract §16.3: a photo is stored within the type and size limits', async () => {
    const person = await createVerifiedPerson(ra, agent, orgCode);
    const jpeg = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.alloc(1000, 7)]);
    const saved = await ra.uploadPhoto(agent, {
      personId: person.id,
      contentType: 'image/jpeg',
      bytes: jpeg,
    });
    assert.equal(saved.size, jpeg.length);
    assert.equal((await ra.getPerson(agent, person.id)).hasPhoto, true);
    for (const [contentType, bytes] of [
      ['image/gif', Buffer.from('GIF89a')],
      ['image/jpeg', Buffer.from('not really a jpeg')],
      ['image/png', Buffer.alloc(0)],
      ['image/jpeg', Buffer.concat([Buffer.from([0xff, 0xd8, 0xff]), Buffer.alloc(60_000)])],
    ] as const) {
      await assert.rejects(
        ra.uploadPhoto(agent, { personId: person.id, contentType, bytes }),
        isRaError('invalid_input', 'photo'),
      );
    }
    const stored = await ctx.db
      .selectFrom('person_photos')
      .selectAll()
      .where('person_id', '=', person.id)
      .executeTakeFirstOrThrow();
    assert.equal(stored.size, jpeg.length);
  });
});
