// The relying party's side of private_key_jwt: one key pair for the run, and client assertions
// signed ahead of a measurement (a fresh jti each), so the load generator only sends bytes.
import { randomUUID } from 'node:crypto';
import { type CryptoKey, exportJWK, generateKeyPair, type JWK, SignJWT } from 'jose';

export type AssertionAlg = 'ES256' | 'RS256';

export interface RelyingPartyKey {
  alg: AssertionAlg;
  kid: string;
  privateKey: CryptoKey;
  publicJwk: JWK;
}

export async function relyingPartyKey(alg: AssertionAlg): Promise<RelyingPartyKey> {
  const { privateKey, publicKey } = await generateKeyPair(alg);
  const kid = `bench-${alg.toLowerCase()}`;
  return { alg, kid, privateKey, publicJwk: { ...(await exportJWK(publicKey)), kid, alg, use: 'sig' } };
}

const SIGNING_WIDTH = 64;

/** `count` client assertions for the client at this issuer, valid for `lifetimeSeconds`. */
export async function signAssertions(
  key: RelyingPartyKey,
  clientId: string,
  audience: string,
  count: number,
  lifetimeSeconds = 300,
): Promise<string[]> {
  const now = Math.floor(Date.now() / 1000);
  const sign = () =>
    new SignJWT({})
      .setProtectedHeader({ alg: key.alg, kid: key.kid })
      .setIssuer(clientId)
      .setSubject(clientId)
      .setAudience(audience)
      .setJti(randomUUID())
      .setIssuedAt(now)
      .setExpirationTime(now + lifetimeSeconds)
      .sign(key.privateKey);
  const assertions: string[] = [];
  for (let start = 0; start < count; start += SIGNING_WIDTH) {
    const width = Math.min(SIGNING_WIDTH, count - start);
    assertions.push(...(await Promise.all(Array.from({ length: width }, sign))));
  }
  return assertions;
}
