// Secrets come from configuration. In demo mode, missing ones are generated once into the data
// folder (file mode 0600) so `npm start` works on a fresh clone without any setup.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { ConfigError } from './load.ts';
import type { Config } from './schema.ts';

export interface ResolvedSecrets {
  keyEncryption: string;
  cookieKeys: string[];
}

export function demoSecretsPath(config: Config): string {
  const base = config.database.sqlitePath === ':memory:' ? './data/x' : config.database.sqlitePath;
  return join(dirname(base), 'demo-secrets.json');
}

export function resolveSecrets(config: Config): ResolvedSecrets {
  const { keyEncryption, cookieKeys } = config.secrets;
  if (keyEncryption && cookieKeys) return { keyEncryption, cookieKeys };
  if (!config.demo) {
    throw new ConfigError([
      {
        key: 'secrets',
        message: 'key encryption secret and cookie keys are required outside demo mode',
        fix: 'set CARE_IDENTITY_KEY_ENCRYPTION_SECRET and CARE_IDENTITY_COOKIE_KEYS',
      },
    ]);
  }
  const path = demoSecretsPath(config);
  let stored: ResolvedSecrets;
  if (existsSync(path)) {
    stored = JSON.parse(readFileSync(path, 'utf8')) as ResolvedSecrets;
  } else {
    stored = {
      keyEncryption: randomBytes(32).toString('base64url'),
      cookieKeys: [randomBytes(32).toString('base64url')],
    };
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, JSON.stringify(stored), { mode: 0o600 });
  }
  return {
    keyEncryption: keyEncryption ?? stored.keyEncryption,
    cookieKeys: cookieKeys ?? stored.cookieKeys,
  };
}
