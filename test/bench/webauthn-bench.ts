// WebAuthn sign-in throughput: completions per second through the real HTTP endpoints (authorize →
// sign-in page → options → assertion → code at the redirect URI), with p50/p99 latency of the whole
// sign-in and of the assertion post alone. Assertions are made in Node by software P-256 keys
// registered directly in the store (a synced passkey each), one person per connection so each
// key's signature counter only goes up.
//
//   import { runWebAuthnBench } from './webauthn-bench.ts';
//   const result = await runWebAuthnBench({ durationSeconds: 10, connections: 8 });
//   node test/bench/webauthn-bench.ts [seconds] [connections]   (prints the result as JSON)
import { createHash, randomBytes } from 'node:crypto';
import { registerClient } from '../../src/oidc/clients.ts';
import type { DatabaseKind } from '../helpers/databases.ts';
import { assertion, registerSoftwarePasskey, type SoftwarePasskey } from '../helpers/software-passkey.ts';
import { freePort, startTestServer } from '../helpers/test-server.ts';

export interface WebAuthnBenchOptions {
  durationSeconds?: number;
  warmupSeconds?: number;
  connections?: number;
  database?: DatabaseKind;
}

export interface WebAuthnBenchResult {
  name: 'webauthn-sign-in';
  database: DatabaseKind;
  connections: number;
  durationSeconds: number;
  completions: number;
  completionsPerSecond: number;
  signInP50Ms: number;
  signInP99Ms: number;
  assertionP50Ms: number;
  assertionP99Ms: number;
  errors: number;
}

const REDIRECT_URI = 'https://bench.example.test/callback';

class CookieJar {
  readonly #cookies = new Map<string, string>();
  header(): string {
    return [...this.#cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }
  store(response: Response): void {
    for (const line of response.headers.getSetCookie()) {
      const pair = line.split(';')[0]!;
      const at = pair.indexOf('=');
      const value = pair.slice(at + 1);
      if (value) this.#cookies.set(pair.slice(0, at), value);
      else this.#cookies.delete(pair.slice(0, at));
    }
  }
}

async function request(jar: CookieJar, url: string, form?: Record<string, string>): Promise<Response> {
  const response = await fetch(url, {
    method: form ? 'POST' : 'GET',
    redirect: 'manual',
    headers: {
      cookie: jar.header(),
      ...(form ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
    },
    ...(form ? { body: new URLSearchParams(form).toString() } : {}),
  });
  jar.store(response);
  return response;
}

/** Follows redirects until the redirect URI (returns the code) or a page (returns its response). */
async function follow(
  jar: CookieJar,
  first: Response,
  base: string,
): Promise<{ code?: string; page?: Response }> {
  let response = first;
  for (let hops = 0; hops < 10; hops++) {
    const location = response.headers.get('location');
    if (response.status < 300 || response.status >= 400 || !location) return { page: response };
    await response.body?.cancel();
    if (location.startsWith(REDIRECT_URI)) {
      const code = new URL(location).searchParams.get('code');
      return code ? { code } : {};
    }
    response = await request(jar, new URL(location, base).href);
  }
  return {};
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

export async function runWebAuthnBench(options: WebAuthnBenchOptions = {}): Promise<WebAuthnBenchResult> {
  const durationSeconds = options.durationSeconds ?? 10;
  const warmupSeconds = options.warmupSeconds ?? 2;
  const connections = options.connections ?? 8;
  const database = options.database ?? (process.env.DATABASE_URL ? 'postgres' : 'sqlite');
  const port = await freePort();
  const origin = `http://localhost:${port}`;
  const server = await startTestServer({ kind: database, port, config: { publicUrl: origin } });
  try {
    const clientId = `bench.webauthn.${process.pid}`;
    await registerClient(server.db, server.sealer, server.provider, {
      client_id: clientId,
      client_name: 'WebAuthn bench',
      redirect_uris: [REDIRECT_URI],
      token_endpoint_auth_method: 'client_secret_post',
      grant_types: ['authorization_code'],
      response_types: ['code'],
      minimum_aal: 2,
    });
    const authorize = new URL(`${server.issuer}/authorize`);
    const discovery = (await (await fetch(`${server.issuer}/.well-known/openid-configuration`)).json()) as {
      authorization_endpoint: string;
    };
    authorize.href = discovery.authorization_endpoint;
    const challengeS256 = createHash('sha256')
      .update('bench verifier that is long enough for pkce rules 123')
      .digest('base64url');
    const keys = await Promise.all(
      Array.from({ length: connections }, () => registerSoftwarePasskey(server.db)),
    );

    async function signIn(key: SoftwarePasskey, timings: { assertion: number[] }): Promise<boolean> {
      const jar = new CookieJar();
      const url = new URL(authorize);
      url.search = new URLSearchParams({
        client_id: clientId,
        redirect_uri: REDIRECT_URI,
        response_type: 'code',
        scope: 'openid',
        state: randomBytes(8).toString('base64url'),
        nonce: randomBytes(8).toString('base64url'),
        code_challenge: challengeS256,
        code_challenge_method: 'S256',
      }).toString();
      const landing = await follow(jar, await request(jar, url.href), origin);
      if (landing.page?.status !== 200) return false;
      const html = await landing.page.text();
      const uid = /\/interaction\/([^/"?]+)\/webauthn/.exec(html)?.[1];
      const csrf = /name="csrf" value="([^"]+)"/.exec(html)?.[1];
      if (!uid || !csrf) return false;
      const optionsResponse = await request(jar, `${origin}/interaction/${uid}/webauthn/options`, { csrf });
      const { options } = (await optionsResponse.json()) as { options?: { challenge: string; rpId: string } };
      if (!options) return false;
      const started = performance.now();
      const posted = await request(jar, `${origin}/interaction/${uid}/webauthn`, {
        csrf,
        response: assertion(key, options.challenge, { origin, rpId: options.rpId }),
      });
      const done = await follow(jar, posted, origin);
      timings.assertion.push(performance.now() - started);
      return Boolean(done.code);
    }

    async function drive(seconds: number) {
      const signIns: number[] = [];
      const timings = { assertion: [] as number[] };
      let errors = 0;
      const deadline = performance.now() + seconds * 1000;
      await Promise.all(
        keys.map(async (key) => {
          while (performance.now() < deadline) {
            const started = performance.now();
            const ok = await signIn(key, timings).catch(() => false);
            if (ok) signIns.push(performance.now() - started);
            else errors += 1;
          }
        }),
      );
      return { signIns, assertions: timings.assertion, errors };
    }

    await drive(warmupSeconds);
    const started = performance.now();
    const run = await drive(durationSeconds);
    const elapsed = (performance.now() - started) / 1000;
    const signIns = run.signIns.sort((a, b) => a - b);
    const assertions = run.assertions.sort((a, b) => a - b);
    const round = (n: number) => Math.round(n * 100) / 100;
    return {
      name: 'webauthn-sign-in',
      database,
      connections,
      durationSeconds: round(elapsed),
      completions: signIns.length,
      completionsPerSecond: round(signIns.length / elapsed),
      signInP50Ms: round(percentile(signIns, 50)),
      signInP99Ms: round(percentile(signIns, 99)),
      assertionP50Ms: round(percentile(assertions, 50)),
      assertionP99Ms: round(percentile(assertions, 99)),
      errors: run.errors,
    };
  } finally {
    await server.close();
  }
}

if (import.meta.main) {
  const [seconds, connections] = process.argv.slice(2).map(Number);
  const result = await runWebAuthnBench({
    ...(seconds ? { durationSeconds: seconds } : {}),
    ...(connections ? { connections } : {}),
  });
  console.log(JSON.stringify(result, null, 2));
}
