// Nonce (OIDC Core §3.1.2.1, §3.1.3.7): optional for the code flow, echoed unchanged in the ID
// token when sent, absent when not.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Browser } from '../helpers/browser.ts';
import { createTestPerson } from '../helpers/people.ts';
import { createRelyingParty } from '../helpers/relying-party.ts';
import { startTestServer, type TestServer } from '../helpers/test-server.ts';
import { exchange, signIn, signInAt, without } from './support.ts';

let server: TestServer;
before(async () => {
  server = await startTestServer();
});
after(async () => {
  await server.close();
});

test('oidcc-ensure-request-without-nonce-succeeds-for-code-flow: no nonce, a valid ID token without nonce', async () => {
  const rp = await createRelyingParty(server);
  const person = await createTestPerson(server.db, server.sealer);
  const request = await rp.authorizationRequest();
  const browser = new Browser(rp.redirectUri);
  const url = without(request.url, 'nonce');
  const callback = await signInAt(server, browser, url, person);
  // openid-client, given no expected nonce, also checks that the ID token carries none.
  const tokens = await exchange(rp, callback, request, { nonce: undefined });
  const claims = tokens.claims()!;
  assert.equal(claims.sub, person.id);
  assert.equal(claims.nonce, undefined);
});

test('oidcc-server (ValidateIdTokenNonce): the nonce is echoed unchanged in the ID token', async () => {
  const rp = await createRelyingParty(server);
  const person = await createTestPerson(server.db, server.sealer);
  const nonce = `n-${'x'.repeat(40)}-${Date.now()}`;
  const { callback, request } = await signIn(server, rp, person, { nonce });
  assert.equal(request.url.searchParams.get('nonce'), nonce);
  const claims = (await exchange(rp, callback, request, { nonce })).claims()!;
  assert.equal(claims.nonce, nonce);
});
