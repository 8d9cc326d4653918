// Contract §16.5 and NIST 800-63B-4 §4 (security-requirements §1.8): one-time registration links,
// the authenticator list with level and last use, suspend, reinstate, revoke and unlock, each
// notified to the person.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { consumeEnrolmentLink, findUsableEnrolmentLink } from '../../src/authenticators/enrolment-links.ts';
import type { Actor } from '../../src/ra/action.ts';
import { RaError } from '../../src/ra/errors.ts';
import type { RaServices } from '../../src/ra/services.ts';
import { describeEachDatabase } from '../helpers/databases.ts';
import {
  addAuthenticator,
  createOrganisation,
  createRaStaff,
  createVerifiedPerson,
  RecordingNotifier,
  raServicesFor,
} from './support.ts';

const isRaError = (code: string, field?: string) => (error: unknown) =>
  error instanceof RaError && error.code === code && (!field || error.fields.some((f) => f.field === field));

describeEachDatabase('RA authenticator services', (ctx) => {
  let ra: RaServices;
  let notifier: RecordingNotifier;
  let manager: Actor;
  let agent: Actor;
  let orgCode: string;

  test('setup', async () => {
    notifier = new RecordingNotifier();
    ra = raServicesFor(ctx.db, notifier);
    orgCode = await createOrganisation(ctx.db);
    manager = await createRaStaff(ctx.db, 'ra-manager', orgCode);
    agent = await createRaStaff(ctx.db, 'ra-agent', orgCode);
  });

  test('security §1.8: a registration link has ≥112 bits, lives ≤10 minutes, works once, and is never stored', async () => {
    const person = await createVerifiedPerson(ra, manager, orgCode);
    const before = Date.now();
    const link = await ra.issueRegistrationLink(manager, { personId: person.id, kind: 'password-totp' });
    assert.equal(link.url, `https://idp.example.test/enrol/${link.code}`);
    assert.ok(Buffer.from(link.code, 'base64url').length * 8 >= 112);
    assert.ok(link.expiresAt <= Date.now() + 10 * 60_000 && link.expiresAt >= before + 9 * 60_000);
    const usable = await findUsableEnrolmentLink(ctx.db, link.code);
    assert.equal(usable?.personId, person.id);
    assert.equal(await consumeEnrolmentLink(ctx.db, usable.tokenHash), true);
    assert.equal(await findUsableEnrolmentLink(ctx.db, link.code), undefined);
    // Neither the token store nor the audit trail holds the secret itself.
    const tokens = await ctx.db.selectFrom('enrolment_tokens').select('token_hash').execute();
    assert.ok(tokens.every((t) => t.token_hash !== link.code));
    const events = await ctx.db.selectFrom('audit_events').select('detail').execute();
    assert.ok(events.every((e) => !e.detail.includes(link.code)));
    assert.equal(notifier.notices.at(-1)?.kind, 'registration-link-issued');
    assert.equal(notifier.notices.at(-1)?.to, person.email);
  });

  test('contract §16.5: links can be issued for every non-smartcard kind the enrolment pages know', async () => {
    const person = await createVerifiedPerson(ra, manager, orgCode);
    for (const kind of ['password-totp', 'passkey', 'windows-hello', 'security-key'] as const) {
      const link = await ra.issueRegistrationLink(manager, { personId: person.id, kind });
      assert.equal((await findUsableEnrolmentLink(ctx.db, link.code))?.kind, kind);
    }
  });

  test('contract §16.5: the list shows each authenticator with its level and last use', async () => {
    const person = await createVerifiedPerson(ra, manager, orgCode);
    const id = await addAuthenticator(ctx.db, person.id);
    await ctx.db
      .updateTable('authenticators')
      .set({ last_used_at: 1_700_000_000_000 })
      .where('id', '=', id)
      .execute();
    const [listed] = await ra.listAuthenticators(agent, person.id);
    assert.equal(listed?.id, id);
    assert.equal(listed?.level, 2);
    assert.equal(listed?.lastUsedAt, 1_700_000_000_000);
    assert.equal(listed?.status, 'active');
    assert.equal(listed?.locked, false);
  });

  test('security §1.8: suspend, reinstate and revoke change the status and notify the person', async () => {
    const person = await createVerifiedPerson(ra, manager, orgCode);
    const authenticatorId = await addAuthenticator(ctx.db, person.id);
    const ref = { personId: person.id, authenticatorId };
    assert.equal((await ra.suspendAuthenticator(agent, ref)).status, 'suspended');
    await assert.rejects(ra.suspendAuthenticator(agent, ref), isRaError('conflict', 'authenticatorId'));
    assert.equal((await ra.reinstateAuthenticator(agent, ref)).status, 'active');
    assert.equal((await ra.revokeAuthenticator(agent, ref)).status, 'revoked');
    await assert.rejects(ra.revokeAuthenticator(agent, ref), isRaError('conflict'));
    await assert.rejects(ra.reinstateAuthenticator(agent, ref), isRaError('conflict'));
    const mine = notifier.notices.filter((n) => n.to === person.email).map((n) => n.kind);
    assert.deepEqual(mine, ['authenticator-suspended', 'authenticator-reinstated', 'authenticator-removed']);
  });

  test('security §1.2: unlock clears the lockout (failed_attempts, locked_until) and notifies', async () => {
    const person = await createVerifiedPerson(ra, manager, orgCode);
    const authenticatorId = await addAuthenticator(ctx.db, person.id, { failedAttempts: 100 });
    await ctx.db
      .updateTable('authenticators')
      .set({ locked_until: Date.now() + 3_600_000 })
      .where('id', '=', authenticatorId)
      .execute();
    assert.equal((await ra.listAuthenticators(agent, person.id))[0]?.locked, true);
    const unlocked = await ra.unlockAuthenticator(agent, { personId: person.id, authenticatorId });
    assert.equal(unlocked.locked, false);
    const row = await ctx.db
      .selectFrom('authenticators')
      .selectAll()
      .where('id', '=', authenticatorId)
      .executeTakeFirstOrThrow();
    assert.equal(Number(row.failed_attempts), 0);
    assert.equal(row.locked_until, null);
    assert.equal(notifier.notices.at(-1)?.kind, 'authenticator-unlocked');
    await assert.rejects(
      ra.unlockAuthenticator(agent, { personId: person.id, authenticatorId }),
      isRaError('conflict'),
    );
  });

  test('DESIGN §5: bad authenticator input and other people’s authenticators are refused', async () => {
    const person = await createVerifiedPerson(ra, manager, orgCode);
    const other = await createVerifiedPerson(ra, manager, orgCode);
    const theirs = await addAuthenticator(ctx.db, other.id);
    await assert.rejects(
      ra.suspendAuthenticator(agent, { personId: person.id, authenticatorId: theirs }),
      isRaError('not_found', 'authenticatorId'),
    );
    await assert.rejects(
      ra.suspendAuthenticator(agent, { personId: 'abc', authenticatorId: '' }),
      isRaError('invalid_input'),
    );
    await assert.rejects(
      ra.issueRegistrationLink(manager, { personId: person.id, kind: 'smartcard' } as never),
      isRaError('invalid_input', 'kind'),
    );
    await assert.rejects(ra.listAuthenticators(agent, '000000000000'), isRaError('not_found'));
    const row = await ctx.db
      .selectFrom('authenticators')
      .select('status')
      .where('id', '=', theirs)
      .executeTakeFirstOrThrow();
    assert.equal(row.status, 'active');
  });
});
