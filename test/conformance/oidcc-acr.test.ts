// acr_values (OIDC Core §3.1.2.1, §5.5.1.1) and the CIS2 rules (contract §8): the ID token's acr is
// the first requested class the sign-in satisfies, amr names the method, unknown classes are
// ignored, and a client or request that needs AAL3 is refused before Microsoft Authenticator (AAL2)
// is even offered: no code is ever issued for it.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Browser, csrfToken, formAction } from '../helpers/browser.ts';
import { createTestPerson, nextCode } from '../helpers/people.ts';
import { createRelyingParty, type TestRelyingParty } from '../helpers/relying-party.ts';
import { startTestServer, type TestServer } from '../helpers/test-server.ts';
import {
  callbackOf,
  exchange,
  isSignInForm,
  offersSignIn,
  pageOf,
  pageTitle,
  signInAndExchange,
} from './support.ts';

let server: TestServer;
let aal2Client: TestRelyingParty;
before(async () => {
  server = await startTestServer();
  aal2Client = await createRelyingParty(server, { minimumAal: 2 });
});
after(async () => {
  await server.close();
});

async function acrFor(acrValues: string | undefined, rp: TestRelyingParty = aal2Client) {
  const person = await createTestPerson(server.db, server.sealer);
  const { claims } = await signInAndExchange(server, rp, person, acrValues ? { acr_values: acrValues } : {});
  return claims;
}

test('oidcc-ensure-request-with-acr-values-succeeds: acr_values=AAL2_OR_AAL3_ANY → acr AAL2_OR_AAL3_ANY', async () => {
  const claims = await acrFor('AAL2_OR_AAL3_ANY');
  assert.equal(claims['acr'], 'AAL2_OR_AAL3_ANY');
  assert.deepEqual(claims['amr'], ['TOTP']);
  assert.equal(claims['authentication_assurance_level'], '2');
});

test('oidcc-ensure-request-with-acr-values-succeeds (cis2 §8.2): the first satisfiable class is returned', async () => {
  const claims = await acrFor('AAL3_ANY AAL2_OR_AAL3_ANY');
  assert.equal(claims['acr'], 'AAL2_OR_AAL3_ANY');
  assert.deepEqual(claims['amr'], ['TOTP']);
  assert.equal(claims['authentication_assurance_level'], '2');
});

test('oidcc-ensure-request-with-acr-values-succeeds (cis2 §8.2): AAL2_TOTP → acr AAL2_TOTP, amr ["TOTP"]', async () => {
  const claims = await acrFor('AAL2_TOTP');
  assert.equal(claims['acr'], 'AAL2_TOTP');
  assert.deepEqual(claims['amr'], ['TOTP']);
});

test('oidcc-ensure-request-with-acr-values-succeeds (cis2 §8.2): unknown classes are ignored', async () => {
  assert.equal((await acrFor('NOT_A_CIS2_CLASS'))['acr'], 'AAL2_OR_AAL3_ANY', 'the client default');
  assert.equal((await acrFor('NOT_A_CIS2_CLASS AAL2_TOTP'))['acr'], 'AAL2_TOTP');
});

test('cis2 §7.1/§8.2: without acr_values the ID token carries the client default acr and auth_time', async () => {
  const claims = await acrFor(undefined);
  assert.equal(claims['acr'], 'AAL2_OR_AAL3_ANY');
  assert.equal(typeof claims['auth_time'], 'number');
});

/**
 * The request must end on a page that does not offer Microsoft Authenticator (when no other way
 * can meet the level, a page that says so); asking for it by name, or posting valid credentials
 * to the sign-in form's address, is refused too; cancelling returns to the application without a
 * code. The browser never reaches the redirect URI with a code.
 */
async function assertRefusedWithoutCode(rp: TestRelyingParty, browser: Browser, url: URL): Promise<void> {
  const person = await createTestPerson(server.db, server.sealer);
  const landing = await browser.go(url.href);
  const page = pageOf(landing);
  assert.ok(!offersSignIn(landing), 'Microsoft Authenticator must not be offered');
  if (!formAction(page.html, '/choose')) {
    // Nothing else to offer either: the refusal page.
    assert.equal(page.status, 403);
    assert.match(pageTitle(page), /cannot sign in to this application/);
    assert.match(page.html, /needs an authenticator at AAL3/);
  }

  const uid = /\/interaction\/([^/?#]+)/.exec(page.url)?.[1];
  assert.ok(uid, `the page is shown inside the interaction (${page.url})`);
  const byName = await browser.go(new URL(`/interaction/${uid}?method=password-totp`, server.url).href);
  assert.ok(!isSignInForm(byName), 'asking for Microsoft Authenticator by name does not bring its form');

  const posted = await browser.go(new URL(`/interaction/${uid}/password-totp`, server.url).href, {
    form: {
      csrf: csrfToken(page.html),
      email: person.email,
      password: person.password,
      code: await nextCode(person),
    },
  });
  const refused = pageOf(posted);
  assert.ok(
    refused.status >= 400 && refused.status < 500,
    `posting credentials is refused (${refused.status})`,
  );
  assert.match(pageTitle(refused), /cannot sign in to this application/);

  const callback = callbackOf(
    await browser.go(new URL(`/interaction/${uid}/abort`, server.url).href, {
      form: { csrf: csrfToken(refused.html) },
    }),
  );
  assert.equal(callback.searchParams.get('code'), null);
  assert.equal(callback.searchParams.get('error'), 'access_denied');
  assert.equal(callback.origin + callback.pathname, rp.redirectUri);
}

test('cis2 §8.4: an AAL3-only client refuses Microsoft Authenticator with a clear page, no code', async () => {
  const rp = await createRelyingParty(server, { minimumAal: 3 });
  const request = await rp.authorizationRequest();
  await assertRefusedWithoutCode(rp, new Browser(rp.redirectUri), request.url);
});

test('cis2 §8.4: acr_values=AAL3_ANY on an AAL2 client is refused the same way, no code', async () => {
  const request = await aal2Client.authorizationRequest({ acr_values: 'AAL3_ANY' });
  // The page names the level the request needs (AAL3), not the client's registered minimum.
  await assertRefusedWithoutCode(aal2Client, new Browser(aal2Client.redirectUri), request.url);
});

test('oidcc-ensure-request-with-acr-values-succeeds (SSO): another client gets its own acr without a new sign-in', async () => {
  const person = await createTestPerson(server.db, server.sealer);
  const first = await signInAndExchange(server, aal2Client, person, {
    acr_values: 'AAL2_OR_AAL3_ANY',
    max_age: '300',
  });
  assert.equal(first.claims['acr'], 'AAL2_OR_AAL3_ANY');

  const other = await createRelyingParty(server, { minimumAal: 2 });
  const browser = new Browser(other.redirectUri, first.browser.cookies);
  const request = await other.authorizationRequest({ acr_values: 'AAL2_TOTP', max_age: '300' });
  const landing = await browser.go(request.url.href);
  const callback = callbackOf(landing); // no page at all: single sign-on
  const claims = (await exchange(other, callback, request)).claims()!;
  assert.equal(claims.sub, person.id);
  assert.equal(claims['acr'], 'AAL2_TOTP');
  assert.deepEqual(claims['amr'], ['TOTP']);
  assert.equal(claims['authentication_assurance_level'], '2');
  assert.equal(claims.auth_time, first.claims.auth_time, 'the same ceremony');
  assert.equal(claims.aud, other.clientId);
});

test('cis2 §8.1 (SSO): an AAL2 session does not satisfy an AAL3-only client', async () => {
  const person = await createTestPerson(server.db, server.sealer);
  const first = await signInAndExchange(server, aal2Client, person);
  assert.equal(first.claims['authentication_assurance_level'], '2');
  const aal3 = await createRelyingParty(server, { minimumAal: 3 });
  const request = await aal3.authorizationRequest();
  await assertRefusedWithoutCode(aal3, new Browser(aal3.redirectUri, first.browser.cookies), request.url);
});
