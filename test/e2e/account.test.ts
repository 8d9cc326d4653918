// The account area (issue 3 §4): the signed-in person lists, names, adds and removes their own
// authenticators; /account signs in through Care Identity's own OpenID flow, and registering needs
// a session at the highest level the account holds (NIST 800-63B-4 §4.1.2.1), so it steps up.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { createTestPerson } from '../helpers/people.ts';
import {
  addVirtualAuthenticator,
  launchChromium,
  newBrowserPage,
  pageText,
  pressAndSettle,
  securityKey,
  startWebAuthnServer,
  submitPasswordTotp,
  syncedPasskey,
  type WebAuthnTestServer,
} from './support.ts';

let server: WebAuthnTestServer;
let chromium: Browser;
before(async () => {
  server = await startWebAuthnServer();
  chromium = await launchChromium();
});
after(async () => {
  await chromium?.close();
  await server?.close();
});

async function rows(page: Page): Promise<string[]> {
  return (await page.locator('#authenticators tbody tr').allTextContents()).map((t) =>
    t.replace(/\s+/g, ' ').trim(),
  );
}

async function addThroughAccount(page: Page, intent: string, label: string): Promise<string> {
  await page.goto(`${server.origin}/account/add/${intent}`);
  await page.fill('#label', label);
  await pressAndSettle(page, '#webauthn-start');
  return (await page.locator('h1').first().textContent())?.trim() ?? '';
}

test('issue 3 §4: a person signs in to /account, adds a passkey and a security key, steps up to AAL3 to add more, renames, removes with a warning and signs out', async () => {
  const person = await createTestPerson(server.db, server.sealer);
  const { context, page } = await newBrowserPage(chromium);
  try {
    await page.goto(`${server.origin}/account`);
    assert.match(page.url(), /\/interaction\//, 'signed in through the IdP');
    await submitPasswordTotp(page, person);
    assert.equal(new URL(page.url()).pathname, '/account');
    assert.match(await pageText(page), /at AAL2 \(high confidence\)/);
    assert.deepEqual((await rows(page)).length, 1);
    assert.match((await rows(page))[0]!, /Microsoft Authenticator .*AAL2/);

    await addVirtualAuthenticator(context, page, syncedPasskey);
    assert.match(await addThroughAccount(page, 'passkey', 'My phone'), /Passkey is set up/);
    await addVirtualAuthenticator(context, page, securityKey);
    assert.match(await addThroughAccount(page, 'security-key', 'Blue key'), /Security key is set up/);
    await page.goto(`${server.origin}/account`);
    const listed = await rows(page);
    assert.equal(listed.length, 3);
    assert.ok(
      listed.some((r) => /My phone Passkey AAL2/.test(r)),
      listed.join('\n'),
    );
    assert.ok(
      listed.some((r) => /Blue key Security key AAL3/.test(r)),
      listed.join('\n'),
    );

    // The account now holds AAL3: binding another authenticator needs an AAL3 session.
    await page.goto(`${server.origin}/account/add/passkey`);
    assert.match(page.url(), /\/interaction\//, 'sent to sign in again');
    assert.match(await pageText(page), /needs AAL3/);
    await page.fill('#webauthn-email', person.email);
    await pressAndSettle(page, '#webauthn-start');
    await page.waitForURL(/\/account\/add\/passkey$/);
    assert.match(await pageText(page), /Set up a passkey/);
    await page.goto(`${server.origin}/account`);
    assert.match(await pageText(page), /at AAL3 \(very high confidence\)/);

    // Rename.
    const passkeyRow = page.locator('#authenticators tbody tr', { hasText: 'My phone' });
    await Promise.all([page.waitForURL(/\/rename$/), passkeyRow.getByText('Change name').click()]);
    await page.fill('#name', 'Work phone');
    await Promise.all([page.waitForURL(/\/account$/), page.click('button:has-text("Save")')]);
    assert.ok((await rows(page)).some((r) => /Work phone Passkey/.test(r)));

    // Removing the only AAL3 authenticator warns and asks for confirmation.
    const keyRow = page.locator('#authenticators tbody tr', { hasText: 'Blue key' });
    await Promise.all([page.waitForURL(/\/remove$/), keyRow.getByText('Remove').click()]);
    assert.match(await pageText(page), /This is your last authenticator at AAL3/);
    await page.click('button:has-text("Remove")');
    assert.match(await pageText(page), /Confirm that you understand/);
    await page.check('#confirm');
    await Promise.all([page.waitForURL(/\/account$/), page.click('button:has-text("Remove")')]);
    assert.ok(!(await rows(page)).some((r) => /Blue key/.test(r)));
    const removed = await server.db
      .selectFrom('audit_events')
      .select('type')
      .where('subject', '=', person.id)
      .where('type', '=', 'authenticator_removed')
      .execute();
    assert.equal(removed.length, 1);

    // Signing out ends the account session and, after the IdP asks, the IdP session too.
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForLoadState('load');
    assert.match(await pageText(page), /Do you want to sign out\?/);
    await Promise.all([
      page.waitForURL(/\/account\/signed-out$/),
      page.click('button[name="logout"][value="yes"]'),
    ]);
    await page.goto(`${server.origin}/account`);
    assert.match(page.url(), /\/interaction\//, 'a new sign-in is needed');
  } finally {
    await context.close();
  }
});

test('issue 3 §4: /account pages need a sign-in and their forms a CSRF token', async () => {
  const response = await fetch(`${server.origin}/account`, { redirect: 'manual' });
  assert.equal(response.status, 303);
  assert.match(response.headers.get('location') ?? '', /\/authorize\?/);
  assert.match(response.headers.get('set-cookie') ?? '', /care_account=/);
  const post = await fetch(`${server.origin}/account/sign-out`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: 'csrf=forged',
  });
  assert.equal(post.status, 403);
});
