// Client authentication at the token endpoint (contract §3.2): every registered method works with a
// certified client library; a client assertion with the wrong audience, expired, signed by another
// key or replayed is refused with 401 invalid_client.
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { after, before, test } from 'node:test';
import * as client from 'openid-client';
import { createTestPerson } from '../helpers/people.ts';
import { createRelyingParty, type TestRelyingParty } from '../helpers/relying-party.ts';
import { startTestServer, type TestServer } from '../helpers/test-server.ts';
import { callbackOf, clientAssertion, JWT_BEARER, postToken, signIn, signInAndExchange } from './support.ts';

let server: TestServer;
before(async () => {
  server = await startTestServer();
});
after(async () => {
  await server.close();
});

for (const alg of ['RS256', 'RS512', 'PS256', 'ES256'] as const) {
  test(`oidcc-server (private_key_jwt, ${alg} client key): the code is exchanged and UserInfo answers`, async () => {
    const rp = await createRelyingParty(server, { auth: 'private_key_jwt', alg });
    const person = await createTestPerson(server.db, server.sealer);
    const { claims, tokens } = await signInAndExchange(server, rp, person);
    assert.equal(claims.sub, person.id);
    assert.equal(claims.aud, rp.clientId);
    const userinfo = await client.fetchUserInfo(rp.config, tokens.access_token, person.id);
    assert.equal(userinfo.sub, person.id);
  });
}

for (const auth of ['client_secret_post', 'client_secret_basic', 'client_secret_jwt'] as const) {
  test(`oidcc-server (${auth}): the code is exchanged`, async () => {
    const rp = await createRelyingParty(server, { auth });
    const person = await createTestPerson(server.db, server.sealer);
    const { claims } = await signInAndExchange(server, rp, person);
    assert.equal(claims.sub, person.id);
    assert.equal(claims.aud, rp.clientId);
  });
}

/**
 * A token request with a made-up code: client authentication runs first, so a good assertion gets
 * 400 invalid_grant (the code) and a bad one 401 invalid_client.
 */
async function tryAssertion(rp: TestRelyingParty, assertion: string) {
  return postToken(rp, {
    grant_type: 'authorization_code',
    code: 'not-a-real-code',
    redirect_uri: rp.redirectUri,
    code_verifier: 'v'.repeat(43),
    client_id: rp.clientId,
    client_assertion_type: JWT_BEARER,
    client_assertion: assertion,
  });
}

async function assertAccepted(rp: TestRelyingParty, assertion: string): Promise<void> {
  const response = await tryAssertion(rp, assertion);
  assert.equal(response.status, 400, JSON.stringify(response.body));
  assert.equal(response.body['error'], 'invalid_grant', 'authentication passed; only the code is wrong');
}

async function assertRefused(rp: TestRelyingParty, assertion: string): Promise<void> {
  const response = await tryAssertion(rp, assertion);
  assert.equal(response.status, 401, JSON.stringify(response.body));
  assert.equal(response.body['error'], 'invalid_client');
}

test('oidcc-ensure-client-assertion-with-iss-aud-succeeds: aud = issuer or token endpoint URL is accepted', async () => {
  const rp = await createRelyingParty(server, { alg: 'RS256' });
  await assertAccepted(rp, await clientAssertion(rp, { aud: server.issuer }));
  await assertAccepted(rp, await clientAssertion(rp, { aud: rp.config.serverMetadata().token_endpoint }));
});

test('fapi2-security-profile-final-ensure-client-assertion-with-wrong-aud-fails: 401 invalid_client', async () => {
  const rp = await createRelyingParty(server, { alg: 'RS256' });
  await assertRefused(rp, await clientAssertion(rp, { aud: 'https://other-idp.example.test/token' }));
});

test('fapi2-security-profile-final-ensure-client-assertion-with-no-sub-fails: 401 invalid_client', async () => {
  const rp = await createRelyingParty(server, { alg: 'RS256' });
  await assertRefused(rp, await clientAssertion(rp, { sub: undefined }));
});

test('cis2 §3.2 client assertion with sub other than the client_id: refused', async () => {
  const rp = await createRelyingParty(server, { alg: 'RS256' });
  const other = await createRelyingParty(server, { alg: 'RS256' });
  const response = await tryAssertion(rp, await clientAssertion(rp, { sub: other.clientId }));
  assert.ok(response.status === 400 || response.status === 401, JSON.stringify(response.body));
  assert.ok(['invalid_client', 'invalid_request'].includes(String(response.body['error'])));
});

test('fapi2-security-profile-final-ensure-client-assertion-with-exp-is-5-minutes-in-past-fails: 401 invalid_client', async () => {
  const rp = await createRelyingParty(server, { alg: 'RS256' });
  const now = Math.floor(Date.now() / 1000);
  await assertRefused(rp, await clientAssertion(rp, { iat: now - 360, exp: now - 300 }));
});

test('cis2 §3.2 client assertion exp too far ahead (over 10 minutes): 401 invalid_client', async () => {
  const rp = await createRelyingParty(server, { alg: 'RS256' });
  const now = Math.floor(Date.now() / 1000);
  await assertRefused(rp, await clientAssertion(rp, { exp: now + 3600 }));
});

test('cis2 §3.2 client assertion signed by another key (registered kid, wrong key): 401 invalid_client', async () => {
  for (const alg of ['RS256', 'ES256'] as const) {
    const rp = await createRelyingParty(server, { alg });
    const pair =
      alg === 'ES256'
        ? generateKeyPairSync('ec', { namedCurve: 'P-256' })
        : generateKeyPairSync('rsa', { modulusLength: 2048 });
    const impostor = { ...pair.privateKey.export({ format: 'jwk' }), kid: rp.privateJwk!.kid } as Record<
      string,
      unknown
    >;
    await assertRefused(rp, await clientAssertion(rp, {}, { jwk: impostor, alg }));
    await assertAccepted(rp, await clientAssertion(rp));
  }
});

test('cis2 §3.2 client assertion with another alg than registered (RS512 for an RS256 client): 401 invalid_client', async () => {
  const rp = await createRelyingParty(server, { alg: 'RS256' });
  await assertRefused(
    rp,
    await clientAssertion(rp, {}, { jwk: rp.privateJwk as Record<string, unknown>, alg: 'RS512' }),
  );
});

test('cis2 §3.2 client assertion replayed (same jti twice): the second use is refused with invalid_client', async () => {
  const rp = await createRelyingParty(server, { alg: 'RS256' });
  const person = await createTestPerson(server.db, server.sealer);
  const first = await signIn(server, rp, person);
  const assertion = await clientAssertion(rp);
  const exchangeWith = (callback: URL, verifier: string) =>
    postToken(rp, {
      grant_type: 'authorization_code',
      code: callback.searchParams.get('code')!,
      redirect_uri: rp.redirectUri,
      code_verifier: verifier,
      client_id: rp.clientId,
      client_assertion_type: JWT_BEARER,
      client_assertion: assertion,
    });
  const ok = await exchangeWith(first.callback, first.request.verifier);
  assert.equal(ok.status, 200, JSON.stringify(ok.body));

  // A second, valid code from the same session (no new sign-in needed), with the same assertion.
  const again = await rp.authorizationRequest({ prompt: 'none' });
  const callback = callbackOf(await first.browser.go(again.url.href));
  const replayed = await exchangeWith(callback, again.verifier);
  assert.equal(replayed.status, 401, JSON.stringify(replayed.body));
  assert.equal(replayed.body['error'], 'invalid_client');
  // The same code with a fresh assertion still works: only the replay was refused.
  const fresh = await postToken(rp, {
    grant_type: 'authorization_code',
    code: callback.searchParams.get('code')!,
    redirect_uri: rp.redirectUri,
    code_verifier: again.verifier,
    client_id: rp.clientId,
    client_assertion_type: JWT_BEARER,
    client_assertion: await clientAssertion(rp),
  });
  assert.equal(fresh.status, 200, JSON.stringify(fresh.body));
});

test('cis2 §3.2 client secret: a wrong secret is refused with 401 invalid_client', async () => {
  const rp = await createRelyingParty(server, { auth: 'client_secret_post' });
  const response = await postToken(rp, {
    grant_type: 'authorization_code',
    code: 'not-a-real-code',
    redirect_uri: rp.redirectUri,
    client_id: rp.clientId,
    client_secret: `${rp.clientSecret}x`,
  });
  assert.equal(response.status, 401);
  assert.equal(response.body['error'], 'invalid_client');
});
