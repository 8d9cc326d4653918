// Issue 4 §6 and contract §16.6: the audit trail is hash-chained, so `audit verify` names the
// first edited or deleted event; it exports as JSON lines; RA Managers search their own
// organisations only; every RA action leaves exactly one event.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { test } from 'node:test';
import { promisify } from 'node:util';
import { eventHash, recordAuditEvent } from '../../src/audit/audit-log.ts';
import { exportAuditEvents } from '../../src/audit/search.ts';
import { verifyAuditChain } from '../../src/audit/verify.ts';
import { RaError } from '../../src/ra/errors.ts';
import type { Db } from '../../src/store/database.ts';
import { createTestDatabase, describeEachDatabase } from '../helpers/databases.ts';
import { TEST_COOKIE_KEY, TEST_KEY_ENCRYPTION_SECRET } from '../helpers/test-server.ts';
import {
  addAuthenticator,
  createOrganisation,
  createRaStaff,
  createVerifiedPerson,
  newPersonInput,
  raServicesFor,
  threeDocuments,
} from '../ra/support.ts';

const root = resolve(import.meta.dirname, '../..');
const run = promisify(execFile);

async function tenEvents(db: Db): Promise<number[]> {
  for (let i = 0; i < 10; i++) {
    await recordAuditEvent(
      db,
      { type: 'test_event', outcome: 'success', actor: 'test', detail: { i } },
      1_700_000_000_000 + i,
    );
  }
  const rows = await db.selectFrom('audit_events').select('seq').orderBy('seq').execute();
  return rows.map((r) => Number(r.seq));
}

describeEachDatabase('Audit trail', (ctx) => {
  test('issue 4 §6: an intact chain verifies', async () => {
    await tenEvents(ctx.db);
    const report = await verifyAuditChain(ctx.db);
    assert.equal(report.ok, true);
    assert.ok(report.events >= 10);
  });

  test('issue 4 §6: verify names the one edited event', async () => {
    const seqs = await tenEvents(ctx.db);
    const edited = seqs.at(-4)!;
    await ctx.db
      .updateTable('audit_events')
      .set({ detail: '{"i":"tampered"}' })
      .where('seq', '=', edited)
      .execute();
    const report = await verifyAuditChain(ctx.db);
    assert.equal(report.ok, false);
    assert.deepEqual(report.firstBreak, { kind: 'edited', seq: edited });
    // Restore it so later tests start from a whole chain.
    const original = JSON.stringify({ i: 6 });
    await ctx.db.updateTable('audit_events').set({ detail: original }).where('seq', '=', edited).execute();
    assert.equal((await verifyAuditChain(ctx.db)).ok, true);
  });

  test('issue 4 §6: an edit that also rewrites the event hash is still found (by the next event)', async () => {
    const seqs = await tenEvents(ctx.db);
    const edited = seqs.at(-3)!;
    await ctx.db
      .updateTable('audit_events')
      .set({ outcome: 'failure', hash: 'f'.repeat(64) })
      .where('seq', '=', edited)
      .execute();
    const report = await verifyAuditChain(ctx.db);
    assert.equal(report.ok, false);
    assert.equal(report.firstBreak?.seq, edited);
    assert.equal(report.firstBreak?.kind, 'edited');
    await ctx.db.deleteFrom('audit_events').execute();
  });

  test('issue 4 §6: an edit that recomputes the edited event’s own hash is named too', async () => {
    const seqs = await tenEvents(ctx.db);
    const edited = seqs.at(-5)!;
    const row = await ctx.db
      .selectFrom('audit_events')
      .selectAll()
      .where('seq', '=', edited)
      .executeTakeFirstOrThrow();
    const forged = { ...row, subject: 'forged' };
    await ctx.db
      .updateTable('audit_events')
      .set({ subject: 'forged', hash: eventHash(row.prev_hash, forged) })
      .where('seq', '=', edited)
      .execute();
    const report = await verifyAuditChain(ctx.db);
    assert.deepEqual(report.firstBreak, { kind: 'edited', seq: edited });
    await ctx.db.deleteFrom('audit_events').execute();
  });

  test('issue 4 §6: verify detects a deleted event and names where', async () => {
    const seqs = await tenEvents(ctx.db);
    await ctx.db.deleteFrom('audit_events').where('seq', '=', seqs[4]!).execute();
    const report = await verifyAuditChain(ctx.db);
    assert.equal(report.ok, false);
    assert.deepEqual(report.firstBreak, { kind: 'deleted', seq: seqs[5], afterSeq: seqs[3] });
    await ctx.db.deleteFrom('audit_events').execute();
  });

  test('issue 4 §6: export writes JSON lines, filtered by time and organisation', async () => {
    await recordAuditEvent(
      ctx.db,
      { type: 'a', outcome: 'success', orgCode: 'EXP01' },
      Date.parse('2025-01-01T00:00:00Z'),
    );
    await recordAuditEvent(
      ctx.db,
      { type: 'b', outcome: 'success', orgCode: 'EXP01' },
      Date.parse('2025-02-01T00:00:00Z'),
    );
    await recordAuditEvent(
      ctx.db,
      { type: 'c', outcome: 'success', orgCode: 'EXP02' },
      Date.parse('2025-02-01T00:00:00Z'),
    );
    const lines: string[] = [];
    const count = await exportAuditEvents(
      ctx.db,
      { since: Date.parse('2025-01-15T00:00:00Z'), orgCodes: ['EXP01'] },
      (line) => void lines.push(line),
    );
    assert.equal(count, 1);
    const event = JSON.parse(lines[0]!) as { type: string; at: string; orgCode: string };
    assert.deepEqual([event.type, event.at, event.orgCode], ['b', '2025-02-01T00:00:00.000Z', 'EXP01']);
    assert.ok(lines[0]!.endsWith('\n'));
  });

  test('issue 4 §6: RA Managers search the audit trail of their own organisations only', async () => {
    const ra = raServicesFor(ctx.db);
    const mine = await createOrganisation(ctx.db);
    const theirs = await createOrganisation(ctx.db);
    const manager = await createRaStaff(ctx.db, 'ra-manager', mine);
    const otherManager = await createRaStaff(ctx.db, 'ra-manager', theirs);
    const person = await ra.registerPerson(manager, newPersonInput(mine));
    await ra.registerPerson(otherManager, newPersonInput(theirs));
    const events = await ra.searchAudit(manager, { type: 'ra_person_registered' });
    assert.deepEqual(
      events.map((e) => [e.subject, e.orgCode]),
      [[person.id, mine]],
    );
    await assert.rejects(
      ra.searchAudit(manager, { orgCode: theirs }),
      (e: unknown) => e instanceof RaError && e.code === 'forbidden',
    );
    await assert.rejects(
      ra.searchAudit(manager, { since: 'yesterday' }),
      (e: unknown) => e instanceof RaError && e.code === 'invalid_input',
    );
  });

  test('contract §16.6: every RA action leaves one audit event with actor, subject, organisation and source', async () => {
    await ctx.db.deleteFrom('audit_events').execute();
    const ra = raServicesFor(ctx.db);
    const orgCode = await createOrganisation(ctx.db);
    const manager = await createRaStaff(ctx.db, 'ra-manager', orgCode);
    const sponsor = await createRaStaff(ctx.db, 'sponsor', orgCode);
    const draft = newPersonInput(orgCode, { niNumber: 'JG103759A' });

    await ra.searchDuplicates(manager, { email: draft.email });
    const person = await ra.registerPerson(manager, draft);
    await ra.getPerson(manager, person.id);
    await ra.verifyIdentity(manager, {
      personId: person.id,
      documents: threeDocuments,
      checkedOn: '2025-01-10',
    });
    await ra.uploadPhoto(manager, {
      personId: person.id,
      contentType: 'image/jpeg',
      bytes: Buffer.from([0xff, 0xd8, 0xff, 1]),
    });
    const positionInput = {
      orgCode,
      name: 'Nurse',
      jobRoleCode: 'R8001',
      approval: { approvedBy: 'Board', approvedOn: '2025-01-01' },
    };
    const position = await ra.createPosition(manager, positionInput);
    await ra.setAssignable(manager, { positionId: position.id, assignable: false });
    await ra.listPositions(manager, orgCode);
    const assignment = await ra.assignPosition(manager, { personId: person.id, positionId: position.id });
    await ra.endAssignment(manager, { personRoleId: assignment.personRoleId, endDate: '2030-01-01' });
    const request = await ra.requestPosition(sponsor, { personId: person.id, positionId: position.id });
    await ra.listRequests(manager, orgCode);
    await ra.decideRequest(manager, { requestId: request.id, approve: true });
    const rejectMe = await ra.requestPosition(sponsor, { personId: person.id, positionId: position.id });
    await ra.decideRequest(manager, { requestId: rejectMe.id, approve: false });
    await ra.issueRegistrationLink(manager, { personId: person.id, kind: 'password-totp' });
    await ra.listAuthenticators(manager, person.id);
    const authenticatorId = await addAuthenticator(ctx.db, person.id, { failedAttempts: 100 });
    const ref = { personId: person.id, authenticatorId };
    await ra.unlockAuthenticator(manager, ref);
    await ra.suspendAuthenticator(manager, ref);
    await ra.reinstateAuthenticator(manager, ref);
    await ra.revokeAuthenticator(manager, ref);
    await ra.searchAudit(manager, {});

    const rows = await ctx.db.selectFrom('audit_events').selectAll().orderBy('seq').execute();
    const types = rows.map((r) => r.type);
    const expected = [
      'ra_duplicate_search',
      'ra_person_registered',
      'ra_person_viewed',
      'ra_identity_verified',
      'ra_photo_uploaded',
      'ra_position_created',
      'ra_position_assignable_changed',
      'ra_positions_listed',
      'ra_position_assigned',
      'ra_position_ended',
      'ra_position_requested',
      'ra_position_requests_listed',
      'ra_position_request_approved',
      'ra_position_requested',
      'ra_position_request_rejected',
      'ra_registration_link_issued',
      'ra_authenticators_listed',
      'ra_authenticator_unlocked',
      'ra_authenticator_suspended',
      'ra_authenticator_reinstated',
      'ra_authenticator_revoked',
      'ra_audit_searched',
    ];
    assert.deepEqual(types, expected);
    for (const row of rows) {
      assert.equal(row.outcome, 'success');
      assert.ok(row.actor === manager.personId || row.actor === sponsor.personId, row.type);
      assert.equal(row.org_code, orgCode, row.type);
      assert.equal(row.source_ip, '192.0.2.10');
    }
    const personEvents = rows.filter(
      (r) =>
        ![
          'ra_duplicate_search',
          'ra_position_created',
          'ra_position_assignable_changed',
          'ra_positions_listed',
          'ra_position_requests_listed',
          'ra_audit_searched',
        ].includes(r.type),
    );
    for (const row of personEvents) assert.equal(row.subject, person.id, row.type);
    // Refusals are recorded too.
    await assert.rejects(ra.createPosition(sponsor, positionInput));
    const refused = await ctx.db
      .selectFrom('audit_events')
      .selectAll()
      .orderBy('seq', 'desc')
      .limit(1)
      .executeTakeFirstOrThrow();
    assert.deepEqual(
      [refused.type, refused.outcome, refused.actor],
      ['ra_position_created', 'refused', sponsor.personId],
    );
    assert.equal((await verifyAuditChain(ctx.db)).ok, true);
  });

  test('DESIGN §5: an action that fails part-way leaves neither change nor audit event', async () => {
    const ra = raServicesFor(ctx.db);
    const orgCode = await createOrganisation(ctx.db);
    const manager = await createRaStaff(ctx.db, 'ra-manager', orgCode);
    const person = await createVerifiedPerson(ra, manager, orgCode);
    const before = await ctx.db.selectFrom('audit_events').select('seq').execute();
    // Unique NI number clash found only when the row is written (no duplicate search hit: a race).
    await ctx.db.updateTable('people').set({ ni_number: 'JG103759B' }).where('id', '=', person.id).execute();
    const draft = newPersonInput(orgCode, { niNumber: 'JG103759B' });
    await assert.rejects(
      ra.registerPerson(manager, draft),
      (e: unknown) => e instanceof RaError && e.code === 'conflict',
    );
    const after = await ctx.db.selectFrom('audit_events').select('seq').execute();
    assert.equal(after.length, before.length);
    const leftover = await ctx.db
      .selectFrom('people')
      .select('id')
      .where('email', '=', draft.email)
      .execute();
    assert.equal(leftover.length, 0);
  });
});

test('issue 4 §6: `care-identity audit verify` exits non-zero naming the edited event; export prints JSON lines', async () => {
  const database = await createTestDatabase('sqlite');
  try {
    const seqs = await tenEvents(database.db);
    const env = {
      ...process.env,
      CARE_IDENTITY_SQLITE_PATH: database.location,
      DATABASE_URL: '',
      CARE_IDENTITY_KEY_ENCRYPTION_SECRET: TEST_KEY_ENCRYPTION_SECRET,
      CARE_IDENTITY_COOKIE_KEYS: TEST_COOKIE_KEY,
    };
    const cli = (args: string[]) =>
      run(resolve(root, 'node_modules/.bin/node'), ['src/main.ts', ...args], { cwd: root, env });
    const ok = await cli(['audit', 'verify']);
    assert.match(ok.stdout, /audit trail intact: 10 events/);
    const exported = await cli(['audit', 'export', '--since', '2023-11-14T22:13:20.005Z']);
    assert.deepEqual(
      exported.stdout
        .trim()
        .split('\n')
        .map((line) => (JSON.parse(line) as { detail: { i: number } }).detail.i),
      [5, 6, 7, 8, 9],
    );
    await database.db
      .updateTable('audit_events')
      .set({ actor: 'someone else' })
      .where('seq', '=', seqs[2]!)
      .execute();
    await assert.rejects(cli(['audit', 'verify']), (error: { code?: number; stdout?: string }) => {
      assert.equal(error.code, 1);
      assert.match(error.stdout ?? '', new RegExp(`audit event ${seqs[2]} was edited`));
      return true;
    });
    await assert.rejects(
      cli(['audit', 'export', '--since', 'last week']),
      (error: { code?: number }) => error.code === 2,
    );
  } finally {
    await database.close();
  }
});
