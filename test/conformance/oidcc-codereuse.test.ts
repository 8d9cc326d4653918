// Authorization codes: single use (a replay revokes what the code issued, RFC 6749 §4.1.2), short
// lived, and bound to the client they were issued to.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import * as client from 'openid-client';
import { createTestPerson } from '../helpers/people.ts';
import { createRelyingParty } from '../helpers/relying-party.ts';
import { startTestServer, type TestServer } from '../helpers/test-server.ts';
import { exchange, rejectsWithOAuthError, signIn, sleep, userinfoStatus } from './support.ts';

let server: TestServer;
before(async () => {
  server = await startTestServer();
});
after(async () => {
  await server.close();
});

async function assertRevoked(
  rp: Awaited<ReturnType<typeof createRelyingParty>>,
  tokens: client.TokenEndpointResponse,
) {
  const userinfo = await userinfoStatus(rp, tokens.access_token);
  assert.equal(userinfo.status, 401, 'the access token from the first exchange must stop working');
  assert.match(userinfo.headers.get('www-authenticate') ?? '', /invalid_token/);
  assert.ok(tokens.refresh_token, 'this client is issued refresh tokens');
  await rejectsWithOAuthError(client.refreshTokenGrant(rp.config, tokens.refresh_token), 'invalid_grant');
}

test('oidcc-codereuse: a code used twice is refused with invalid_grant and its tokens are revoked', async () => {
  const rp = await createRelyingParty(server);
  const person = await createTestPerson(server.db, server.sealer);
  const { callback, request } = await signIn(server, rp, person);
  const tokens = await exchange(rp, callback, request);
  assert.equal((await userinfoStatus(rp, tokens.access_token)).status, 200);
  await rejectsWithOAuthError(exchange(rp, callback, request), 'invalid_grant');
  await assertRevoked(rp, tokens);
});

test('oidcc-codereuse-30seconds: a code used again after 30 s is refused and its tokens are revoked', async () => {
  const rp = await createRelyingParty(server);
  const person = await createTestPerson(server.db, server.sealer);
  const { callback, request } = await signIn(server, rp, person);
  const tokens = await exchange(rp, callback, request);
  await sleep(30_500);
  assert.equal((await userinfoStatus(rp, tokens.access_token)).status, 200, 'still valid before the replay');
  await rejectsWithOAuthError(exchange(rp, callback, request), 'invalid_grant');
  await assertRevoked(rp, tokens);
});

test('fapi2-security-profile-final-ensure-token-endpoint-fails-with-expired-auth-code: an expired code is refused', async () => {
  const shortLived = await startTestServer({ config: { tokens: { authorizationCodeTtl: 1 } } });
  try {
    const rp = await createRelyingParty(shortLived);
    const person = await createTestPerson(shortLived.db, shortLived.sealer);
    const { callback, request } = await signIn(shortLived, rp, person);
    await sleep(2_000);
    await rejectsWithOAuthError(exchange(rp, callback, request), 'invalid_grant');
  } finally {
    await shortLived.close();
  }
});

test('fapi2-security-profile-final-ensure-authorization-code-is-bound-to-client: another client cannot redeem the code', async () => {
  const rp = await createRelyingParty(server);
  const other = await createRelyingParty(server, { auth: 'client_secret_post' });
  const person = await createTestPerson(server.db, server.sealer);
  const { callback, request } = await signIn(server, rp, person);
  // The other client authenticates correctly as itself and presents the first client's code,
  // redirect URI and PKCE verifier.
  await rejectsWithOAuthError(
    client.authorizationCodeGrant(other.config, callback, {
      pkceCodeVerifier: request.verifier,
      expectedState: request.state,
    }),
    'invalid_grant',
  );
});
