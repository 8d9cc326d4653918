// Contract §16.4: positions from national RBAC job roles with extra activities and workgroups, the
// approval recorded; assigned with dates; requests approved by RA agents; tokens follow the dates.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadPersonClaims, type NrbacRoleClaim } from '../../src/directory/claims.ts';
import type { Actor } from '../../src/ra/action.ts';
import { RaError } from '../../src/ra/errors.ts';
import type { RaServices } from '../../src/ra/services.ts';
import { describeEachDatabase } from '../helpers/databases.ts';
import { createOrganisation, createRaStaff, createVerifiedPerson, raServicesFor } from './support.ts';

const isRaError = (code: string, field?: string) => (error: unknown) =>
  error instanceof RaError && error.code === code && (!field || error.fields.some((f) => f.field === field));

describeEachDatabase('RA position services', (ctx) => {
  let ra: RaServices;
  let manager: Actor;
  let agent: Actor;
  let orgCode: string;
  const positionInput = {
    name: 'Ward nurse',
    jobRoleCode: 'r8001',
    activityCodes: ['B1611'],
    workgroups: [{ code: '555', name: 'Sensitive records' }],
    approval: { approvedBy: 'Chief Nurse', approvedOn: '2025-01-02', reference: 'RA/2025/7' },
  };

  test('setup', async () => {
    ra = raServicesFor(ctx.db);
    orgCode = await createOrganisation(ctx.db);
    manager = await createRaStaff(ctx.db, 'ra-manager', orgCode);
    agent = await createRaStaff(ctx.db, 'ra-agent', orgCode);
  });

  test('contract §16.4: a position records its job role, extra activities, workgroups and approval', async () => {
    const position = await ra.createPosition(manager, { orgCode, ...positionInput });
    assert.equal(position.jobRoleCode, 'R8001');
    assert.deepEqual(position.activityCodes, ['B1611']);
    assert.deepEqual(position.workgroups, [{ code: '555', name: 'Sensitive records' }]);
    assert.deepEqual(position.approval, positionInput.approval);
    assert.equal(position.createdBy, manager.personId);
    const listed = await ra.listPositions(agent, orgCode);
    assert.ok(listed.some((p) => p.id === position.id));
  });

  test('DESIGN §5: bad position input is refused field by field and writes nothing', async () => {
    const before = (await ctx.db.selectFrom('positions').select('id').execute()).length;
    await assert.rejects(
      ra.createPosition(manager, {
        orgCode,
        name: '',
        jobRoleCode: 'R9999',
        activityCodes: ['X1'],
        approval: { approvedBy: '', approvedOn: '2025-02-30' },
      } as never),
      (error: unknown) => {
        assert.ok(error instanceof RaError && error.code === 'invalid_input');
        const fields = error.fields.map((f) => f.field);
        for (const f of [
          'name',
          'jobRoleCode',
          'activityCodes.0',
          'approval.approvedBy',
          'approval.approvedOn',
        ]) {
          assert.ok(fields.includes(f), `${f} in ${fields.join(', ')}`);
        }
        return true;
      },
    );
    await assert.rejects(
      ra.createPosition(manager, { ...positionInput } as never),
      isRaError('invalid_input', 'orgCode'),
    );
    assert.equal((await ctx.db.selectFrom('positions').select('id').execute()).length, before);
  });

  test('contract §10/§16.4: an assignment shows in claims between its start and end dates only', async () => {
    const person = await createVerifiedPerson(ra, manager, orgCode);
    const position = await ra.createPosition(manager, { orgCode, ...positionInput });
    const current = await ra.assignPosition(agent, {
      personId: person.id,
      positionId: position.id,
      startDate: '2025-01-01',
      endDate: '2025-12-31',
    });
    const future = await ra.assignPosition(agent, {
      personId: person.id,
      positionId: position.id,
      startDate: '2026-01-01',
    });
    const roles = async (today: string) =>
      ((await loadPersonClaims(ctx.db, person.id, today))!['nhsid_nrbac_roles'] as NrbacRoleClaim[]).map(
        (r) => r.person_roleid,
      );
    assert.deepEqual(await roles('2025-06-01'), [current.personRoleId]);
    assert.deepEqual(await roles('2026-02-01'), [future.personRoleId]);
    const [claim] = (await loadPersonClaims(ctx.db, person.id, '2025-06-01'))![
      'nhsid_nrbac_roles'
    ] as NrbacRoleClaim[];
    assert.ok(claim?.activity_codes.includes('B1611'));
    assert.deepEqual(claim?.workgroups_codes, ['555']);

    const ended = await ra.endAssignment(agent, {
      personRoleId: current.personRoleId,
      endDate: '2025-03-31',
    });
    assert.equal(ended.endDate, '2025-03-31');
    assert.deepEqual(await roles('2025-06-01'), []);
    const stored = await ctx.db
      .selectFrom('role_assignments')
      .select(['position_id', 'assigned_by'])
      .where('person_roleid', '=', current.personRoleId)
      .executeTakeFirstOrThrow();
    assert.deepEqual({ ...stored }, { position_id: position.id, assigned_by: agent.personId });
  });

  test('contract §16.4: requests are approved or rejected once; a failed approval changes nothing', async () => {
    const sponsor = await createRaStaff(ctx.db, 'sponsor', orgCode);
    const person = await createVerifiedPerson(ra, manager, orgCode);
    const position = await ra.createPosition(manager, { orgCode, ...positionInput });
    const request = await ra.requestPosition(sponsor, {
      personId: person.id,
      positionId: position.id,
      reason: 'New starter',
    });
    assert.deepEqual(
      (await ra.listRequests(agent, orgCode)).map((r) => r.id),
      [request.id],
    );
    // The person is suspended meanwhile: approval fails and leaves no role assignment behind.
    await ctx.db.updateTable('people').set({ status: 'suspended' }).where('id', '=', person.id).execute();
    await assert.rejects(
      ra.decideRequest(agent, { requestId: request.id, approve: true }),
      isRaError('conflict'),
    );
    const none = await ctx.db
      .selectFrom('role_assignments')
      .select('person_roleid')
      .where('person_id', '=', person.id)
      .execute();
    assert.equal(none.length, 0);
    await ctx.db.updateTable('people').set({ status: 'active' }).where('id', '=', person.id).execute();

    const rejected = await ra.decideRequest(agent, { requestId: request.id, approve: false });
    assert.equal(rejected.status, 'rejected');
    await assert.rejects(
      ra.decideRequest(agent, { requestId: request.id, approve: true }),
      isRaError('conflict', 'requestId'),
    );
    await assert.rejects(
      ra.decideRequest(agent, { requestId: '123', approve: true }),
      isRaError('invalid_input', 'requestId'),
    );
  });

  test('contract §16.1: positions of another organisation are not found', async () => {
    const otherOrg = await createOrganisation(ctx.db);
    const otherManager = await createRaStaff(ctx.db, 'ra-manager', otherOrg);
    const theirs = await ra.createPosition(otherManager, { orgCode: otherOrg, ...positionInput });
    const person = await createVerifiedPerson(ra, manager, orgCode);
    await assert.rejects(
      ra.assignPosition(agent, { personId: person.id, positionId: theirs.id }),
      isRaError('not_found', 'positionId'),
    );
    await assert.rejects(
      ra.createPosition(manager, { orgCode: otherOrg, ...positionInput }),
      isRaError('forbidden'),
    );
  });
});
