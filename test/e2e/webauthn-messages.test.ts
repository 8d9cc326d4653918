// Clear messages (issue 3 §4): a key not allowed for AAL3, a browser without WebAuthn, a ceremony
// that is cancelled or finds no key. The server here trusts no model: the default configuration.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { createTestPerson } from '../helpers/people.ts';
import { createRelyingParty } from '../helpers/relying-party.ts';
import {
  addVirtualAuthenticator,
  launchChromium,
  newBrowserPage,
  openSignIn,
  pageText,
  pressAndSettle,
  registerWithLink,
  securityKey,
  startWebAuthnServer,
  type WebAuthnTestServer,
} from './support.ts';

let server: WebAuthnTestServer;
let chromium: Browser;
before(async () => {
  server = await startWebAuthnServer({ trustVirtualAuthenticator: false, challengeTtl: 3 });
  chromium = await launchChromium();
});
after(async () => {
  await chromium?.close();
  await server?.close();
});

test('issue 3: a security key whose model is not allowed for AAL3 is not set up, and the page says why', async () => {
  const person = await createTestPerson(server.db, server.sealer);
  const { context, page } = await newBrowserPage(chromium);
  try {
    await addVirtualAuthenticator(context, page, securityKey);
    await registerWithLink(server, page, person.id, 'security-key');
    assert.match(await pageText(page), /not one your organisation allows for very high confidence \(AAL3\)/);
    const stored = await server.db
      .selectFrom('webauthn_credentials')
      .selectAll()
      .where('person_id', '=', person.id)
      .execute();
    assert.equal(stored.length, 0);
  } finally {
    await context.close();
  }
});

test('issue 3: a browser without WebAuthn is told so on the sign-in page', async () => {
  const { context, page } = await newBrowserPage(chromium);
  try {
    // As an old browser: no WebAuthn API at all.
    await context.addInitScript('delete window.PublicKeyCredential;');
    const rp = await createRelyingParty(server, { minimumAal: 2 });
    await openSignIn(page, await rp.authorizationRequest());
    assert.equal(await pressAndSettle(page, '#webauthn-start'), 'error');
    assert.match(await pageText(page), /This browser cannot use passkeys or security keys/);
  } finally {
    await context.close();
  }
});

test('issue 3: when no key answers (cancelled or none registered) the page says what to do', async () => {
  const { context, page } = await newBrowserPage(chromium);
  try {
    await addVirtualAuthenticator(context, page, securityKey); // holds no credential for this site
    const rp = await createRelyingParty(server, { minimumAal: 2 });
    await openSignIn(page, await rp.authorizationRequest());
    await page.fill('#email', 'nobody@example.nhs.uk');
    assert.equal(await pressAndSettle(page, '#webauthn-start'), 'error');
    assert.match(
      await pageText(page),
      /cancelled or timed out, or no passkey or security key .* ask your Registration Authority/,
    );
  } finally {
    await context.close();
  }
});
