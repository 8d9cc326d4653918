// Step-up (cis2 §8.1, issue 3): a session at AAL2 (synced passkey) asked for AAL3 by another
// application signs in again with a security key in the same IdP session; the ID tokens before and
// after tell the truth about each ceremony, as an openid-client relying party reads them.
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
  securityKey,
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

test('cis2 §8.1 step-up: AAL2 passkey session → AAL3 security key in the same session; acr, amr, auth_time and levels follow', async () => {
  const person = await createTestPerson(server.db, server.sealer);
  const { context, page, callbacks } = await newBrowserPage(chromium);
  try {
    await addVirtualAuthenticator(context, page, syncedPasskey);
    assert.match(await registerWithLink(server, page, person.id, 'passkey'), /Passkey is set up/);

    const aal2 = await createRelyingParty(server, { minimumAal: 2 });
    const first = await aal2.authorizationRequest({ acr_values: 'AAL2_OR_AAL3_ANY', max_age: '3600' });
    await openSignIn(page, first);
    const firstCallback = await pressWebAuthn(page, callbacks);
    if (!firstCallback) assert.fail(await pageText(page));
    const before = await exchange(aal2, firstCallback, first, 3600);
    assert.equal(before['acr'], 'AAL2_OR_AAL3_ANY');
    assert.deepEqual(before['amr'], ['PASSKEY']);
    assert.equal(before['authentication_assurance_level'], '2');

    await addVirtualAuthenticator(context, page, securityKey);
    assert.match(await registerWithLink(server, page, person.id, 'security-key'), /Security key is set up/);

    await new Promise((resolve) => setTimeout(resolve, 1100)); // auth_time has one-second resolution
    const aal3 = await createRelyingParty(server, { minimumAal: 3 });
    // acr_values and max_age so the engine puts acr and auth_time in the ID token (see the report).
    const second = await aal3.authorizationRequest({ acr_values: 'AAL3_ANY', max_age: '3600' });
    await openSignIn(page, second);
    assert.match(await pageText(page), /You are signed in at AAL2 \(high confidence\)\. .* needs AAL3/);
    await page.fill('#webauthn-email', person.email);
    const secondCallback = await pressWebAuthn(page, callbacks);
    if (!secondCallback) assert.fail(await pageText(page));
    const after = await exchange(aal3, secondCallback, second, 3600);
    assert.equal(after.sub, person.id);
    assert.equal(after['acr'], 'AAL3_ANY');
    assert.deepEqual(after['amr'], ['FIDO2']);
    assert.equal(after['authentication_assurance_level'], '3');
    assert.ok(Number(after.auth_time) > Number(before.auth_time), 'auth_time is the new ceremony');

    // The first application again: single sign-on, and its token now reports the AAL3 ceremony.
    const third = await aal2.authorizationRequest({ acr_values: 'AAL2_OR_AAL3_ANY', max_age: '3600' });
    const count = callbacks.length;
    await page.goto(third.url.href).catch(() => undefined);
    assert.equal(callbacks.length, count + 1, 'no page: single sign-on');
    const again = await exchange(aal2, callbacks.at(-1)!, third, 3600);
    assert.equal(again['acr'], 'AAL2_OR_AAL3_ANY');
    assert.deepEqual(again['amr'], ['FIDO2']);
    assert.equal(again['authentication_assurance_level'], '3');
    assert.equal(again.auth_time, after.auth_time);
    assert.equal(again['sid'], before['sid'], 'the same IdP session (sid is per application)');
    const contexts = await server.db
      .selectFrom('sign_in_contexts')
      .select(['level', 'methods'])
      .where('person_id', '=', person.id)
      .execute();
    assert.deepEqual(
      contexts.map((c) => ({ ...c })),
      [{ level: 3, methods: '["FIDO2"]' }],
      'one session, now at AAL3',
    );
  } finally {
    await context.close();
  }
});
