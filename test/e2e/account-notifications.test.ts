// NIST 800-63B-4 §4.1.2.1 (issue 4 item 4): binding a new authenticator, removing one, and the
// cloned-key suspension email the person through an independent channel. A real SMTP server on
// loopback receives what the node sends; each notice is audited with whether it was delivered.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { issueEnrolmentLink } from '../../src/authenticators/enrolment-links.ts';
import { csrfToken, Browser as HttpBrowser } from '../helpers/browser.ts';
import { createTestPerson, oathtoolCode } from '../helpers/people.ts';
import { createRelyingParty } from '../helpers/relying-party.ts';
import { freePort, startTestServer } from '../helpers/test-server.ts';
import { type SmtpSink, startSmtpSink } from '../notifications/smtp-sink.ts';
import {
  addVirtualAuthenticator,
  launchChromium,
  newBrowserPage,
  openSignIn,
  pageText,
  pressAndSettle,
  pressWebAuthn,
  registerWithLink,
  securityKey,
  signInToAccount,
  syncedPasskey,
  TEST_AAGUID_ALLOW_LIST,
  TEST_METADATA_STATEMENT,
  type WebAuthnTestServer,
} from './support.ts';

let smtp: SmtpSink;
let server: WebAuthnTestServer;
let chromium: Browser;
before(async () => {
  smtp = await startSmtpSink();
  const port = await freePort();
  const origin = `http://localhost:${port}`;
  const started = await startTestServer({
    port,
    config: {
      publicUrl: origin,
      smtp: smtp.config,
      webauthn: {
        metadataStatementFiles: [TEST_METADATA_STATEMENT],
        aaguidAllowListFile: TEST_AAGUID_ALLOW_LIST,
      },
    },
  });
  server = Object.assign(started, { origin });
  chromium = await launchChromium();
});
after(async () => {
  await chromium?.close();
  await server?.close();
  await smtp?.close();
});

async function notifiedEvents(personId: string): Promise<Record<string, unknown>[]> {
  const rows = await server.db
    .selectFrom('audit_events')
    .select(['outcome', 'detail'])
    .where('type', '=', 'person_notified')
    .where('subject', '=', personId)
    .orderBy('seq')
    .execute();
  return rows.map((row) => ({
    outcome: row.outcome,
    ...(JSON.parse(row.detail) as Record<string, unknown>),
  }));
}

test('NIST 800-63B-4 §4.1.2.1: a passkey added from /account and an authenticator removed there are emailed to the person and audited', async () => {
  const person = await createTestPerson(server.db, server.sealer);
  const { context, page } = await newBrowserPage(chromium);
  try {
    await signInToAccount(page, server.origin, person);
    await addVirtualAuthenticator(context, page, syncedPasskey);
    await page.goto(`${server.origin}/account/add/passkey`);
    await page.fill('#label', 'My phone');
    await pressAndSettle(page, '#webauthn-start');
    assert.match(await pageText(page), /Passkey is set up/);

    const [added] = await smtp.mailFor(person.email);
    assert.ok(added, 'a message arrived for the person');
    assert.equal(added.from, 'no-reply@idp.example.test');
    assert.equal(added.subject, 'A sign-in method was added to your Care Identity');
    assert.match(
      added.text,
      /My phone \(passkey\) was added to your account on .* by you, from your Care Identity account\./,
    );
    assert.match(added.text, /If you did not expect this, contact your Registration Authority/);

    // Remove the original Microsoft Authenticator (the passkey still gives AAL2: no warning).
    await page.goto(`${server.origin}/account`);
    const row = page.locator('#authenticators tbody tr', { hasText: 'Microsoft Authenticator' });
    await Promise.all([page.waitForURL(/\/remove$/), row.getByText('Remove').click()]);
    await Promise.all([page.waitForURL(/\/account$/), page.click('button:has-text("Remove")')]);
    const mails = await smtp.mailFor(person.email, 2);
    const removed = mails[1];
    assert.ok(removed, 'a second message arrived');
    assert.equal(removed.subject, 'A sign-in method was removed from your Care Identity');
    assert.match(
      removed.text,
      /Microsoft Authenticator was removed from your account and can no longer be used/,
    );

    const events = await notifiedEvents(person.id);
    assert.deepEqual(
      events.map((e) => [e['outcome'], e['notice'], e['delivery'], e['channel']]),
      [
        ['success', 'authenticator-added', 'sent', 'email'],
        ['success', 'authenticator-removed', 'sent', 'email'],
      ],
    );
    assert.equal(events[1]?.['authenticator_id'], person.authenticatorId);
  } finally {
    await context.close();
  }
});

test('NIST 800-63B-4 §4.1.2.1: a security key registered with an RA one-time link is emailed to the person', async () => {
  const person = await createTestPerson(server.db, server.sealer);
  const { context, page } = await newBrowserPage(chromium);
  try {
    await addVirtualAuthenticator(context, page, securityKey);
    assert.match(await registerWithLink(server, page, person.id, 'security-key', 'Blue key'), /is set up/);
    const [mail] = await smtp.mailFor(person.email);
    assert.ok(mail);
    assert.equal(mail.subject, 'A sign-in method was added to your Care Identity');
    assert.match(mail.text, /Blue key \(security key\) was added to your account/);
    assert.match(mail.text, /by you, with a one-time link from your Registration Authority/);
    const [event] = await notifiedEvents(person.id);
    assert.equal(event?.['notice'], 'authenticator-added');
    assert.equal(event?.['delivery'], 'sent');
  } finally {
    await context.close();
  }
});

test('NIST 800-63B-4 §4.1.2.1: setting up Microsoft Authenticator from a link emails the person, and so does the one it replaces', async () => {
  const person = await createTestPerson(server.db, server.sealer);
  const link = await issueEnrolmentLink(server.db, {
    personId: person.id,
    kind: 'password-totp',
    createdBy: 'test',
    ttlMs: 10 * 60_000,
  });
  const browser = new HttpBrowser('https://nowhere.example');
  const url = `${server.url}${link.path}`;
  const landing = await browser.go(url);
  assert.ok(landing.kind === 'page' && landing.page.status === 200);
  const secret = /id="secret">([^<]*)</.exec(landing.page.html)?.[1]?.replace(/\s+/g, '');
  assert.ok(secret);
  const password = 'a long and unusual passphrase for tests';
  const done = await browser.go(url, {
    form: {
      csrf: csrfToken(landing.page.html),
      password,
      confirmPassword: password,
      code: oathtoolCode(secret, Date.now()),
    },
  });
  assert.ok(done.kind === 'page' && done.page.status === 200, 'set up');
  const mails = await smtp.mailFor(person.email, 2);
  assert.deepEqual(mails.map((m) => m.subject).sort(), [
    'A sign-in method was added to your Care Identity',
    'A sign-in method was removed from your Care Identity',
  ]);
  const removed = mails.find((m) => /removed/.test(m.subject));
  assert.match(removed?.text ?? '', /Microsoft Authenticator was removed from your account/);
  const events = await notifiedEvents(person.id);
  assert.deepEqual(events.map((e) => e['notice']).sort(), ['authenticator-added', 'authenticator-removed']);
  assert.equal(
    events.find((e) => e['notice'] === 'authenticator-removed')?.['authenticator_id'],
    person.authenticatorId,
  );
});

test('security-requirements §6.1 (signCount): the cloned-key suspension is emailed to the person', async () => {
  const person = await createTestPerson(server.db, server.sealer);
  const { context, page, callbacks } = await newBrowserPage(chromium);
  try {
    const key = await addVirtualAuthenticator(context, page, securityKey);
    assert.match(await registerWithLink(server, page, person.id, 'security-key', 'Blue key'), /is set up/);
    const rp = await createRelyingParty(server, { minimumAal: 3 });
    await openSignIn(page, await rp.authorizationRequest());
    assert.ok(await pressWebAuthn(page, callbacks), 'the genuine key signs in');

    const { credentials } = await key.cdp.send('WebAuthn.getCredentials', {
      authenticatorId: key.authenticatorId,
    });
    const credential = credentials[0]!;
    await key.cdp.send('WebAuthn.removeCredential', {
      authenticatorId: key.authenticatorId,
      credentialId: credential.credentialId,
    });
    await key.cdp.send('WebAuthn.addCredential', {
      authenticatorId: key.authenticatorId,
      credential: { ...credential, signCount: 0 },
    });
    // prompt=login: the IdP session of the first sign-in would otherwise answer without a ceremony.
    await openSignIn(page, await rp.authorizationRequest({ prompt: 'login' }));
    assert.equal(await pressWebAuthn(page, callbacks), undefined, 'refused');
    assert.match(await pageText(page), /may have been copied/);

    const mails = await smtp.mailFor(person.email, 2);
    const suspended = mails.find((m) => /suspended/.test(m.subject));
    assert.ok(suspended, mails.map((m) => m.subject).join('\n'));
    assert.equal(
      suspended.subject,
      'A sign-in method on your Care Identity was suspended because it may have been copied',
    );
    assert.match(suspended.text, /Blue key \(security key\) was suspended because it may have been copied/);
    assert.match(suspended.text, /by Care Identity\./);
    const events = await notifiedEvents(person.id);
    assert.ok(
      events.some((e) => e['notice'] === 'authenticator-suspended-cloned' && e['delivery'] === 'sent'),
    );
  } finally {
    await context.close();
  }
});
