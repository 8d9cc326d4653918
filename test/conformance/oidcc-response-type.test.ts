// Response types and the authorization response: only `code` (contract §4); `token` and `id_token`
// are refused with unsupported_response_type; every authorization response, success or error,
// carries `iss` (RFC 9207, advertised in discovery).
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Browser } from '../helpers/browser.ts';
import { createTestPerson } from '../helpers/people.ts';
import { createRelyingParty } from '../helpers/relying-party.ts';
import { startTestServer, type TestServer } from '../helpers/test-server.ts';
import { callbackOf, signIn } from './support.ts';

let server: TestServer;
before(async () => {
  server = await startTestServer();
});
after(async () => {
  await server.close();
});

/** Response parameters from the query, or from the fragment for implicit-style response types. */
function responseParams(callback: URL): URLSearchParams {
  return callback.hash ? new URLSearchParams(callback.hash.slice(1)) : callback.searchParams;
}

for (const [module, responseType] of [
  ['fapi2-security-profile-final-ensure-response-type-token-fails', 'token'],
  ['oidcc-ensure-response-type-id-token-fails (implicit not offered)', 'id_token'],
  ['fapi2-security-profile-final-ensure-response-type-code-idtoken-fails', 'code id_token'],
] as const) {
  test(`${module}: response_type=${responseType} → unsupported_response_type, no token, with iss`, async () => {
    const rp = await createRelyingParty(server);
    const request = await rp.authorizationRequest({ response_type: responseType });
    const callback = callbackOf(await new Browser(rp.redirectUri).go(request.url.href));
    const params = responseParams(callback);
    assert.equal(params.get('error'), 'unsupported_response_type', callback.href);
    for (const leaked of ['code', 'access_token', 'id_token']) assert.equal(params.get(leaked), null);
    assert.equal(params.get('state'), request.state);
    assert.equal(params.get('iss'), server.issuer);
  });
}

test('oidcc-discovery (response_types_supported): only code is advertised, and iss is promised', async () => {
  const rp = await createRelyingParty(server);
  const metadata = rp.config.serverMetadata();
  assert.deepEqual(metadata.response_types_supported, ['code']);
  assert.equal(metadata.authorization_response_iss_parameter_supported, true);
});

test('RequireIssInAuthorizationResponse (RFC 9207): iss in a success response', async () => {
  const rp = await createRelyingParty(server);
  const person = await createTestPerson(server.db, server.sealer);
  const { callback, request } = await signIn(server, rp, person);
  assert.ok(callback.searchParams.get('code'));
  assert.equal(callback.searchParams.get('state'), request.state);
  assert.equal(callback.searchParams.get('iss'), server.issuer);
});

test('RequireIssInAuthorizationResponse (RFC 9207): iss in an error response', async () => {
  const rp = await createRelyingParty(server);
  const request = await rp.authorizationRequest({ prompt: 'none' });
  const callback = callbackOf(await new Browser(rp.redirectUri).go(request.url.href));
  assert.equal(callback.searchParams.get('error'), 'login_required');
  assert.equal(callback.searchParams.get('state'), request.state);
  assert.equal(callback.searchParams.get('iss'), server.issuer);
});

test('cis2 §4 (GET only): POST to the authorization endpoint is not offered, so session cookies stay SameSite=Lax', async () => {
  const rp = await createRelyingParty(server);
  const request = await rp.authorizationRequest();
  const response = await fetch(`${request.url.origin}${request.url.pathname}`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: request.url.searchParams.toString(),
    redirect: 'manual',
  });
  assert.ok(response.status >= 400 && response.status < 500, String(response.status));
});
