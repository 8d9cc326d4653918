import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { sql } from 'kysely';
import { DirectoryError } from '../../src/directory/errors.ts';
import { upsertOrganisation } from '../../src/directory/organisations.ts';
import { createPerson, type Person } from '../../src/directory/people.ts';
import {
  activeRoleAssignments,
  assignRole,
  endRoleAssignment,
  listRoleAssignments,
} from '../../src/directory/positions.ts';
import type { Db } from '../../src/store/database.ts';
import { describeEachDatabase } from '../helpers/databases.ts';

let counter = 0;
async function newPerson(db: Db): Promise<Person> {
  counter += 1;
  return createPerson(db, {
    givenName: 'Pat',
    familyName: `Position${counter}`,
    email: `pat${counter}@example.nhs.uk`,
  });
}

async function count(
  db: Db,
  table: 'org_memberships' | 'role_assignments',
  personId: string,
): Promise<number> {
  const row = await db
    .selectFrom(table)
    .select(db.fn.countAll().as('n'))
    .where('person_id', '=', personId)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

function isDirectoryError(code: DirectoryError['code'], field?: string) {
  return (error: unknown) => {
    assert.ok(error instanceof DirectoryError, `expected a DirectoryError, got ${String(error)}`);
    assert.equal(error.code, code);
    if (field !== undefined) assert.equal(error.field, field);
    return true;
  };
}

describeEachDatabase('directory positions', (ctx) => {
  before(async () => {
    await upsertOrganisation(ctx.db, { code: 'RXX', name: 'EXAMPLE HOSPITALS NHS TRUST' });
    await upsertOrganisation(ctx.db, { code: 'a99999', name: 'EXAMPLE GP PRACTICE', gnc: 'G9999998' });
  });

  test('assignRole records the role and creates the membership once per organisation', async () => {
    const person = await newPerson(ctx.db);
    const first = await assignRole(ctx.db, {
      personId: person.id,
      orgCode: 'RXX',
      jobRoleCode: 'R8000',
      activityCodes: ['B1611', 'b0420', 'B1611'],
      workgroups: [{ code: '910000000777', name: 'Cardiology Team' }],
      startDate: '2025-01-01',
    });
    assert.match(first.personRoleId, /^[1-9]\d{11}$/);
    assert.match(first.personOrgId, /^[1-9]\d{11}$/);
    assert.equal(first.orgCode, 'RXX');
    assert.deepEqual(first.activityCodes, ['B1611', 'B0420']);
    assert.deepEqual(first.workgroups, [{ code: '910000000777', name: 'Cardiology Team' }]);
    assert.equal(first.startDate, '2025-01-01');
    assert.equal(first.endDate, null);

    const second = await assignRole(ctx.db, { personId: person.id, orgCode: 'rxx', jobRoleCode: 'r8001' });
    assert.equal(second.personOrgId, first.personOrgId, 'same organisation, same membership');
    assert.notEqual(second.personRoleId, first.personRoleId);
    assert.equal(second.jobRoleCode, 'R8001');
    assert.deepEqual(second.activityCodes, []);
    assert.deepEqual(second.workgroups, []);

    const third = await assignRole(ctx.db, { personId: person.id, orgCode: 'A99999', jobRoleCode: 'R8008' });
    assert.notEqual(third.personOrgId, first.personOrgId);
    assert.equal(await count(ctx.db, 'org_memberships', person.id), 2);
    const byId = (a: { personRoleId: string }, b: { personRoleId: string }) =>
      a.personRoleId.localeCompare(b.personRoleId);
    assert.deepEqual(
      (await listRoleAssignments(ctx.db, person.id)).sort(byId),
      [first, second, third].sort(byId),
    );
  });

  test('bad assignments are refused and nothing is written', async () => {
    const person = await newPerson(ctx.db);
    const base = { personId: person.id, orgCode: 'RXX', jobRoleCode: 'R8001' };
    const cases: [Parameters<typeof assignRole>[1], DirectoryError['code'], string][] = [
      [{ ...base, jobRoleCode: 'R9999' }, 'invalid_input', 'jobRoleCode'],
      [{ ...base, jobRoleCode: 'S8000:G8000:R8001' }, 'invalid_input', 'jobRoleCode'],
      [{ ...base, orgCode: 'NOPE1' }, 'not_found', 'orgCode'],
      [{ ...base, orgCode: 'x' }, 'invalid_input', 'orgCode'],
      [{ ...base, personId: '999999999999' }, 'not_found', 'personId'],
      [{ ...base, personId: 'abc' }, 'invalid_input', 'personId'],
      [{ ...base, startDate: '2025-06-02', endDate: '2025-06-01' }, 'invalid_input', 'endDate'],
      [{ ...base, startDate: '2025-02-30' }, 'invalid_input', 'startDate'],
      [{ ...base, endDate: '01/06/2025' }, 'invalid_input', 'endDate'],
      [{ ...base, activityCodes: ['B0825', 'B9999'] }, 'invalid_input', 'activityCodes.1'],
      [{ ...base, workgroups: [{ code: 'abc', name: 'Team' }] }, 'invalid_input', 'workgroups.0.code'],
      [
        {
          ...base,
          workgroups: [
            { code: '1', name: 'A' },
            { code: '1', name: 'B' },
          ],
        },
        'invalid_input',
        'workgroups',
      ],
    ];
    for (const [input, code, field] of cases) {
      await assert.rejects(assignRole(ctx.db, input), isDirectoryError(code, field), JSON.stringify(input));
    }
    assert.equal(await count(ctx.db, 'org_memberships', person.id), 0);
    assert.equal(await count(ctx.db, 'role_assignments', person.id), 0);
    // The same start and end day is a one-day role, not an error.
    await assignRole(ctx.db, { ...base, startDate: '2025-06-01', endDate: '2025-06-01' });
  });

  test('a failure after the membership is written leaves nothing behind', async () => {
    const person = await newPerson(ctx.db);
    // Make the role insert fail for this person only, after the membership row went in.
    if (ctx.kind === 'sqlite') {
      await sql
        .raw(
          `create trigger fail_role before insert on role_assignments when new.person_id = '${person.id}'
           begin select raise(abort, 'refused by test trigger'); end`,
        )
        .execute(ctx.db);
    } else {
      await sql
        .raw(
          `create function fail_role() returns trigger language plpgsql as $$
           begin if new.person_id = '${person.id}' then raise exception 'refused by test trigger'; end if;
           return new; end $$;
           create trigger fail_role before insert on role_assignments for each row execute function fail_role();`,
        )
        .execute(ctx.db);
    }
    try {
      await assert.rejects(
        assignRole(ctx.db, { personId: person.id, orgCode: 'RXX', jobRoleCode: 'R8001' }),
        /refused by test trigger/,
      );
      assert.equal(await count(ctx.db, 'org_memberships', person.id), 0);
      assert.equal(await count(ctx.db, 'role_assignments', person.id), 0);
    } finally {
      await sql
        .raw('drop trigger fail_role' + (ctx.kind === 'sqlite' ? '' : ' on role_assignments'))
        .execute(ctx.db);
    }
  });

  test('activeRoleAssignments drops ended and future assignments', async () => {
    const person = await newPerson(ctx.db);
    const assign = (startDate: string | null, endDate: string | null) =>
      assignRole(ctx.db, { personId: person.id, orgCode: 'RXX', jobRoleCode: 'R8001', startDate, endDate });
    const today = '2025-06-15';
    const open = await assign(null, null);
    await assign('2025-01-01', '2025-06-14'); // ended yesterday
    const endsToday = await assign('2025-01-01', '2025-06-15');
    const startsToday = await assign('2025-06-15', null);
    await assign('2025-06-16', null); // starts tomorrow
    const current = await assign('2024-01-01', '2026-01-01');
    await assign(null, '2020-12-31');

    const active = await activeRoleAssignments(ctx.db, person.id, today);
    assert.deepEqual(
      active.map((a) => a.personRoleId).sort(),
      [open, endsToday, startsToday, current].map((a) => a.personRoleId).sort(),
    );
    assert.equal((await listRoleAssignments(ctx.db, person.id)).length, 7);
    await assert.rejects(
      activeRoleAssignments(ctx.db, person.id, '15/06/2025'),
      isDirectoryError('invalid_input'),
    );
  });

  test('endRoleAssignment ends a role, and refuses to move an end later or before the start', async () => {
    const person = await newPerson(ctx.db);
    const role = await assignRole(ctx.db, {
      personId: person.id,
      orgCode: 'A99999',
      jobRoleCode: 'R8006',
      startDate: '2025-03-01',
    });
    const ended = await endRoleAssignment(ctx.db, role.personRoleId, '2025-05-31');
    assert.deepEqual(ended, { ...role, endDate: '2025-05-31' });
    assert.deepEqual((await listRoleAssignments(ctx.db, person.id))[0], ended);
    assert.deepEqual(await activeRoleAssignments(ctx.db, person.id, '2025-06-01'), []);

    await assert.rejects(
      endRoleAssignment(ctx.db, role.personRoleId, '2025-06-30'),
      isDirectoryError('conflict', 'endDate'),
    );
    await assert.rejects(
      endRoleAssignment(ctx.db, role.personRoleId, '2025-02-28'),
      isDirectoryError('invalid_input', 'endDate'),
    );
    await assert.rejects(
      endRoleAssignment(ctx.db, role.personRoleId, '2025-13-01'),
      isDirectoryError('invalid_input'),
    );
    await assert.rejects(
      endRoleAssignment(ctx.db, '999999999999', '2025-06-30'),
      isDirectoryError('not_found'),
    );
    // Bringing the end forward is allowed.
    assert.equal((await endRoleAssignment(ctx.db, role.personRoleId, '2025-04-30')).endDate, '2025-04-30');
  });
});
