// A synced passkey (internal, BE=1, BS=1) signs in at AAL2 and never reaches AAL3
// (NIST 800-63B-4 App. B; security-requirements §1.6, §6.3).
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { createTestPerson } from '../helpers/people.ts';
import { createRelyingParty } from '../helpers/relying-party.ts';
import {
  addVirtualAuthenticator,
  exchange,
  launchChromium,
  newBrowserPage,
  openSignIn,
  pageText,
  pressWebAuthn,
  registerWithLink,
  startWebAuthnServer,
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

test('800-63B-4 App. B: a synced passkey signs in at AAL2 (amr PASSKEY) and an AAL3-only application refuses it', async () => {
  const person = await createTestPerson(server.db, server.sealer);
  const { context, page, callbacks } = await newBrowserPage(chromium);
  try {
    await addVirtualAuthenticator(context, page, syncedPasskey);
    const heading = await registerWithLink(server, page, person.id, 'passkey', 'My phone');
    assert.match(heading, /Passkey is set up/);

    const rp = await createRelyingParty(server, { minimumAal: 2 });
    const request = await rp.authorizationRequest({ acr_values: 'AAL2_OR_AAL3_ANY' });
    await openSignIn(page, request);
    const callback = await pressWebAuthn(page, callbacks);
    if (!callback) assert.fail(`expected to return to the application: ${await pageText(page)}`);
    const claims = await exchange(rp, callback, request);
    assert.equal(claims.sub, person.id);
    assert.equal(claims['acr'], 'AAL2_OR_AAL3_ANY');
    assert.deepEqual(claims['amr'], ['PASSKEY']);
    assert.equal(claims['authentication_assurance_level'], '2');

    const aal3 = await createRelyingParty(server, { minimumAal: 3 });
    const aal3Request = await aal3.authorizationRequest();
    await openSignIn(page, aal3Request);
    assert.match(await pageText(page), /needs AAL3/, 'the page says why a new sign-in is needed');
    const refused = await pressWebAuthn(page, callbacks);
    assert.equal(refused, undefined, 'no authorization response');
    assert.match(await pageText(page), /You signed in with a passkey, which gives AAL2/);
    assert.match(await page.title(), /cannot sign in to this application/);
  } finally {
    await context.close();
  }
});

test('issue 3 (conditional UI): a discoverable passkey offered in the email field signs in without a username', async () => {
  const person = await createTestPerson(server.db, server.sealer);
  const { context, page, callbacks } = await newBrowserPage(chromium, { conditionalUi: true });
  try {
    await addVirtualAuthenticator(context, page, syncedPasskey);
    assert.match(await registerWithLink(server, page, person.id, 'passkey'), /Passkey is set up/);
    const rp = await createRelyingParty(server, { minimumAal: 2 });
    const request = await rp.authorizationRequest();
    // The virtual authenticator answers the autofill request as if the person picked their passkey.
    await openSignIn(page, request).catch(() => undefined);
    const deadline = Date.now() + 20_000;
    while (callbacks.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    const callback = callbacks.at(-1);
    if (!callback) assert.fail(await pageText(page));
    const claims = await exchange(rp, callback, request);
    assert.equal(claims.sub, person.id);
    assert.deepEqual(claims['amr'], ['PASSKEY']);
  } finally {
    await context.close();
  }
});
