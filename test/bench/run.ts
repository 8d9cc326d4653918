// `npm run bench`: Care Identity against a bare oidc-provider, on the token endpoint (code exchange
// with private_key_jwt and PKCE), UserInfo and discovery. Each server runs in its own child process
// (Care Identity on SQLite, and on PostgreSQL too when DATABASE_URL is set); the load generator
// runs here. Exits non-zero when any request failed. See docs/benchmarks.md.
//
// Environment: BENCH_DURATION (s, default 10), BENCH_WARMUP (s, default 3), BENCH_CONNECTIONS
// (default 50), BENCH_CLIENT_ALG (ES256 or RS256, default ES256), BENCH_ENDPOINTS (comma list of
// token, userinfo, discovery), BENCH_SQLITE_SYNCHRONOUS (experiment: PRAGMA synchronous for
// Care Identity's SQLite store), BENCH_CPU_PROF (a directory for the servers' V8 CPU profiles).
import { join } from 'node:path';
import { checkServer } from './check.ts';
import { relyingPartyKey } from './client-assertions.ts';
import { discover, type Endpoint, endpoints, type ServerEndpoints } from './endpoints.ts';
import { runFacts } from './facts.ts';
import { type Measurement, measure } from './measure.ts';
import { type ChildSetup, ServerProcess } from './protocol.ts';
import { disturbed, problems, progressLine, ratioTable, table } from './report.ts';
import { benchSettings } from './settings.ts';
import { currentRss } from './usage.ts';
import { runWebAuthnBench } from './webauthn-bench.ts';

const BARE = 'bare oidc-provider';
const measurementOrder: Endpoint[] = ['discovery', 'userinfo', 'token'];
const settings = benchSettings();
const started = Date.now();
const facts = runFacts(settings);
console.log(facts.join('\n'));

const key = await relyingPartyKey(settings.clientAlg);
const setup: ChildSetup = { publicJwk: key.publicJwk, alg: settings.clientAlg };
const execArgv = settings.cpuProfileDir ? ['--cpu-prof', `--cpu-prof-dir=${settings.cpuProfileDir}`] : [];
const careIdentityNode = join(import.meta.dirname, 'care-identity-node.ts');
const bareNode = join(import.meta.dirname, 'bare-node.ts');

const servers: ServerProcess[] = [];
const measurements: Measurement[] = [];
try {
  const { sqliteSynchronous } = settings;
  const sqlite: ChildSetup = {
    ...setup,
    database: 'sqlite',
    ...(sqliteSynchronous ? { sqliteSynchronous } : {}),
  };
  servers.push(await ServerProcess.start('Care Identity (SQLite)', careIdentityNode, sqlite, execArgv));
  if (settings.databaseUrl) {
    const postgres: ChildSetup = { ...setup, database: 'postgres' };
    servers.push(
      await ServerProcess.start('Care Identity (PostgreSQL)', careIdentityNode, postgres, execArgv),
    );
  }
  servers.push(await ServerProcess.start(BARE, bareNode, setup, execArgv));

  console.log('');
  const paths = new Map<ServerProcess, ServerEndpoints>();
  for (const server of servers) {
    const idleRss = currentRss(server.pid);
    paths.set(server, await discover(server));
    await checkServer(server, paths.get(server)!, key);
    console.log(
      `  ${server.name}: ready, RSS ${Math.round(idleRss / 2 ** 20)} MiB idle; one exchange checked`,
    );
  }
  // Lightest first, so each row's peak RSS starts from what the lighter runs left behind.
  const order = measurementOrder.filter((endpoint) => settings.endpoints.includes(endpoint));
  console.log(`measuring ${order.join(', ')}, each on every server in turn`);
  for (const endpoint of order) {
    for (const server of servers) {
      const measurement = await measure(server, paths.get(server)!, endpoint, { ...settings, key });
      measurements.push(measurement);
      console.log(progressLine(measurement));
    }
  }
} finally {
  await Promise.all(servers.map((server) => server.stop()));
}

// Printed token, UserInfo, discovery; servers in the order they started.
measurements.sort((a, b) => endpoints.indexOf(a.endpoint) - endpoints.indexOf(b.endpoint));
console.log(`\n${facts.join('\n')}\n`);
console.log(table(measurements).join('\n'));
console.log('');
console.log(ratioTable(measurements, BARE).join('\n'));
console.log(`\n(${Math.round((Date.now() - started) / 1000)} s in all)`);
const noisy = disturbed(measurements);
if (noisy.length > 0) {
  console.log(
    `\nDisturbed rows (throughput understated, latency overstated: run again):\n${noisy.map((n) => `  ${n}`).join('\n')}`,
  );
}

// WebAuthn sign-in completions (issue 3): the whole ceremony through the real HTTP endpoints, from
// the authorization request to the code, with assertions made by a software P-256 key.
console.log('\nWebAuthn sign-in (options, assertion, redirect to the application), SQLite, 8 connections:');
const webauthn = await runWebAuthnBench({
  durationSeconds: settings.durationSeconds,
  warmupSeconds: Math.min(settings.warmupSeconds, 2),
  connections: 8,
  database: 'sqlite',
});
console.log(
  `  ${webauthn.completionsPerSecond.toFixed(0)} sign-ins/s, whole sign-in p50 ${webauthn.signInP50Ms.toFixed(0)} ms p99 ${webauthn.signInP99Ms.toFixed(0)} ms, assertion p50 ${webauthn.assertionP50Ms.toFixed(1)} ms p99 ${webauthn.assertionP99Ms.toFixed(1)} ms, errors ${webauthn.errors}`,
);
const found = [
  ...problems(measurements),
  ...(webauthn.errors > 0 ? [`WebAuthn sign-in: ${webauthn.errors} failed ceremonies`] : []),
];
if (found.length > 0) {
  console.error(`\nBENCH FAILED: every request must succeed.\n${found.map((p) => `  ${p}`).join('\n')}`);
  process.exit(1);
}
