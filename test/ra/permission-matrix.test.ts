// Contract §16.2: every RA role × every action, allowed and refused as the activity matrix says.
// The expected table is written out here from the contract, independently of src/ra/permissions.ts;
// each action with a service is then exercised for real by a holder of each role.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Actor } from '../../src/ra/action.ts';
import { raCapabilities } from '../../src/ra/capabilities.ts';
import { RaError } from '../../src/ra/errors.ts';
import {
  activityMatrix,
  grantFor,
  type RaAction,
  type RaRole,
  raActions,
  raRoles,
} from '../../src/ra/permissions.ts';
import type { RaServices } from '../../src/ra/services.ts';
import type { Db } from '../../src/store/database.ts';
import { describeEachDatabase } from '../helpers/databases.ts';
import {
  addAuthenticator,
  createOrganisation,
  createRaStaff,
  createVerifiedPerson,
  newPersonInput,
  raServicesFor,
  threeDocuments,
} from './support.ts';

const RAM = 'ra-manager';
const RAAA = 'ra-agent-advanced';
const RAA = 'ra-agent';
const S = 'sponsor';
const IDC = 'id-checker';
const LSA = 'local-smartcard-administrator';
type Cell = 'yes' | 'assignable' | 'no';
const allOf = (yes: RaRole[], assignable: RaRole[] = []): Record<RaRole, Cell> =>
  Object.fromEntries(
    raRoles.map((r) => [r, yes.includes(r) ? 'yes' : assignable.includes(r) ? 'assignable' : 'no']),
  ) as Record<RaRole, Cell>;

/** Contract §16.2 (CIM user-guide index), as Care Identity reads it (docs/registration-authority.md). */
const expected: Record<RaAction, Record<RaRole, Cell>> = {
  view_person: allOf([RAM, RAAA, RAA, S, IDC, LSA]),
  create_profile: allOf([RAM, RAAA, RAA, IDC]),
  verify_identity: allOf([RAM, RAAA, RAA, IDC]),
  upload_photo: allOf([RAM, RAAA, RAA, IDC]),
  create_position: allOf([RAM, RAAA]),
  manage_assignable_positions: allOf([RAM, RAAA]),
  assign_position: allOf([RAM, RAAA, RAA], [S]),
  request_position: allOf([RAM, RAAA, RAA, S]),
  approve_position_request: allOf([RAM, RAAA, RAA]),
  issue_smartcard: allOf([RAM, RAAA, RAA]),
  unlock_smartcard: allOf([RAM, RAAA, RAA, S, LSA]),
  renew_certificate_before_expiry: allOf([RAM, RAAA, RAA, S, LSA]),
  renew_certificate_after_expiry: allOf([RAM, RAAA, RAA]),
  repair_smartcard: allOf([RAM, RAAA, RAA]),
  cancel_smartcard: allOf([RAM, RAAA, RAA]),
  issue_authenticator: allOf([RAM, RAAA]),
  list_authenticators: allOf([RAM, RAAA, RAA, S, LSA]),
  suspend_authenticator: allOf([RAM, RAAA, RAA]),
  revoke_authenticator: allOf([RAM, RAAA, RAA]),
  unlock_authenticator: allOf([RAM, RAAA, RAA, S, LSA]),
  search_audit: allOf([RAM]),
};

test('contract §16.2: the activity matrix data matches the contract for every role × action', () => {
  assert.deepEqual(Object.keys(activityMatrix).sort(), [...raActions].sort());
  for (const action of raActions) {
    for (const role of raRoles) {
      assert.equal(activityMatrix[action][role], expected[action][role], `${role} × ${action}`);
      assert.equal(grantFor([role], action), expected[action][role], `${role} × ${action} (grantFor)`);
    }
  }
});

interface Fixture {
  db: Db;
  ra: RaServices;
  manager: Actor;
  orgCode: string;
}

/** Each service-backed action: what it needs set up (by an RA Manager), and the call as `actor`. */
const serviceActions: Partial<Record<RaAction, (f: Fixture, actor: Actor) => Promise<unknown>>> = {
  view_person: async (f, actor) => {
    const person = await createVerifiedPerson(f.ra, f.manager, f.orgCode);
    return f.ra.getPerson(actor, person.id);
  },
  create_profile: (f, actor) => f.ra.registerPerson(actor, newPersonInput(f.orgCode)),
  verify_identity: async (f, actor) => {
    const person = await f.ra.registerPerson(f.manager, newPersonInput(f.orgCode));
    return f.ra.verifyIdentity(actor, {
      personId: person.id,
      documents: threeDocuments,
      checkedOn: '2025-01-10',
    });
  },
  upload_photo: async (f, actor) => {
    const person = await createVerifiedPerson(f.ra, f.manager, f.orgCode);
    return f.ra.uploadPhoto(actor, {
      personId: person.id,
      contentType: 'image/png',
      bytes: Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1, 2, 3]),
    });
  },
  create_position: (f, actor) => f.ra.createPosition(actor, positionInput(f.orgCode, false)),
  manage_assignable_positions: async (f, actor) => {
    const position = await f.ra.createPosition(f.manager, positionInput(f.orgCode, false));
    return f.ra.setAssignable(actor, { positionId: position.id, assignable: true });
  },
  // An assignable position: sponsors ('assignable' cell) may assign it; the non-assignable case has its own test.
  assign_position: async (f, actor) => {
    const person = await createVerifiedPerson(f.ra, f.manager, f.orgCode);
    const position = await f.ra.createPosition(f.manager, positionInput(f.orgCode, true));
    return f.ra.assignPosition(actor, {
      personId: person.id,
      positionId: position.id,
      startDate: '2025-01-01',
    });
  },
  request_position: async (f, actor) => {
    const person = await createVerifiedPerson(f.ra, f.manager, f.orgCode);
    const position = await f.ra.createPosition(f.manager, positionInput(f.orgCode, false));
    return f.ra.requestPosition(actor, { personId: person.id, positionId: position.id });
  },
  approve_position_request: async (f, actor) => {
    const person = await createVerifiedPerson(f.ra, f.manager, f.orgCode);
    const position = await f.ra.createPosition(f.manager, positionInput(f.orgCode, false));
    const request = await f.ra.requestPosition(f.manager, { personId: person.id, positionId: position.id });
    return f.ra.decideRequest(actor, { requestId: request.id, approve: true });
  },
  issue_authenticator: async (f, actor) => {
    const person = await createVerifiedPerson(f.ra, f.manager, f.orgCode);
    return f.ra.issueRegistrationLink(actor, { personId: person.id, kind: 'password-totp' });
  },
  list_authenticators: async (f, actor) => {
    const person = await createVerifiedPerson(f.ra, f.manager, f.orgCode);
    return f.ra.listAuthenticators(actor, person.id);
  },
  suspend_authenticator: async (f, actor) => {
    const person = await createVerifiedPerson(f.ra, f.manager, f.orgCode);
    const authenticatorId = await addAuthenticator(f.db, person.id);
    return f.ra.suspendAuthenticator(actor, { personId: person.id, authenticatorId });
  },
  revoke_authenticator: async (f, actor) => {
    const person = await createVerifiedPerson(f.ra, f.manager, f.orgCode);
    const authenticatorId = await addAuthenticator(f.db, person.id);
    return f.ra.revokeAuthenticator(actor, { personId: person.id, authenticatorId });
  },
  unlock_authenticator: async (f, actor) => {
    const person = await createVerifiedPerson(f.ra, f.manager, f.orgCode);
    const authenticatorId = await addAuthenticator(f.db, person.id, { failedAttempts: 100 });
    return f.ra.unlockAuthenticator(actor, { personId: person.id, authenticatorId });
  },
  search_audit: (f, actor) => f.ra.searchAudit(actor, { orgCode: f.orgCode }),
};

function positionInput(orgCode: string, assignable: boolean) {
  return {
    orgCode,
    name: 'Staff nurse',
    jobRoleCode: 'R8001',
    activityCodes: ['B0360'],
    workgroups: [{ code: '1234', name: 'Ward 7' }],
    assignable,
    approval: { approvedBy: 'Director of Nursing', approvedOn: '2025-01-02', reference: 'RA-42' },
  };
}

describeEachDatabase('RA permission matrix', (ctx) => {
  const fixture = {} as Fixture;
  const staff = {} as Record<RaRole, Actor>;

  test('setup: one organisation, a holder of each RA role', async () => {
    fixture.db = ctx.db;
    fixture.ra = raServicesFor(ctx.db);
    fixture.orgCode = await createOrganisation(ctx.db);
    fixture.manager = await createRaStaff(ctx.db, 'ra-manager', fixture.orgCode);
    for (const role of raRoles) staff[role] = await createRaStaff(ctx.db, role, fixture.orgCode);
  });

  test('contract §16.2: each holder gets exactly their RA role in their organisation', async () => {
    for (const role of raRoles) {
      const capabilities = await raCapabilities(ctx.db, staff[role].personId, '2025-06-01');
      assert.deepEqual([...capabilities.organisations.entries()], [[fixture.orgCode, [role]]], role);
    }
  });

  for (const action of Object.keys(serviceActions) as RaAction[]) {
    test(`contract §16.2: ${action} is allowed and refused per role`, async () => {
      for (const role of raRoles) {
        const run = serviceActions[action]!(fixture, staff[role]);
        if (expected[action][role] === 'no') {
          await assert.rejects(
            run,
            (error: unknown) => error instanceof RaError && error.code === 'forbidden',
            `${role} must be refused ${action}`,
          );
        } else {
          await assert.doesNotReject(run, `${role} must be allowed ${action}`);
        }
      }
    });
  }

  test('contract §16.4: a sponsor assigns an assignable position directly, and must request any other', async () => {
    const { ra, manager, orgCode } = fixture;
    const person = await createVerifiedPerson(ra, manager, orgCode);
    const assignable = await ra.createPosition(manager, positionInput(orgCode, true));
    const other = await ra.createPosition(manager, positionInput(orgCode, false));
    const assignment = await ra.assignPosition(staff.sponsor, {
      personId: person.id,
      positionId: assignable.id,
    });
    assert.equal(assignment.jobRoleCode, 'R8001');
    await assert.rejects(
      ra.assignPosition(staff.sponsor, { personId: person.id, positionId: other.id }),
      (error: unknown) =>
        error instanceof RaError && error.code === 'forbidden' && /request/.test(error.message),
    );
    const request = await ra.requestPosition(staff.sponsor, { personId: person.id, positionId: other.id });
    assert.equal(request.status, 'pending');
    const approved = await ra.decideRequest(staff['ra-agent'], { requestId: request.id, approve: true });
    assert.equal(approved.status, 'approved');
    assert.match(approved.personRoleId ?? '', /^\d{12}$/);
  });

  test('contract §16.1: powers are scoped to the organisations served (another organisation sees nothing)', async () => {
    const { ra, manager, orgCode } = fixture;
    const otherOrg = await createOrganisation(ctx.db);
    const outsider = await createRaStaff(ctx.db, 'ra-manager', otherOrg);
    const person = await createVerifiedPerson(ra, manager, orgCode);
    for (const call of [
      () => ra.getPerson(outsider, person.id),
      () => ra.listAuthenticators(outsider, person.id),
      () => ra.issueRegistrationLink(outsider, { personId: person.id, kind: 'password-totp' }),
      () =>
        ra.verifyIdentity(outsider, {
          personId: person.id,
          documents: threeDocuments,
          checkedOn: '2025-01-10',
        }),
    ]) {
      await assert.rejects(call, (error: unknown) => error instanceof RaError && error.code === 'not_found');
    }
    await assert.rejects(
      ra.registerPerson(outsider, newPersonInput(orgCode)),
      (error: unknown) => error instanceof RaError && error.code === 'forbidden',
    );
    await assert.rejects(
      ra.searchAudit(outsider, { orgCode }),
      (error: unknown) => error instanceof RaError && error.code === 'forbidden',
    );
  });

  test('contract §16.2: ended and future RA positions give no powers', async () => {
    const { ra, orgCode } = fixture;
    const ended = await createRaStaff(ctx.db, 'ra-manager', orgCode);
    await ctx.db
      .updateTable('role_assignments')
      .set({ end_date: '2000-01-01' })
      .where('person_id', '=', ended.personId)
      .execute();
    const future = await createRaStaff(ctx.db, 'ra-manager', orgCode);
    await ctx.db
      .updateTable('role_assignments')
      .set({ start_date: '2999-01-01' })
      .where('person_id', '=', future.personId)
      .execute();
    for (const actor of [ended, future]) {
      await assert.rejects(
        ra.registerPerson(actor, newPersonInput(orgCode)),
        (error: unknown) => error instanceof RaError && error.code === 'forbidden',
      );
    }
  });
});
