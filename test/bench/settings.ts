// The bench's knobs, from the environment, with the defaults `npm run bench` uses.
import type { AssertionAlg } from './client-assertions.ts';
import { type Endpoint, endpoints } from './endpoints.ts';

export interface BenchSettings {
  durationSeconds: number;
  warmupSeconds: number;
  connections: number;
  clientAlg: AssertionAlg;
  endpoints: Endpoint[];
  /** PostgreSQL server for a second Care Identity row; unset means SQLite only. */
  databaseUrl: string | undefined;
  /** Experiment: `PRAGMA synchronous` for Care Identity's SQLite store (its own setting is NORMAL). */
  sqliteSynchronous: string | undefined;
  /** A directory the servers write V8 CPU profiles to when they stop. */
  cpuProfileDir: string | undefined;
}

function positive(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const value = Number(env[name] || fallback);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`${name} must be a positive number`);
  return value;
}

function oneOf<T extends string>(env: NodeJS.ProcessEnv, name: string, allowed: readonly T[]): T | undefined {
  const value = env[name]?.toUpperCase();
  if (value === undefined || value === '') return undefined;
  if (!allowed.includes(value as T)) throw new Error(`${name} must be one of ${allowed.join(', ')}`);
  return value as T;
}

export function benchSettings(env: NodeJS.ProcessEnv = process.env): BenchSettings {
  const selected = (env['BENCH_ENDPOINTS'] || endpoints.join(',')).split(',').map((e) => e.trim());
  const unknown = selected.filter((e) => !endpoints.includes(e as Endpoint));
  if (unknown.length > 0) throw new Error(`BENCH_ENDPOINTS: unknown ${unknown.join(', ')}`);
  return {
    durationSeconds: positive(env, 'BENCH_DURATION', 10),
    warmupSeconds: positive(env, 'BENCH_WARMUP', 3),
    connections: positive(env, 'BENCH_CONNECTIONS', 50),
    clientAlg: oneOf(env, 'BENCH_CLIENT_ALG', ['ES256', 'RS256'] as const) ?? 'ES256',
    endpoints: selected as Endpoint[],
    databaseUrl: env['DATABASE_URL'] || undefined,
    sqliteSynchronous: oneOf(env, 'BENCH_SQLITE_SYNCHRONOUS', ['OFF', 'NORMAL', 'FULL', 'EXTRA'] as const),
    cpuProfileDir: env['BENCH_CPU_PROF'] || undefined,
  };
}
