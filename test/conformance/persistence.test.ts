// Persistence and multi-node operation, which no OpenID conformance module covers: sessions and
// codes live in the shared store, so a restarted node carries on where the last one stopped, and
// two nodes behind one public URL on one PostgreSQL database serve one another's sessions, codes
// and tokens.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as client from 'openid-client';
import { Browser } from '../helpers/browser.ts';
import {
  createTestDatabase,
  type DatabaseKind,
  databaseKinds,
  POSTGRES_SKIP_MESSAGE,
  postgresUrl,
} from '../helpers/databases.ts';
import { createTestPerson } from '../helpers/people.ts';
import { createRelyingParty, type TestRelyingParty } from '../helpers/relying-party.ts';
import { startTestServer, type TestServer } from '../helpers/test-server.ts';
import { callbackOf, exchange, pageOf, rejectsWithOAuthError, signIn, userinfoStatus } from './support.ts';

/** The same URL at another node: same path and query, that node's origin. */
function at(node: TestServer, url: string | URL): URL {
  const moved = new URL(url);
  const origin = new URL(node.url);
  moved.protocol = origin.protocol;
  moved.host = origin.host;
  return moved;
}

/** The relying party's configuration with every endpoint at another node (same issuer). */
function configAt(node: TestServer, rp: TestRelyingParty): client.Configuration {
  const metadata = { ...rp.config.serverMetadata() };
  for (const key of ['authorization_endpoint', 'token_endpoint', 'userinfo_endpoint', 'jwks_uri'] as const) {
    metadata[key] = at(node, metadata[key]!).href;
  }
  const config = new client.Configuration(
    metadata,
    rp.clientId,
    {},
    client.ClientSecretPost(rp.clientSecret!),
  );
  client.allowInsecureRequests(config);
  return config;
}

for (const kind of databaseKinds) {
  test(`persistence [${kind}]: a session and a code outlive a restart of the node`, async () => {
    const database = await createTestDatabase(kind as DatabaseKind);
    let a: TestServer | undefined;
    let b: TestServer | undefined;
    try {
      a = await startTestServer({ db: database.db });
      const rp = await createRelyingParty(a);
      const person = await createTestPerson(a.db, a.sealer);
      const { browser, callback, request } = await signIn(a, rp, person, { acr_values: 'AAL2_TOTP' });
      const port = Number(new URL(a.url).port);
      await a.close();
      a = undefined;

      // Same database, same cookie keys, same address: the restarted node.
      b = await startTestServer({ db: database.db, port });
      assert.equal(b.issuer, rp.config.serverMetadata().issuer);
      const tokens = await exchange(rp, callback, request);
      assert.equal(tokens.claims()!.sub, person.id);
      assert.equal(tokens.claims()!['acr'], 'AAL2_TOTP');

      const silent = await rp.authorizationRequest({ prompt: 'none', acr_values: 'AAL2_TOTP' });
      const silentCallback = callbackOf(await browser.go(silent.url.href));
      assert.equal(silentCallback.searchParams.get('error'), null, silentCallback.href);
      const again = (await exchange(rp, silentCallback, silent)).claims()!;
      assert.equal(again.sub, person.id);
      assert.equal(again['authentication_assurance_level'], '2', 'the level recorded before the restart');
      assert.equal(again['sid'], tokens.claims()!['sid'], 'the same IdP session');
    } finally {
      await a?.close();
      await b?.close();
      await database.close();
    }
  });
}

if (postgresUrl) {
  test('persistence [postgres]: two nodes on one database serve each other’s sessions, codes and tokens', async () => {
    const database = await createTestDatabase('postgres');
    let a: TestServer | undefined;
    let b: TestServer | undefined;
    try {
      a = await startTestServer({ db: database.db });
      // The second node: the same configuration (public URL, issuer, secrets), another listen port.
      b = await startTestServer({ db: database.db, config: { publicUrl: a.config.publicUrl } });
      assert.notEqual(a.url, b.url);
      assert.equal(b.issuer, a.issuer);

      const rp = await createRelyingParty(a, { auth: 'client_secret_post' });
      const viaB = configAt(b, rp);
      const person = await createTestPerson(a.db, a.sealer);

      // Sign in through A; exchange the code at B.
      const { browser, callback, request } = await signIn(a, rp, person);
      const tokens = await client.authorizationCodeGrant(viaB, callback, {
        pkceCodeVerifier: request.verifier,
        expectedState: request.state,
        expectedNonce: request.nonce,
      });
      assert.equal(tokens.claims()!.sub, person.id);
      // The code is spent everywhere: A refuses it too, and the replay revokes B's tokens.
      await rejectsWithOAuthError(exchange(rp, callback, request), 'invalid_grant');
      assert.equal((await userinfoStatus(rp, tokens.access_token)).status, 401);

      // B serves the session A started: prompt=none through B.
      const silent = await rp.authorizationRequest({ prompt: 'none' });
      const silentCallback = callbackOf(await browser.go(at(b, silent.url).href));
      assert.equal(silentCallback.searchParams.get('error'), null, silentCallback.href);
      const fromB = await client.authorizationCodeGrant(viaB, silentCallback, {
        pkceCodeVerifier: silent.verifier,
        expectedState: silent.state,
        expectedNonce: silent.nonce,
      });
      // A token from B works at A.
      const userinfo = await client.fetchUserInfo(rp.config, fromB.access_token, person.id);
      assert.equal(userinfo.sub, person.id);

      // Signing out through B ends the session at A.
      const endSession = at(b, rp.config.serverMetadata().end_session_endpoint!);
      endSession.searchParams.set('id_token_hint', fromB.id_token!);
      const confirm = pageOf(await browser.go(endSession.href));
      const action = /<form method="post" action="([^"]+)"/.exec(confirm.html)?.[1];
      const xsrf = /name="xsrf" value="([^"]+)"/.exec(confirm.html)?.[1];
      assert.ok(action && xsrf, 'the logout confirmation page');
      const done = await browser.request(at(b, action.replaceAll('&amp;', '&')).href, {
        form: { xsrf, logout: 'yes' },
      });
      await done.body?.cancel();
      assert.ok(done.status >= 300 && done.status < 400);
      const after = await rp.authorizationRequest({ prompt: 'none' });
      const refused = callbackOf(await new Browser(rp.redirectUri, browser.cookies).go(after.url.href));
      assert.equal(refused.searchParams.get('error'), 'login_required');
    } finally {
      await a?.close();
      await b?.close();
      await database.close();
    }
  });
} else {
  test(`persistence [postgres]: restart and two nodes on one database — ${POSTGRES_SKIP_MESSAGE}`, {
    skip: true,
  }, () => {});
}
