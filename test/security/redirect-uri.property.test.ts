// RFC 9700 §2.1 / §4.1.3, ASVS 10.4.1, OpenID conformance oidcc-ensure-registered-redirect-uri:
// redirect URIs are compared by exact string match. For random registered URIs, every near miss is
// refused with an error page and no redirect; the exact URI is accepted.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import fc from 'fast-check';
import { registerClient } from '../../src/oidc/clients.ts';
import { heading } from '../helpers/pages.ts';
import { startTestServer, type TestServer } from '../helpers/test-server.ts';

const CLIENT_ID = 'redirect-property.apps.example';
const VERIFIER = 'a-fixed-pkce-verifier-that-is-long-enough-for-rfc-7636';
const CHALLENGE = createHash('sha256').update(VERIFIER).digest('base64url');
// A new seed each run (FC_SEED=... repeats one); failures print it.
const SEED = Number(process.env['FC_SEED'] ?? Math.floor(Math.random() * 2 ** 31));

interface RedirectUri {
  host: string;
  port: number | null;
  segments: string[];
  trailingSlash: boolean;
  query: string | null;
}

const label = fc.stringMatching(/^[a-z][a-z0-9]{0,9}$/);
const redirectUriParts: fc.Arbitrary<RedirectUri> = fc.record({
  host: fc.array(label, { minLength: 1, maxLength: 3 }).map((labels) => `${labels.join('.')}.example.test`),
  port: fc.option(fc.integer({ min: 1025, max: 65000 }), { nil: null }),
  segments: fc.array(fc.stringMatching(/^[a-z][a-z0-9_-]{0,7}$/), { minLength: 1, maxLength: 3 }),
  trailingSlash: fc.boolean(),
  query: fc.option(fc.stringMatching(/^[a-z]{1,6}=[a-z0-9]{1,6}$/), { nil: null }),
});

function format(uri: RedirectUri, overrides: Partial<RedirectUri> & { userinfo?: string } = {}): string {
  const u = { ...uri, ...overrides };
  const port = u.port === null ? '' : `:${u.port}`;
  const path = `/${u.segments.join('/')}${u.trailingSlash ? '/' : ''}`;
  return `https://${overrides.userinfo ?? ''}${u.host}${port}${path}${u.query === null ? '' : `?${u.query}`}`;
}

/** Upper-cases the first lower-case letter at or after `from` (there always is one). */
function upperOne(text: string, from = 0): string {
  const index = text.slice(from).search(/[a-z]/) + from;
  return text.slice(0, index) + text[index]!.toUpperCase() + text.slice(index + 1);
}

/** Near misses: each differs from the registered string yet a lax comparison could take it for it. */
const mutations: Record<string, (uri: RedirectUri) => string> = {
  'host case': (uri) => format(uri, { host: upperOne(uri.host) }),
  'path case': (uri) => format(uri, { segments: [upperOne(uri.segments[0]!), ...uri.segments.slice(1)] }),
  'trailing slash toggled': (uri) => format(uri, { trailingSlash: !uri.trailingSlash }),
  'extra query parameter': (uri) =>
    `${format(uri)}${uri.query === null ? '?' : '&'}next=https%3A%2F%2Fevil.example`,
  'query removed or changed': (uri) => format(uri, { query: uri.query === null ? 'x=1' : null }),
  fragment: (uri) => `${format(uri)}#fragment`,
  'empty fragment': (uri) => `${format(uri)}#`,
  'different port': (uri) => format(uri, { port: uri.port === null ? 8443 : uri.port + 1 }),
  'default port made explicit': (uri) => format(uri, { port: uri.port ?? 443 }),
  'userinfo prefix': (uri) => format(uri, { userinfo: 'evil.example@' }),
  'userinfo with the real host': (uri) => format(uri, { userinfo: `${uri.host}@`, host: 'evil.example' }),
  'path traversal': (uri) => format(uri, { segments: [...uri.segments, '..', uri.segments.at(-1)!] }),
  'encoded traversal': (uri) => format(uri, { segments: [...uri.segments, '..%2F..%2Fevil'] }),
  'percent-encoded letter': (uri) =>
    format(uri, {
      segments: [
        `%${uri.segments[0]!.charCodeAt(0).toString(16)}${uri.segments[0]!.slice(1)}`,
        ...uri.segments.slice(1),
      ],
    }),
  'http instead of https': (uri) => format(uri).replace(/^https:/, 'http:'),
  'sub-domain added': (uri) => format(uri, { host: `evil.${uri.host}` }),
  'suffix on the host': (uri) => format(uri, { host: `${uri.host}.evil.example` }),
  'trailing dot on the host': (uri) => format(uri, { host: `${uri.host}.` }),
  'extra path segment': (uri) => format(uri, { segments: [...uri.segments, 'evil'], trailingSlash: false }),
};

const registered = fc.sample(
  fc.uniqueArray(redirectUriParts, { minLength: 5, maxLength: 5, selector: (u) => format(u) }),
  {
    numRuns: 1,
    seed: SEED,
  },
)[0]!;
const registeredStrings = registered.map((u) => format(u));

let server: TestServer;
before(async () => {
  server = await startTestServer();
  await registerClient(server.db, server.sealer, server.provider, {
    client_id: CLIENT_ID,
    client_name: 'Redirect URI property test',
    redirect_uris: registeredStrings,
    token_endpoint_auth_method: 'client_secret_basic',
    grant_types: ['authorization_code'],
    response_types: ['code'],
    minimum_aal: 2,
  });
});
after(async () => {
  await server.close();
});

async function authorize(
  redirectUri: string,
): Promise<{ status: number; location: string | null; html: string }> {
  const query = new URLSearchParams({
    client_id: CLIENT_ID,
    response_type: 'code',
    scope: 'openid',
    redirect_uri: redirectUri,
    state: 'property-state',
    nonce: 'property-nonce',
    code_challenge: CHALLENGE,
    code_challenge_method: 'S256',
  });
  const response = await fetch(`${server.issuer}/authorize?${query}`, { redirect: 'manual' });
  return { status: response.status, location: response.headers.get('location'), html: await response.text() };
}

describe('RFC 9700 §2.1 exact redirect URI matching', () => {
  test('RFC 9700 §2.1 / ASVS 10.4.1: every registered redirect URI, exactly as registered, is accepted', async () => {
    for (const uri of registeredStrings) {
      const { status, location } = await authorize(uri);
      assert.equal(status, 303, `${uri} (FC_SEED=${SEED})`);
      assert.match(location ?? '', /^\/interaction\//, `${uri} starts a sign-in`);
    }
  });

  test('RFC 9700 §2.1 / ASVS 10.4.1: any mutation of a registered redirect URI is refused with an error page and no redirect', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.nat({ max: registered.length - 1 }),
        fc.constantFrom(...Object.keys(mutations)),
        async (index, mutation) => {
          const uri = registered[index]!;
          const mutated = mutations[mutation]!(uri);
          fc.pre(!registeredStrings.includes(mutated));
          const { status, location, html } = await authorize(mutated);
          assert.equal(location, null, `${mutation}: ${mutated} must not be redirected to (FC_SEED=${SEED})`);
          assert.equal(status, 400, `${mutation}: ${mutated}`);
          assert.match(
            heading(html),
            /wrong address|cannot be accepted/,
            `${mutation}: the page says the application sent a bad request`,
          );
          assert.ok(!html.includes(`href="${mutated}`), 'the page offers no link to the mutated URI');
        },
      ),
      { numRuns: 50, seed: SEED },
    );
  });
});
