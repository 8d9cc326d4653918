// Notices about a person's own authenticator changes made outside the RA services (NIST 800-63B-4
// §4.1.2.1): sent through a real SMTP server on loopback, audited with their delivery, and never
// failing the change when mail cannot go out.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createPerson } from '../../src/directory/people.ts';
import {
  describeAuthenticator,
  notifyAuthenticatorChange,
} from '../../src/notifications/authenticator-changes.ts';
import { createNotifier } from '../../src/notifications/notifier.ts';
import type { Db } from '../../src/store/database.ts';
import { describeEachDatabase } from '../helpers/databases.ts';
import { freePort } from '../helpers/test-server.ts';
import { type SmtpSink, startSmtpSink } from './smtp-sink.ts';

let smtp: SmtpSink;
before(async () => {
  smtp = await startSmtpSink();
});
after(async () => {
  await smtp?.close();
});

const silent = { info() {}, warn() {} };
let counter = 0;

async function person(db: Db) {
  counter += 1;
  return createPerson(db, {
    givenName: 'Alex',
    familyName: `Notified${counter}`,
    email: `alex.notified.${process.pid}.${counter}.${Date.now()}@example.nhs.uk`,
    idAssuranceLevel: 3,
  });
}

async function audited(db: Db, personId: string) {
  const rows = await db
    .selectFrom('audit_events')
    .select(['type', 'outcome', 'actor', 'detail'])
    .where('subject', '=', personId)
    .orderBy('seq')
    .execute();
  return rows.map((row) => ({ ...row, detail: JSON.parse(row.detail) as Record<string, unknown> }));
}

test('the authenticator is named as the person knows it', () => {
  assert.equal(describeAuthenticator('Blue key', 'Security key'), 'Blue key (security key)');
  assert.equal(describeAuthenticator('Passkey', 'Passkey'), 'Passkey');
  assert.equal(
    describeAuthenticator('Microsoft Authenticator', 'Microsoft Authenticator'),
    'Microsoft Authenticator',
  );
});

describeEachDatabase('Notices of authenticator changes', (ctx) => {
  test('NIST 800-63B-4 §4.1.2.1: a notice arrives at the SMTP server and its delivery is audited', async () => {
    const notifier = createNotifier(smtp.config, silent);
    const someone = await person(ctx.db);
    const result = await notifyAuthenticatorChange(
      { db: ctx.db, notifier, logger: silent },
      {
        personId: someone.id,
        notice: 'authenticator-added',
        authenticatorId: 'a1',
        authenticatorLabel: 'Blue key (security key)',
        by: 'you, from your Care Identity account',
        sourceIp: '192.0.2.1',
      },
      Date.UTC(2026, 0, 15, 10, 30),
    );
    assert.equal(result, 'sent');
    const [mail] = await smtp.mailFor(someone.email);
    assert.ok(mail);
    assert.match(mail.text, /^Dear Alex Notified\d+,/);
    assert.match(
      mail.text,
      /Blue key \(security key\) was added to your account on 15 January 2026 at 10:30 by you, from your Care Identity account\./,
    );
    const [event] = await audited(ctx.db, someone.id);
    assert.equal(event?.type, 'person_notified');
    assert.equal(event?.outcome, 'success');
    assert.equal(event?.actor, 'system');
    assert.deepEqual(event?.detail, {
      channel: 'email',
      notice: 'authenticator-added',
      authenticator_id: 'a1',
      delivery: 'sent',
    });
    notifier.close();
  });

  test('DESIGN §5: when the SMTP server is down the notice is logged, audited as a failure, and nothing throws', async () => {
    const logged: unknown[] = [];
    const logger = { info: (o: unknown) => logged.push(o), warn: (o: unknown) => logged.push(o) };
    const notifier = createNotifier({ ...smtp.config, port: await freePort() }, logger);
    const someone = await person(ctx.db);
    const result = await notifyAuthenticatorChange(
      { db: ctx.db, notifier, logger },
      {
        personId: someone.id,
        notice: 'authenticator-removed',
        authenticatorId: 'a2',
        authenticatorLabel: 'Passkey',
        by: 'you',
      },
    );
    assert.equal(result, 'logged');
    assert.equal(logged.length, 1);
    const [event] = await audited(ctx.db, someone.id);
    assert.equal(event?.outcome, 'failure');
    assert.equal(event?.detail['delivery'], 'logged');
    notifier.close();
  });

  test('a person without a record gets no mail and the attempt is still audited', async () => {
    const notifier = createNotifier(smtp.config, silent);
    const result = await notifyAuthenticatorChange(
      { db: ctx.db, notifier, logger: silent },
      {
        personId: '999999999999',
        notice: 'authenticator-removed',
        authenticatorId: 'a3',
        authenticatorLabel: 'X',
        by: 'you',
      },
    );
    assert.equal(result, 'no-address');
    const [event] = await audited(ctx.db, '999999999999');
    assert.equal(event?.outcome, 'failure');
    notifier.close();
  });
});
