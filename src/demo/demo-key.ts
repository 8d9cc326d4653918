// The demo relying party's private key for private_key_jwt, kept beside the embedded database.
import { generateKeyPairSync, type JsonWebKey } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { thumbprint } from '../oidc/signing-keys.ts';

export interface DemoKey {
  privateJwk: JsonWebKey;
  publicJwk: JsonWebKey;
}

export function demoKeyPath(sqlitePath: string): string {
  return join(dirname(sqlitePath === ':memory:' ? './data/x' : sqlitePath), 'demo-rp-key.json');
}

export function loadOrCreateDemoKey(path: string): DemoKey {
  if (existsSync(path)) return JSON.parse(readFileSync(path, 'utf8')) as DemoKey;
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const publicJwk = publicKey.export({ format: 'jwk' });
  const kid = thumbprint(publicJwk);
  const key: DemoKey = {
    privateJwk: { ...privateKey.export({ format: 'jwk' }), kid, alg: 'ES256' } as JsonWebKey,
    publicJwk: { ...publicJwk, kid, alg: 'ES256', use: 'sig' } as JsonWebKey,
  };
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, JSON.stringify(key), { mode: 0o600 });
  return key;
}
