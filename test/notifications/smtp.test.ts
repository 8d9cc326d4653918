// Security §1.8 (NIST 800-63B-4 §4): people are notified of authenticator changes through an
// independent channel. A real SMTP server on loopback (smtp-server) receives what nodemailer sends.
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import { SMTPServer } from 'smtp-server';
import { createNotifier } from '../../src/notifications/notifier.ts';
import { describeEachDatabase } from '../helpers/databases.ts';
import { freePort } from '../helpers/test-server.ts';
import {
  addAuthenticator,
  createOrganisation,
  createRaStaff,
  createVerifiedPerson,
  raServicesFor,
} from '../ra/support.ts';

interface Received {
  from: string | undefined;
  to: string[];
  user: string | undefined;
  raw: string;
}

const received: Received[] = [];
let server: SMTPServer;
let port: number;

before(async () => {
  server = new SMTPServer({
    disabledCommands: ['STARTTLS'],
    allowInsecureAuth: true,
    authOptional: true,
    logger: false,
    onAuth(auth, _session, callback) {
      if (auth.username === 'care' && auth.password === 'identity') return callback(null, { user: 'care' });
      return callback(new Error('bad credentials'));
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        received.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : undefined,
          to: session.envelope.rcptTo.map((r) => r.address),
          user: session.user as string | undefined,
          raw: Buffer.concat(chunks).toString('utf8'),
        });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.server.address() as AddressInfo).port;
});

after(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

const silent = { info() {}, warn() {} };
const smtpConfig = (extra = {}) => ({
  host: '127.0.0.1',
  port,
  secure: false,
  requireTls: false,
  from: 'Care Identity <no-reply@idp.example.test>',
  ...extra,
});

describeEachDatabase('Notifications over SMTP', (ctx) => {
  test('security §1.8: suspending an authenticator emails the person through the SMTP server', async () => {
    const notifier = createNotifier(smtpConfig({ user: 'care', password: 'identity' }), silent);
    const ra = raServicesFor(ctx.db, notifier);
    const orgCode = await createOrganisation(ctx.db);
    const manager = await createRaStaff(ctx.db, 'ra-manager', orgCode);
    const person = await createVerifiedPerson(ra, manager, orgCode);
    const authenticatorId = await addAuthenticator(ctx.db, person.id);
    const count = received.length;
    await ra.suspendAuthenticator(manager, { personId: person.id, authenticatorId });
    const mail = received.slice(count).find((m) => m.to.includes(person.email));
    assert.ok(mail, 'a message for the person arrived');
    assert.equal(mail.from, 'no-reply@idp.example.test');
    assert.equal(mail.user, 'care');
    assert.match(mail.raw, /Subject: A sign-in method on your Care Identity was suspended/);
    assert.match(mail.raw, /Microsoft Authenticator was suspended/);
    notifier.close();
  });

  test('security §1.8: a registration link notice arrives and never carries the link', async () => {
    const notifier = createNotifier(smtpConfig(), silent);
    const ra = raServicesFor(ctx.db, notifier);
    const orgCode = await createOrganisation(ctx.db);
    const manager = await createRaStaff(ctx.db, 'ra-manager', orgCode);
    const person = await createVerifiedPerson(ra, manager, orgCode);
    const count = received.length;
    const link = await ra.issueRegistrationLink(manager, { personId: person.id, kind: 'password-totp' });
    const mail = received.slice(count).find((m) => m.to.includes(person.email));
    assert.ok(mail);
    assert.match(mail.raw, /registration link was issued/);
    assert.ok(!mail.raw.includes(link.code));
    notifier.close();
  });

  test('DESIGN §5: without SMTP, or when the server is down, the action succeeds and the notice is logged', async () => {
    const logged: unknown[] = [];
    const logger = { info: (o: unknown) => logged.push(o), warn: (o: unknown) => logged.push(o) };
    const unconfigured = createNotifier(smtpConfig({ host: undefined }), logger);
    const down = createNotifier(smtpConfig({ port: await freePort() }), logger);
    for (const notifier of [unconfigured, down]) {
      const ra = raServicesFor(ctx.db, notifier);
      const orgCode = await createOrganisation(ctx.db);
      const manager = await createRaStaff(ctx.db, 'ra-manager', orgCode);
      const person = await createVerifiedPerson(ra, manager, orgCode);
      const authenticatorId = await addAuthenticator(ctx.db, person.id);
      const result = await ra.revokeAuthenticator(manager, { personId: person.id, authenticatorId });
      assert.equal(result.status, 'revoked');
      notifier.close();
    }
    assert.equal(logged.length, 2);
  });
});
