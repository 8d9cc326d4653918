// oidcc-server-rotate-keys: after `keys rotate` and a restart (keys load at start), the JWKS holds
// the new key and still the old one, new ID tokens are signed with the new key, and ID tokens
// signed before the rotation still verify against the published JWKS.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createLocalJWKSet, decodeProtectedHeader, type JSONWebKeySet, jwtVerify } from 'jose';
import { rotateSigningKeys } from '../../src/oidc/signing-keys.ts';
import { createTestPerson } from '../helpers/people.ts';
import { createRelyingParty, type TestRelyingParty } from '../helpers/relying-party.ts';
import { startTestServer, type TestServer } from '../helpers/test-server.ts';
import { signInAndExchange } from './support.ts';

let server: TestServer;
before(async () => {
  server = await startTestServer();
});
after(async () => {
  await server.close();
});

async function fetchJwks(rp: TestRelyingParty): Promise<JSONWebKeySet> {
  const response = await fetch(rp.config.serverMetadata().jwks_uri!);
  assert.equal(response.status, 200);
  return (await response.json()) as JSONWebKeySet;
}

test('oidcc-server-rotate-keys: the JWKS has the new key and still the old one; old and new ID tokens verify', async () => {
  const rpBefore = await createRelyingParty(server);
  const signedBefore = await signInAndExchange(
    server,
    rpBefore,
    await createTestPerson(server.db, server.sealer),
  );
  const oldIdToken = signedBefore.tokens.id_token!;
  const oldKid = decodeProtectedHeader(oldIdToken).kid!;
  const oldJwks = await fetchJwks(rpBefore);
  assert.ok(oldJwks.keys.some((k) => k.kid === oldKid));
  for (const key of oldJwks.keys) assert.equal(key['d'], undefined, 'no private key material is published');

  const newKids = await rotateSigningKeys(server.db, server.sealer);
  assert.ok(!newKids.includes(oldKid));

  const restarted = await startTestServer({ db: server.db });
  try {
    const rp = await createRelyingParty(restarted);
    const jwks = await fetchJwks(rp);
    const published = jwks.keys.map((k) => k.kid);
    for (const kid of newKids) assert.ok(published.includes(kid), `new key ${kid} is published`);
    for (const key of oldJwks.keys)
      assert.ok(published.includes(key.kid), `old key ${key.kid} is still published`);
    for (const key of jwks.keys) {
      assert.equal(key.use, 'sig');
      assert.equal(key['d'], undefined);
    }

    const signedAfter = await signInAndExchange(
      restarted,
      rp,
      await createTestPerson(restarted.db, restarted.sealer),
    );
    const newKid = decodeProtectedHeader(signedAfter.tokens.id_token!).kid!;
    assert.notEqual(newKid, oldKid, 'new ID tokens are signed with a new key');
    assert.ok(newKids.includes(newKid), 'signed with the key the rotation created');

    const keySet = createLocalJWKSet(jwks);
    const old = await jwtVerify(oldIdToken, keySet, { issuer: server.issuer, audience: rpBefore.clientId });
    assert.equal(old.protectedHeader.kid, oldKid);
    const fresh = await jwtVerify(signedAfter.tokens.id_token!, keySet, {
      issuer: restarted.issuer,
      audience: rp.clientId,
    });
    assert.equal(fresh.payload.sub, signedAfter.claims.sub);
  } finally {
    await restarted.close();
  }
});
