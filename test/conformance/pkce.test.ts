// PKCE (RFC 7636, RFC 9700 §2.1.1): S256 required unless a client is registered with the CIS2
// compatibility switch off; plain refused; the verifier must match, and cannot be sent for a code
// that had no challenge (downgrade). Module names follow the FAPI 2.0 plan, whose PKCE modules run
// through PAR; here the same checks run on the front-channel request.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import * as client from 'openid-client';
import { Browser } from '../helpers/browser.ts';
import { createTestPerson } from '../helpers/people.ts';
import { createRelyingParty } from '../helpers/relying-party.ts';
import { startTestServer, type TestServer } from '../helpers/test-server.ts';
import { callbackOf, exchange, rejectsWithOAuthError, signIn, signInAt, without } from './support.ts';

let server: TestServer;
before(async () => {
  server = await startTestServer();
});
after(async () => {
  await server.close();
});

function assertErrorResponse(callback: URL, state: string, error: string, description?: RegExp): void {
  assert.equal(callback.searchParams.get('error'), error, callback.href);
  if (description) assert.match(callback.searchParams.get('error_description') ?? '', description);
  assert.equal(callback.searchParams.get('code'), null);
  assert.equal(callback.searchParams.get('state'), state);
  assert.equal(callback.searchParams.get('iss'), server.issuer);
}

test('oidcc-ensure-request-with-valid-pkce-succeeds: S256 PKCE completes the flow', async () => {
  const rp = await createRelyingParty(server);
  const person = await createTestPerson(server.db, server.sealer);
  const { callback, request } = await signIn(server, rp, person);
  assert.equal(request.url.searchParams.get('code_challenge_method'), 'S256');
  const tokens = await exchange(rp, callback, request);
  assert.equal(tokens.claims()!.sub, person.id);
});

test('fapi2-security-profile-final-par-ensure-pkce-required: no code_challenge → invalid_request to the redirect URI', async () => {
  const rp = await createRelyingParty(server);
  const request = await rp.authorizationRequest();
  const browser = new Browser(rp.redirectUri);
  const landing = await browser.go(without(request.url, 'code_challenge', 'code_challenge_method').href);
  assertErrorResponse(callbackOf(landing), request.state, 'invalid_request', /PKCE/);
});

test('fapi2-security-profile-final-par-plain-pkce-rejected: code_challenge_method=plain → invalid_request', async () => {
  const rp = await createRelyingParty(server);
  const verifier = client.randomPKCECodeVerifier();
  const request = await rp.authorizationRequest({ code_challenge: verifier, code_challenge_method: 'plain' });
  const landing = await new Browser(rp.redirectUri).go(request.url.href);
  assertErrorResponse(callbackOf(landing), request.state, 'invalid_request', /code_challenge_method/);
});

test('fapi2-security-profile-final-incorrect-pkce-code-verifier-rejected: a wrong code_verifier → invalid_grant', async () => {
  const rp = await createRelyingParty(server);
  const person = await createTestPerson(server.db, server.sealer);
  const { callback, request } = await signIn(server, rp, person);
  await rejectsWithOAuthError(
    exchange(rp, callback, request, { verifier: client.randomPKCECodeVerifier() }),
    'invalid_grant',
  );
});

test('fapi2-security-profile-final-ensure-pkce-code-verifier-required: no code_verifier for a PKCE code → invalid_grant', async () => {
  const rp = await createRelyingParty(server);
  const person = await createTestPerson(server.db, server.sealer);
  const { callback, request } = await signIn(server, rp, person);
  await rejectsWithOAuthError(exchange(rp, callback, request, { verifier: undefined }), 'invalid_grant');
});

test('pkce downgrade (RFC 9700 §2.1.1): a code_verifier for a code issued without a challenge → invalid_grant', async () => {
  const rp = await createRelyingParty(server, { pkceRequired: false });
  const person = await createTestPerson(server.db, server.sealer);
  const request = await rp.authorizationRequest();
  const browser = new Browser(rp.redirectUri);
  const url = without(request.url, 'code_challenge', 'code_challenge_method');
  const callback = await signInAt(server, browser, url, person);
  await rejectsWithOAuthError(exchange(rp, callback, request), 'invalid_grant');
});

test('cis2 pkce_required=false: a client registered with the compatibility switch off signs in without PKCE', async () => {
  const rp = await createRelyingParty(server, { pkceRequired: false });
  const person = await createTestPerson(server.db, server.sealer);
  const request = await rp.authorizationRequest();
  const browser = new Browser(rp.redirectUri);
  const url = without(request.url, 'code_challenge', 'code_challenge_method');
  const callback = await signInAt(server, browser, url, person);
  const tokens = await exchange(rp, callback, request, { verifier: undefined });
  assert.equal(tokens.claims()!.sub, person.id);
});

test('cis2 pkce_required=false: the switch does not allow plain, and S256 is still checked when sent', async () => {
  const rp = await createRelyingParty(server, { pkceRequired: false });
  const person = await createTestPerson(server.db, server.sealer);
  const plain = await rp.authorizationRequest({
    code_challenge: client.randomPKCECodeVerifier(),
    code_challenge_method: 'plain',
  });
  assertErrorResponse(
    callbackOf(await new Browser(rp.redirectUri).go(plain.url.href)),
    plain.state,
    'invalid_request',
    /code_challenge_method/,
  );
  const { callback, request } = await signIn(server, rp, person);
  await rejectsWithOAuthError(
    exchange(rp, callback, request, { verifier: client.randomPKCECodeVerifier() }),
    'invalid_grant',
  );
});
