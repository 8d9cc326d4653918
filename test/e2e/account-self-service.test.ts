// Self-service account pages (issue 4 item 5): the signed-in person sees their profile, roles in
// force and authenticators; removing someone else's authenticator or posting without a CSRF token
// changes nothing; "sign out everywhere" ends every IdP session and web session of that person on
// every device and revokes their grants, so relying parties' tokens stop working (ASVS 7.4.3, 7.4.5).
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import * as client from 'openid-client';
import type { Browser, Page } from 'playwright-core';
import { assignRole } from '../../src/directory/positions.ts';
import { createTestPerson, type TestPerson } from '../helpers/people.ts';
import { createRelyingParty, type TestRelyingParty } from '../helpers/relying-party.ts';
import { freePort, startTestServer } from '../helpers/test-server.ts';
import {
  fillPasswordTotp,
  launchChromium,
  newBrowserPage,
  openSignIn,
  pageText,
  signInToAccount,
  TEST_AAGUID_ALLOW_LIST,
  TEST_METADATA_STATEMENT,
  type WebAuthnTestServer,
} from './support.ts';

let server: WebAuthnTestServer;
let chromium: Browser;
let receiver: Server;
let receiverUrl: string;
const logoutTokens: { path: string; token: string | null }[] = [];

before(async () => {
  receiver = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
      logoutTokens.push({ path: req.url ?? '', token: body.get('logout_token') });
      res.writeHead(200).end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
  const port = await freePort();
  const origin = `http://localhost:${port}`;
  const started = await startTestServer({
    port,
    config: {
      publicUrl: origin,
      // The back-channel receiver listens on loopback, which the engine otherwise refuses to call.
      outboundPrivateHosts: ['127.0.0.1'],
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
  receiver?.closeAllConnections();
  await new Promise((resolve) => receiver?.close(resolve));
});

/** Signs in to a relying party in this browser and exchanges the code: the token response. */
async function signInToApplication(page: Page, callbacks: URL[], rp: TestRelyingParty, person: TestPerson) {
  const request = await rp.authorizationRequest();
  await openSignIn(page, request);
  await fillPasswordTotp(page, person);
  const before = callbacks.length;
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  const deadline = Date.now() + 15_000;
  while (callbacks.length === before && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  const callback = callbacks.at(-1);
  if (!callback || callbacks.length === before)
    assert.fail(`no authorization response: ${await pageText(page)}`);
  const tokens = await client.authorizationCodeGrant(rp.config, callback, {
    pkceCodeVerifier: request.verifier,
    expectedState: request.state,
    expectedNonce: request.nonce,
  });
  return tokens;
}

/** Whether this browser still has an IdP session: a silent request answers with a code or an error. */
async function silentSignIn(page: Page, callbacks: URL[], rp: TestRelyingParty): Promise<URL> {
  const request = await rp.authorizationRequest({ prompt: 'none' });
  const before = callbacks.length;
  await page.goto(request.url.href).catch(() => {});
  const deadline = Date.now() + 15_000;
  while (callbacks.length === before && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  const callback = callbacks.at(-1);
  assert.ok(callback && callbacks.length > before, 'an answer from the silent request');
  return callback;
}

async function count(table: 'sign_in_contexts' | 'web_sessions', personId: string): Promise<number> {
  const rows = await server.db
    .selectFrom(table)
    .select('person_id')
    .where('person_id', '=', personId)
    .execute();
  return rows.length;
}

async function engineSessions(personId: string): Promise<number> {
  const rows = await server.db
    .selectFrom('oidc_payloads')
    .select('payload')
    .where('model', '=', 'Session')
    .execute();
  return rows.filter((row) => (JSON.parse(row.payload) as { accountId?: string }).accountId === personId)
    .length;
}

test('issue 4 §5: /account shows the profile, identity assurance level, the roles in force today and the authenticators', async () => {
  const person = await createTestPerson(server.db, server.sealer, {
    roles: [{ orgCode: 'RSS01', jobRoleCode: 'R8000' }],
  });
  await assignRole(server.db, {
    personId: person.id,
    orgCode: 'RSS01',
    jobRoleCode: 'R5080',
    endDate: '2020-01-31',
  });
  await assignRole(server.db, {
    personId: person.id,
    orgCode: 'RSS01',
    jobRoleCode: 'R5080',
    startDate: '2099-01-01',
  });
  const { context, page } = await newBrowserPage(chromium);
  try {
    await signInToAccount(page, server.origin, person);
    assert.equal(await page.locator('h1').textContent(), 'Your account');
    const profile = (await page.locator('#profile').textContent())?.replace(/\s+/g, ' ') ?? '';
    assert.match(profile, /Name Test Person\d+/);
    assert.match(profile, new RegExp(`Email ${person.email.replace(/[.]/g, '\\.')}`));
    assert.match(profile, /Identity assurance level Level 3/);
    assert.match(profile, new RegExp(`Your ID ${person.id}`));
    const roles = (await page.locator('#roles tbody tr').allTextContents()).map((t) =>
      t.replace(/\s+/g, ' ').trim(),
    );
    assert.deepEqual(
      roles,
      ['Clinical Practitioner Access Role ORGANISATION RSS01 (RSS01) R8000'],
      'ended and future roles are not shown',
    );
    const authenticators = await page.locator('#authenticators tbody tr').allTextContents();
    assert.equal(authenticators.length, 1);
    assert.match(authenticators[0]!, /Microsoft Authenticator/);
  } finally {
    await context.close();
  }
});

test("issue 4 §5: removing another person's authenticator is not found, and a remove without a CSRF token is refused; nothing changes", async () => {
  const person = await createTestPerson(server.db, server.sealer);
  const other = await createTestPerson(server.db, server.sealer);
  const { context, page } = await newBrowserPage(chromium);
  try {
    await signInToAccount(page, server.origin, person);
    const response = await page.goto(
      `${server.origin}/account/authenticators/${other.authenticatorId}/remove`,
    );
    assert.equal(response?.status(), 404);
    const forged = await page.request.post(
      `${server.origin}/account/authenticators/${person.authenticatorId}/remove`,
      {
        form: { csrf: 'forged', confirm: 'yes' },
        maxRedirects: 0,
      },
    );
    assert.equal(forged.status(), 403);
    await page.goto(`${server.origin}/account/authenticators/${person.authenticatorId}/remove`);
    const csrf = await page.locator('input[name="csrf"]').first().inputValue();
    const theirs = await page.request.post(
      `${server.origin}/account/authenticators/${other.authenticatorId}/remove`,
      {
        form: { csrf, confirm: 'yes' },
        maxRedirects: 0,
      },
    );
    assert.equal(theirs.status(), 404);
    const statuses = await server.db
      .selectFrom('authenticators')
      .select('status')
      .where('id', 'in', [person.authenticatorId, other.authenticatorId])
      .execute();
    assert.deepEqual(
      statuses.map((s) => s.status),
      ['active', 'active'],
    );
  } finally {
    await context.close();
  }
});

test('ASVS 7.4.3/7.4.5: "sign out everywhere" ends every IdP and web session of the person, revokes their tokens and tells back-channel relying parties; other people stay signed in', async () => {
  const person = await createTestPerson(server.db, server.sealer);
  const bystander = await createTestPerson(server.db, server.sealer);
  const path = `/bc/${Date.now()}`;
  const rp = await createRelyingParty(server, {
    metadata: { backchannel_logout_uri: `${receiverUrl}${path}`, backchannel_logout_session_required: true },
  });
  // Another device: signed in to an application, holding its tokens.
  const laptop = await newBrowserPage(chromium);
  const phone = await newBrowserPage(chromium);
  const elsewhere = await newBrowserPage(chromium);
  try {
    const tokens = await signInToApplication(laptop.page, laptop.callbacks, rp, person);
    const sid = tokens.claims()!['sid'];
    assert.equal(typeof sid, 'string');
    const info = await client.fetchUserInfo(rp.config, tokens.access_token, person.id);
    assert.equal(info.sub, person.id, 'the access token works before');
    const theirs = await signInToApplication(elsewhere.page, elsewhere.callbacks, rp, bystander);

    await signInToAccount(phone.page, server.origin, person);
    assert.ok((await engineSessions(person.id)) >= 2, 'two IdP sessions: laptop and phone');
    assert.ok((await count('web_sessions', person.id)) >= 1);

    await Promise.all([
      phone.page.waitForURL(/\/account\/sign-out-everywhere$/),
      phone.page.getByRole('link', { name: 'sign out everywhere' }).click(),
    ]);
    assert.match(
      await pageText(phone.page),
      /signs you out of Care Identity on every computer, phone and browser/,
    );
    await Promise.all([
      phone.page.waitForURL(/\/account\/signed-out-everywhere$/),
      phone.page.getByRole('button', { name: 'Sign out everywhere' }).click(),
    ]);
    assert.match(await pageText(phone.page), /You have signed out everywhere/);

    // The store holds nothing of the person's sessions.
    assert.equal(await engineSessions(person.id), 0);
    assert.equal(await count('sign_in_contexts', person.id), 0);
    assert.equal(await count('web_sessions', person.id), 0);

    // The application's tokens stop working.
    await assert.rejects(client.fetchUserInfo(rp.config, tokens.access_token, person.id));
    await assert.rejects(client.refreshTokenGrant(rp.config, tokens.refresh_token!));

    // Both devices must sign in again.
    const silent = await silentSignIn(laptop.page, laptop.callbacks, rp);
    assert.equal(silent.searchParams.get('error'), 'login_required');
    await phone.page.goto(`${server.origin}/account`);
    assert.match(phone.page.url(), /\/interaction\//, 'the account area asks for a new sign-in');

    // The application was told over the back channel, with the session's sid.
    const told = logoutTokens.filter((t) => t.path === path && t.token);
    assert.ok(told.length >= 1, 'a logout token was sent');
    const payloads = told.map((t) =>
      JSON.parse(Buffer.from(t.token!.split('.')[1]!, 'base64url').toString()),
    );
    assert.ok(payloads.every((p) => p.sub === person.id));
    assert.ok(payloads.some((p) => p.sid === sid));

    // Someone else is untouched.
    assert.equal(
      (await client.fetchUserInfo(rp.config, theirs.access_token, bystander.id)).sub,
      bystander.id,
    );
    const theirSilent = await silentSignIn(elsewhere.page, elsewhere.callbacks, rp);
    assert.ok(theirSilent.searchParams.get('code'), 'the bystander still has an IdP session');

    const [event] = await server.db
      .selectFrom('audit_events')
      .select(['outcome', 'actor', 'detail'])
      .where('type', '=', 'signed_out_everywhere')
      .where('subject', '=', person.id)
      .execute();
    assert.equal(event?.outcome, 'success');
    assert.equal(event?.actor, person.id);
    const detail = JSON.parse(event!.detail) as Record<string, unknown>;
    assert.ok((detail['sessions'] as number) >= 2);
    assert.ok((detail['grants'] as number) >= 2, 'the application grant and the account area grant');
    assert.deepEqual(detail['backchannel_notified'], [rp.clientId]);
  } finally {
    await laptop.context.close();
    await phone.context.close();
    await elsewhere.context.close();
  }
});

test('ASVS 7.4.5: "sign out everywhere" needs a signed-in session and a CSRF token', async () => {
  const anonymous = await fetch(`${server.url}/account/sign-out-everywhere`, { redirect: 'manual' });
  assert.equal(anonymous.status, 303, 'sent to sign in');
  const forged = await fetch(`${server.url}/account/sign-out-everywhere`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: 'csrf=forged',
  });
  assert.equal(forged.status, 403);
});
