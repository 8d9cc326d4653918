// Security keys: a roaming, user-verified key with `direct` attestation from an allow-listed model
// (a TEST-ONLY metadata statement for Chromium's virtual authenticator) signs in at AAL3; every
// WebAuthn check of security-requirements §6.1 refuses what it must, with a clear page.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { createTestPerson } from '../helpers/people.ts';
import { createRelyingParty, type TestRelyingParty } from '../helpers/relying-party.ts';
import { freePort, startTestServer } from '../helpers/test-server.ts';
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
  TEST_AAGUID_ALLOW_LIST,
  TEST_METADATA_STATEMENT,
  type VirtualAuthenticator,
  type WebAuthnTestServer,
} from './support.ts';

let server: WebAuthnTestServer;
let chromium: Browser;
let aal3: TestRelyingParty;
before(async () => {
  server = await startWebAuthnServer();
  chromium = await launchChromium();
  aal3 = await createRelyingParty(server, { minimumAal: 3 });
});
after(async () => {
  await chromium?.close();
  await server?.close();
});

/** A person with a registered security key, in a fresh browser holding the key. */
async function personWithSecurityKey() {
  const person = await createTestPerson(server.db, server.sealer);
  const browser = await newBrowserPage(chromium);
  const key = await addVirtualAuthenticator(browser.context, browser.page, securityKey);
  const heading = await registerWithLink(server, browser.page, person.id, 'security-key');
  assert.match(heading, /Security key is set up/);
  return { person, key, ...browser };
}

async function auditEvents(type: string, subject: string) {
  const rows = await server.db
    .selectFrom('audit_events')
    .select(['type', 'outcome', 'detail'])
    .where('type', '=', type)
    .where('subject', '=', subject)
    .orderBy('seq')
    .execute();
  return rows.map((row) => ({ ...row, detail: JSON.parse(row.detail) as Record<string, unknown> }));
}

async function refusedSignIn(page: Page, callbacks: URL[], hostname?: string) {
  // prompt=login: the browser may already hold a session that would answer without a page.
  const request = await aal3.authorizationRequest({ prompt: 'login' });
  await openSignIn(page, request, hostname);
  const callback = await pressWebAuthn(page, callbacks);
  assert.equal(callback, undefined, 'no authorization response');
  return pageText(page);
}

test('security-requirements §6.2: a security key (usb, UV, direct attestation, allow-listed AAGUID) signs in at AAL3 with amr FIDO2', async () => {
  const { person, context, page, callbacks } = await personWithSecurityKey();
  try {
    const request = await aal3.authorizationRequest({ acr_values: 'AAL3_FIDO2 AAL3_ANY' });
    await openSignIn(page, request);
    assert.doesNotMatch(
      await pageText(page),
      /Microsoft Authenticator/,
      'only methods that reach AAL3 are offered',
    );
    const callback = await pressWebAuthn(page, callbacks);
    if (!callback) assert.fail(await pageText(page));
    const claims = await exchange(aal3, callback, request);
    assert.equal(claims.sub, person.id);
    assert.equal(claims['acr'], 'AAL3_FIDO2');
    assert.deepEqual(claims['amr'], ['FIDO2']);
    assert.equal(claims['authentication_assurance_level'], '3');
    const [added] = await auditEvents('authenticator_added', person.id);
    assert.equal(added?.detail['kind'], 'security-key');
    assert.equal(added?.detail['attestation_trusted'], true);
  } finally {
    await context.close();
  }
});

test('security-requirements §6.1 (UV): a key without user verification is not registered', async () => {
  const person = await createTestPerson(server.db, server.sealer);
  const { context, page } = await newBrowserPage(chromium);
  try {
    await addVirtualAuthenticator(context, page, { transport: 'usb', hasUserVerification: false });
    await registerWithLink(server, page, person.id, 'security-key');
    assert.match(await pageText(page), /There is a problem/);
    const stored = await server.db
      .selectFrom('webauthn_credentials')
      .select('credential_id')
      .where('person_id', '=', person.id)
      .execute();
    assert.deepEqual(stored, [], 'nothing stored');
  } finally {
    await context.close();
  }
});

async function withOverride(key: VirtualAuthenticator, bits: Record<string, boolean>) {
  await key.cdp.send('WebAuthn.setResponseOverrideBits', { authenticatorId: key.authenticatorId, ...bits });
}

test('security-requirements §6.1 (UV): an assertion without the UV flag (isBadUV) is refused', async () => {
  const { person, key, context, page, callbacks } = await personWithSecurityKey();
  try {
    await withOverride(key, { isBadUV: true });
    assert.match(await refusedSignIn(page, callbacks), /could not be checked/);
    const failures = await auditEvents('sign_in', person.id);
    assert.equal(failures.at(-1)?.outcome, 'failure');
    assert.equal(failures.at(-1)?.detail['reason'], 'invalid');
  } finally {
    await context.close();
  }
});

test('security-requirements §6.1 (signature): a bogus signature (isBogusSignature) is refused', async () => {
  const { person, key, context, page, callbacks } = await personWithSecurityKey();
  try {
    await withOverride(key, { isBogusSignature: true });
    assert.match(await refusedSignIn(page, callbacks), /could not be checked/);
    assert.equal((await auditEvents('sign_in', person.id)).at(-1)?.detail['reason'], 'invalid');
  } finally {
    await context.close();
  }
});

test('security-requirements §6.1 (origin): a look-alike site on a sibling host name cannot use the key', async () => {
  const { context, page, callbacks } = await personWithSecurityKey();
  try {
    const text = await refusedSignIn(page, callbacks, 'wrong.localhost');
    assert.match(text, /not on Care Identity’s own address/);
  } finally {
    await context.close();
  }
});

test('security-requirements §6.1 (origin): an assertion whose origin the server does not expect is refused', async () => {
  const { person, context, page, callbacks } = await personWithSecurityKey();
  // A second node on the same store that expects only the first node's origin.
  const port = await freePort();
  const other = await startTestServer({
    db: server.db,
    port,
    config: {
      publicUrl: `http://localhost:${port}`,
      webauthn: {
        origins: [server.origin],
        metadataStatementFiles: [TEST_METADATA_STATEMENT],
        aaguidAllowListFile: TEST_AAGUID_ALLOW_LIST,
      },
    },
  });
  try {
    const rp = await createRelyingParty(other, { minimumAal: 3 });
    const request = await rp.authorizationRequest();
    await openSignIn(page, request);
    assert.equal(await pressWebAuthn(page, callbacks), undefined, 'no authorization response');
    assert.match(await pageText(page), /could not be checked/);
    const failure = (await auditEvents('sign_in', person.id)).at(-1);
    assert.equal(failure?.detail['reason'], 'invalid');
    assert.match(String(failure?.detail['error']), /origin/i);
  } finally {
    await context.close();
    await other.close();
  }
});

test('security-requirements §6.1 (challenge): a response replayed into a new sign-in is refused', async () => {
  const { context, page, callbacks } = await personWithSecurityKey();
  try {
    let captured: string | undefined;
    page.on('request', (request) => {
      if (request.method() === 'POST' && /\/webauthn$/.test(new URL(request.url()).pathname)) {
        captured = new URLSearchParams(request.postData() ?? '').get('response') ?? undefined;
      }
    });
    const request = await aal3.authorizationRequest();
    await openSignIn(page, request);
    assert.ok(await pressWebAuthn(page, callbacks), 'the first use succeeds');
    assert.ok(captured);

    const again = await aal3.authorizationRequest({ prompt: 'login' });
    await openSignIn(page, again);
    const before = callbacks.length;
    await Promise.all([
      page.waitForNavigation(),
      page.evaluate(
        `(() => {
          const form = document.getElementById('webauthn-form');
          form.elements.response.value = ${JSON.stringify(captured)};
          HTMLFormElement.prototype.submit.call(form);
        })()`,
      ),
    ]);
    assert.equal(callbacks.length, before, 'no authorization response');
    assert.match(await pageText(page), /expired or was already used/);
  } finally {
    await context.close();
  }
});

test('security-requirements §6.1 (signCount): a counter that goes back is refused, audited and the key suspended', async () => {
  const { person, key, context, page, callbacks } = await personWithSecurityKey();
  try {
    const request = await aal3.authorizationRequest();
    await openSignIn(page, request);
    assert.ok(await pressWebAuthn(page, callbacks), 'the genuine key signs in');

    // A clone of the key as it was at registration: same private key, older counter.
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
    const text = await refusedSignIn(page, callbacks);
    assert.match(text, /may have been copied/);
    const [alarm] = await auditEvents('webauthn_counter_regression', person.id);
    assert.equal(alarm?.outcome, 'refused');
    assert.equal(alarm?.detail['action'], 'authenticator suspended');
    const stored = await server.db
      .selectFrom('authenticators')
      .select('status')
      .where('person_id', '=', person.id)
      .where('kind', '=', 'webauthn')
      .executeTakeFirst();
    assert.equal(stored?.status, 'suspended');
  } finally {
    await context.close();
  }
});
