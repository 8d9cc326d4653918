// The facts a reader needs to compare runs: when, on what machine and Node, with which settings.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { availableParallelism, cpus, loadavg, release, totalmem } from 'node:os';
import type { BenchSettings } from './settings.ts';

function packageVersion(name: string): string {
  const path = createRequire(import.meta.url).resolve(`${name}/package.json`);
  return (JSON.parse(readFileSync(path, 'utf8')) as { version: string }).version;
}

export function runFacts(settings: BenchSettings): string[] {
  const { connections, warmupSeconds, durationSeconds, clientAlg, sqliteSynchronous } = settings;
  const packages = ['oidc-provider', 'autocannon'].map((name) => `${name} ${packageVersion(name)}`);
  const load = loadavg().map((l) => l.toFixed(2));
  return [
    `date:        ${new Date().toISOString()}`,
    `CPU:         ${cpus()[0]?.model ?? 'unknown'}, ${availableParallelism()} cores`,
    `memory:      ${(totalmem() / 1024 ** 3).toFixed(1)} GiB; Linux ${release()}`,
    `Node:        ${process.version} (OpenSSL ${process.versions.openssl}), servers and load generator`,
    `packages:    ${packages.join(', ')}`,
    `load:        ${connections} keep-alive connections, no pipelining; ${warmupSeconds} s warm-up, ` +
      `${durationSeconds} s measured per row`,
    `client auth: private_key_jwt, ${clientAlg} assertions (pre-signed, fresh jti each), PKCE S256`,
    `load avg:    ${load.join(' ')} (1, 5, 15 min) when the run started`,
    ...(sqliteSynchronous
      ? [`experiment:  Care Identity's SQLite store with PRAGMA synchronous = ${sqliteSynchronous}`]
      : []),
  ];
}
