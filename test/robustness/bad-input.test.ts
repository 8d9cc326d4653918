// Bad input on every endpoint and form: a clear 4xx page or OAuth error, never a 500, and the store
// left as it was (every row of every table compared; the audit trail may only gain failure events).
// Runs once per database kind: PostgreSQL refuses some input that SQLite stores.
import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import { after, before, describe, test } from 'node:test';
import { createAuthenticator } from '../../src/authenticators/authenticator-store.ts';
import {
  consumeEnrolmentLink,
  hashToken,
  issueEnrolmentLink,
} from '../../src/authenticators/enrolment-links.ts';
import { createPerson } from '../../src/directory/people.ts';
import { Browser, csrfToken } from '../helpers/browser.ts';
import { databaseKinds, POSTGRES_SKIP_MESSAGE, postgresUrl } from '../helpers/databases.ts';
import { errorSummary, heading, visibleText } from '../helpers/pages.ts';
import { createTestPerson, oathtoolCode, type TestPerson } from '../helpers/people.ts';
import { createRelyingParty, type TestRelyingParty } from '../helpers/relying-party.ts';
import { cookieHeader, rawPost, startSignIn } from '../helpers/sign-in.ts';
import { rowCounts, type StoreSnapshot, snapshotStore, storeChanges } from '../helpers/store-snapshot.ts';
import { startTestServer, type TestServer } from '../helpers/test-server.ts';

const FORM = 'application/x-www-form-urlencoded';
const STRONG_PASSWORD = 'a walk along the quiet canal at dawn';

/** The store after equals the store before, except audit events of failures or refusals. */
function assertOnlyFailuresAdded(
  before: StoreSnapshot,
  after: StoreSnapshot,
  options: { allowNewInteractions?: boolean } = {},
): void {
  for (const change of storeChanges(before, after)) {
    const summary = `${change.table}: ${change.added.length} added, ${change.removed.length} removed (counts before ${JSON.stringify(rowCounts(before))}, after ${JSON.stringify(rowCounts(after))})`;
    assert.equal(change.removed.length, 0, `no row may be removed or changed — ${summary}`);
    if (change.table === 'audit_events') {
      for (const row of change.added) {
        assert.ok(
          row['outcome'] === 'failure' || row['outcome'] === 'refused',
          `only failure or refused events may be audited, got ${JSON.stringify(row)}`,
        );
      }
    } else if (options.allowNewInteractions && change.table === 'oidc_payloads') {
      for (const row of change.added) assert.equal(row['model'], 'Interaction', summary);
    } else {
      assert.fail(`the store must be unchanged — ${summary}: ${JSON.stringify(change.added).slice(0, 500)}`);
    }
  }
}

/** A clear error page: 4xx, HTML, a heading, no redirect, no stack trace. */
async function expectErrorPage(
  response: Response,
  status?: number,
  title?: string | RegExp,
): Promise<string> {
  const html = await response.text();
  const context = `${response.status} ${html.replace(/\s+/g, ' ').slice(0, 400)}`;
  if (status !== undefined) assert.equal(response.status, status, context);
  assert.ok(response.status >= 400 && response.status < 500, `expected a 4xx, got ${context}`);
  assert.equal(response.headers.get('location'), null, 'an error page must not redirect');
  assert.match(response.headers.get('content-type') ?? '', /^text\/html/);
  assert.notEqual(heading(html), '', 'the page says what went wrong in its heading');
  if (title !== undefined) {
    if (typeof title === 'string') assert.equal(heading(html), title);
    else assert.match(heading(html), title);
  }
  assert.doesNotMatch(html, /node_modules|\bat \S+ \(.*:\d+:\d+\)/, 'no stack trace');
  return html;
}

/**
 * A form POST with Transfer-Encoding: chunked on a connection of its own (so a connection the server
 * breaks cannot stall later requests); status 0 when the server drops the connection.
 */
function postChunked(url: string, cookie: string, body: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve) => {
    const request = httpRequest(url, {
      method: 'POST',
      agent: false,
      headers: { cookie, 'content-type': FORM, 'transfer-encoding': 'chunked', connection: 'close' },
    });
    request.on('response', (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () =>
        resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString() }),
      );
      response.on('error', () => resolve({ status: response.statusCode ?? 0, body: '' }));
    });
    request.on('error', () => resolve({ status: 0, body: '' }));
    for (let offset = 0; offset < body.length; offset += 8192)
      request.write(body.slice(offset, offset + 8192));
    request.end();
  });
}

/** An OAuth JSON error response (RFC 6749 §5.2). */
async function expectOAuthError(response: Response, status: number, error: string): Promise<void> {
  const text = await response.text();
  assert.equal(response.status, status, text);
  assert.match(response.headers.get('content-type') ?? '', /^application\/json/);
  const body = JSON.parse(text) as { error?: unknown; error_description?: unknown };
  assert.equal(body.error, error, text);
  assert.doesNotMatch(text, /node_modules|\bat \S+ \(/, 'no stack trace');
}

/** An authorization error sent back to the registered redirect URI (RFC 6749 §4.1.2.1). */
async function expectErrorRedirect(response: Response, redirectUri: string, error: string): Promise<void> {
  await response.body?.cancel();
  assert.equal(response.status, 303);
  const location = new URL(response.headers.get('location') ?? '');
  assert.equal(`${location.origin}${location.pathname}`, redirectUri);
  const params = new URLSearchParams(location.hash ? location.hash.slice(1) : location.search);
  assert.equal(params.get('error'), error, location.href);
}

for (const kind of databaseKinds) {
  describe(`bad input [${kind}]`, () => {
    let server: TestServer;
    let rp: TestRelyingParty;
    let secretRp: TestRelyingParty;
    let person: TestPerson;

    before(async () => {
      server = await startTestServer({ kind });
      rp = await createRelyingParty(server);
      secretRp = await createRelyingParty(server, { auth: 'client_secret_post' });
      person = await createTestPerson(server.db, server.sealer, {
        roles: [
          { orgCode: 'RXX', jobRoleCode: 'R8000' },
          { orgCode: 'A99999', jobRoleCode: 'R8008' },
        ],
      });
    });
    after(async () => {
      await server.close();
    });

    /** Runs fn and checks the store: unchanged but for audit events of failures. */
    async function unchanged(fn: () => Promise<void>, options: { allowNewInteractions?: boolean } = {}) {
      const before = await snapshotStore(server.db);
      await fn();
      assertOnlyFailuresAdded(before, await snapshotStore(server.db), options);
    }

    async function authorizationUrl(mutate: (params: URLSearchParams) => void): Promise<string> {
      const { url } = await rp.authorizationRequest();
      mutate(url.searchParams);
      return url.href;
    }

    const get = (url: string, headers: Record<string, string> = {}) =>
      fetch(url, { redirect: 'manual', headers });

    describe('authorization endpoint', () => {
      test('RFC 6749 §4.1.2.1: missing client_id → error page, no redirect', async () => {
        await unchanged(async () => {
          const url = await authorizationUrl((p) => p.delete('client_id'));
          const html = await expectErrorPage(await get(url), 400);
          assert.match(visibleText(html), /invalid_request/);
        });
      });

      test('RFC 6749 §4.1.2.1: unknown client_id → error page, no redirect', async () => {
        await unchanged(async () => {
          const url = await authorizationUrl((p) => p.set('client_id', 'no-such-client.apps'));
          await expectErrorPage(await get(url), 400, 'The application is not registered');
        });
      });

      test('RFC 6749 §4.1.2.1: client_id with a U+0000 character → error page, not a 500', async () => {
        await unchanged(async () => {
          const url = await authorizationUrl((p) => p.set('client_id', 'a\u0000b'));
          await expectErrorPage(await get(url), 400);
        });
      });

      test('RFC 6749 §4.1.2.1: missing response_type → invalid_request to the client', async () => {
        await unchanged(async () => {
          const url = await authorizationUrl((p) => p.delete('response_type'));
          await expectErrorRedirect(await get(url), rp.redirectUri, 'invalid_request');
        });
      });

      test('RFC 9700 §2.1.2: response_type token or garbage → unsupported_response_type', async () => {
        await unchanged(async () => {
          for (const value of ['token', 'id_token token', 'code token', 'garbage']) {
            const url = await authorizationUrl((p) => p.set('response_type', value));
            await expectErrorRedirect(await get(url), rp.redirectUri, 'unsupported_response_type');
          }
        });
      });

      test('OIDC Core §3.1.2.1: scope without openid (with a nonce) → invalid_request', async () => {
        await unchanged(async () => {
          const url = await authorizationUrl((p) => p.set('scope', 'profile email'));
          await expectErrorRedirect(await get(url), rp.redirectUri, 'invalid_request');
        });
      });

      test('Robustness (no 500): a 20 KB state is refused with a 4xx and starts nothing', async () => {
        await unchanged(async () => {
          for (const name of ['state', 'login_hint', 'nonce']) {
            const response = await get(await authorizationUrl((p) => p.set(name, 'x'.repeat(20 * 1024))));
            await response.body?.cancel();
            // Node's HTTP parser refuses the oversized request line (431) before the app sees it.
            assert.ok(response.status >= 400 && response.status < 500, `${name}: ${response.status}`);
            assert.equal(response.headers.get('location'), null);
          }
        });
      });

      test('RFC 6749 §3.1: a repeated parameter is refused', async () => {
        await unchanged(async () => {
          for (const name of ['scope', 'redirect_uri', 'state', 'response_type']) {
            const url = await authorizationUrl((p) => p.append(name, p.get(name) ?? 'x'));
            const response = await get(url);
            if (name === 'redirect_uri') await expectErrorPage(response, 400);
            else await expectErrorRedirect(response, rp.redirectUri, 'invalid_request');
          }
          const url = await authorizationUrl((p) => p.append('client_id', rp.clientId));
          const html = await expectErrorPage(await get(url), 400);
          assert.match(visibleText(html), /client_id' parameter must not be provided twice/);
        });
      });

      test('OIDC Core §3.1.2.1: malformed acr_values are ignored, the client minimum applies, no 500', async () => {
        await unchanged(
          async () => {
            for (const value of [
              '"; drop table people; --',
              'AAL9_EVERYTHING',
              '<script>alert(1)</script>',
              `AAL3_ANY${'\u00a0'}AAL2_ANY`,
              'x'.repeat(4000),
            ]) {
              // startSignIn fails unless the sign-in page is shown with a 200.
              const { page } = await startSignIn(server, rp, { acr_values: value });
              assert.equal(heading(page.html), 'Sign in with Microsoft Authenticator');
              assert.doesNotMatch(page.html, /<script>alert/);
            }
          },
          { allowNewInteractions: true },
        );
      });

      test('OIDC Core §3.1.2.1: an unsupported or contradictory prompt → invalid_request', async () => {
        await unchanged(async () => {
          for (const value of ['bogus', 'none login', 'consent select_account bogus']) {
            const url = await authorizationUrl((p) => p.set('prompt', value));
            await expectErrorRedirect(await get(url), rp.redirectUri, 'invalid_request');
          }
        });
      });
    });

    describe('token endpoint', () => {
      const tokenUrl = () => `${server.issuer}/access_token`;
      const post = (body: string | undefined, contentType: string | undefined = FORM) =>
        fetch(tokenUrl(), {
          method: 'POST',
          headers: contentType ? { 'content-type': contentType } : {},
          body,
        });
      const secretAuth = () =>
        `client_id=${encodeURIComponent(secretRp.clientId)}&client_secret=${encodeURIComponent(secretRp.clientSecret!)}`;

      test('RFC 6749 §5.2: no body → invalid_request', async () => {
        await unchanged(async () => {
          await expectOAuthError(await post(undefined, undefined), 400, 'invalid_request');
          await expectOAuthError(await post(''), 400, 'invalid_request');
        });
      });

      test('RFC 6749 §3.2: a body that is not form-encoded → invalid_request', async () => {
        await unchanged(async () => {
          const json = JSON.stringify({ grant_type: 'authorization_code', code: 'x' });
          await expectOAuthError(await post(json, 'application/json'), 400, 'invalid_request');
          await expectOAuthError(
            await post(`grant_type=x&${secretAuth()}`, 'text/plain'),
            400,
            'invalid_request',
          );
        });
      });

      test('RFC 6749 §5.2: unknown grant_type → unsupported_grant_type', async () => {
        await unchanged(async () => {
          await expectOAuthError(
            await post(`grant_type=password&${secretAuth()}`),
            400,
            'unsupported_grant_type',
          );
          await expectOAuthError(
            await post(`grant_type=garbage&${secretAuth()}`),
            400,
            'unsupported_grant_type',
          );
        });
      });

      test('RFC 6749 §4.1.3: missing code → invalid_request', async () => {
        await unchanged(async () => {
          const body = `grant_type=authorization_code&redirect_uri=${encodeURIComponent(secretRp.redirectUri)}&${secretAuth()}`;
          await expectOAuthError(await post(body), 400, 'invalid_request');
        });
      });

      test('RFC 6749 §5.2: garbage code or refresh token → invalid_grant', async () => {
        await unchanged(async () => {
          const redirect = encodeURIComponent(secretRp.redirectUri);
          for (const code of ['garbage', 'a'.repeat(43), '../../etc/passwd', '%27%20or%201%3D1']) {
            const body = `grant_type=authorization_code&code=${code}&code_verifier=${'v'.repeat(43)}&redirect_uri=${redirect}&${secretAuth()}`;
            await expectOAuthError(await post(body), 400, 'invalid_grant');
          }
          const refresh = `grant_type=refresh_token&refresh_token=garbage&${secretAuth()}`;
          await expectOAuthError(await post(refresh), 400, 'invalid_grant');
        });
      });

      test('RFC 7523 §3: malformed client_assertion → invalid_request or invalid_client', async () => {
        await unchanged(async () => {
          const type = encodeURIComponent('urn:ietf:params:oauth:client-assertion-type:jwt-bearer');
          for (const assertion of [
            'not-a-jwt',
            'a.b.c',
            'eyJhbGciOiJub25lIn0.e30.',
            '...',
            'x'.repeat(3000),
          ]) {
            const body = `grant_type=authorization_code&code=x&client_id=${rp.clientId}&client_assertion_type=${type}&client_assertion=${encodeURIComponent(assertion)}`;
            const response = await post(body);
            const text = await response.text();
            assert.ok(response.status === 400 || response.status === 401, `${assertion}: ${response.status}`);
            const { error } = JSON.parse(text) as { error: string };
            assert.ok(['invalid_request', 'invalid_client'].includes(error), text);
          }
        });
      });

      test('Robustness (no 500): a 100 KB body → 4xx OAuth error', async () => {
        await unchanged(async () => {
          const body = `grant_type=authorization_code&code=${'a'.repeat(100 * 1024)}&${secretAuth()}`;
          const response = await post(body);
          const text = await response.text();
          assert.ok(response.status >= 400 && response.status < 500, `${response.status} ${text}`);
          assert.equal((JSON.parse(text) as { error: string }).error, 'invalid_request');
        });
      });

      test('RFC 6749 §2.3.1: client_id with a U+0000 character → invalid_client, not a 500', async () => {
        await unchanged(async () => {
          const body = 'grant_type=authorization_code&code=x&client_id=a%00b&client_secret=x';
          await expectOAuthError(await post(body), 401, 'invalid_client');
        });
      });
    });

    describe('UserInfo endpoint', () => {
      const userinfo = () => `${server.issuer}/userinfo`;

      test('RFC 6750 §3.1: no token → 401 invalid_token with a WWW-Authenticate challenge', async () => {
        await unchanged(async () => {
          const response = await get(userinfo());
          assert.match(response.headers.get('www-authenticate') ?? '', /^Bearer /);
          await expectOAuthError(response, 401, 'invalid_token');
        });
      });

      test('RFC 6750 §3.1: a garbage token → 401 invalid_token', async () => {
        await unchanged(async () => {
          for (const token of ['garbage', 'a'.repeat(43), 'eyJhbGciOiJub25lIn0.e30.', 'x'.repeat(4000)]) {
            await expectOAuthError(
              await get(userinfo(), { authorization: `Bearer ${token}` }),
              401,
              'invalid_token',
            );
          }
        });
      });

      test('RFC 9700 §4.3.2: a token in the query string is refused', async () => {
        await unchanged(async () => {
          await expectOAuthError(await get(`${userinfo()}?access_token=garbage`), 400, 'invalid_request');
        });
      });
    });

    describe('end-session endpoint', () => {
      test('OIDC RP-Initiated Logout §2: a garbage id_token_hint → 400 page, no redirect', async () => {
        await unchanged(async () => {
          for (const hint of ['garbage', 'a.b.c', 'eyJhbGciOiJub25lIn0.e30.']) {
            const url = `${server.issuer}/connect/endSession?id_token_hint=${hint}&post_logout_redirect_uri=${encodeURIComponent('https://evil.example/')}`;
            await expectErrorPage(await get(url, { accept: 'text/html' }), 400);
            const response = await get(url, { accept: 'application/json' });
            const text = await response.text();
            assert.equal(response.status, 400, text);
            const { error } = JSON.parse(text) as { error: string };
            assert.ok(['invalid_request', 'invalid_client'].includes(error), text);
          }
        });
      });
    });

    describe('sign-in pages', () => {
      const passwordTotpUrl = (uid: string) => `${server.url}/interaction/${uid}/password-totp`;

      test('ASVS 7.2.1: an unknown interaction uid → 400 page (GET and POST)', async () => {
        const signIn = await startSignIn(server, rp);
        await unchanged(async () => {
          for (const uid of ['unknown', 'a'.repeat(43), '..%2F..%2Fetc', '%E0%A4%A']) {
            await expectErrorPage(
              await get(`${server.url}/interaction/${uid}`, { cookie: cookieHeader(signIn.browser) }),
              400,
              'Your sign-in has expired',
            );
            const form = new URLSearchParams({
              csrf: signIn.csrf,
              email: person.email,
              password: 'x',
              code: '123456',
            });
            await expectErrorPage(
              await rawPost(signIn.browser, passwordTotpUrl(uid), form.toString(), FORM),
              400,
            );
          }
        });
      });

      test('ASVS 7.3.1: an expired interaction → 400 page, and nothing is verified', async () => {
        const signIn = await startSignIn(server, rp);
        await server.db
          .updateTable('oidc_payloads')
          .set({ expires_at: Date.now() - 1000 })
          .where('model', '=', 'Interaction')
          .where('id', '=', signIn.uid)
          .execute();
        await unchanged(async () => {
          await expectErrorPage(
            await get(`${server.url}/interaction/${signIn.uid}`, { cookie: cookieHeader(signIn.browser) }),
            400,
            'Your sign-in has expired',
          );
          const form = new URLSearchParams({
            csrf: signIn.csrf,
            email: person.email,
            password: 'wrong password',
            code: '000000',
          });
          await expectErrorPage(
            await rawPost(signIn.browser, passwordTotpUrl(signIn.uid), form.toString(), FORM),
            400,
          );
        });
      });

      test('ASVS 3.5.1: without the interaction cookie → 400 page, and nothing is verified', async () => {
        const signIn = await startSignIn(server, rp);
        const stranger = new Browser(rp.redirectUri);
        for (const [name, value] of signIn.browser.cookies) {
          if (name.includes('csrf')) stranger.cookies.set(name, value);
        }
        await unchanged(async () => {
          await expectErrorPage(
            await get(`${server.url}/interaction/${signIn.uid}`, { cookie: cookieHeader(stranger) }),
            400,
            'Your sign-in has expired',
          );
          const form = new URLSearchParams({
            csrf: signIn.csrf,
            email: person.email,
            password: 'wrong password',
            code: '000000',
          });
          await expectErrorPage(
            await rawPost(stranger, passwordTotpUrl(signIn.uid), form.toString(), FORM),
            400,
          );
        });
      });

      test('GOV.UK/NHS form pattern: missing fields → 400 with an error summary linking to each field', async () => {
        const signIn = await startSignIn(server, rp);
        await unchanged(async () => {
          const response = await rawPost(
            signIn.browser,
            passwordTotpUrl(signIn.uid),
            `csrf=${signIn.csrf}`,
            FORM,
          );
          const html = await response.text();
          assert.equal(response.status, 400);
          assert.deepEqual(
            errorSummary(html).map((e) => e.href),
            ['#email', '#password', '#code'],
          );
        });
      });

      test('Robustness (no 500): a 100 KB form → 413 page', async () => {
        const signIn = await startSignIn(server, rp);
        await unchanged(async () => {
          const body = new URLSearchParams({
            csrf: signIn.csrf,
            email: person.email,
            password: 'p'.repeat(100 * 1024),
            code: '123456',
          }).toString();
          await expectErrorPage(await rawPost(signIn.browser, passwordTotpUrl(signIn.uid), body, FORM), 413);
        });
      });

      test('Robustness (no 500): a 100 KB form sent chunked (no Content-Length) → 413 page', async () => {
        const signIn = await startSignIn(server, rp);
        await unchanged(async () => {
          const body = new URLSearchParams({
            csrf: signIn.csrf,
            email: person.email,
            password: 'p'.repeat(100 * 1024),
            code: '123456',
          }).toString();
          const response = await postChunked(passwordTotpUrl(signIn.uid), cookieHeader(signIn.browser), body);
          assert.equal(response.status, 413, response.body.slice(0, 200));
          assert.equal(heading(response.body), 'Form too large');
        });
      });

      test('Robustness (no 500): a form in another content type → 415 page', async () => {
        const signIn = await startSignIn(server, rp);
        await unchanged(async () => {
          const json = JSON.stringify({
            csrf: signIn.csrf,
            email: person.email,
            password: 'x',
            code: '123456',
          });
          for (const [body, type] of [
            [json, 'application/json'],
            ['csrf=x', 'text/plain'],
            [
              '--b\r\nContent-Disposition: form-data; name="csrf"\r\n\r\nx\r\n--b--',
              'multipart/form-data; boundary=b',
            ],
            ['csrf=x', undefined],
          ] as const) {
            await expectErrorPage(
              await rawPost(signIn.browser, passwordTotpUrl(signIn.uid), body, type),
              415,
            );
          }
        });
      });

      test('ASVS 3.5.1: an invalid CSRF token → 403 page', async () => {
        const signIn = await startSignIn(server, rp);
        await unchanged(async () => {
          for (const csrf of [
            '',
            'x',
            signIn.csrf.slice(0, -1),
            `${signIn.csrf}x`,
            signIn.csrf.toUpperCase(),
          ]) {
            const form = new URLSearchParams({
              csrf,
              email: person.email,
              password: person.password,
              code: '123456',
            });
            await expectErrorPage(
              await rawPost(signIn.browser, passwordTotpUrl(signIn.uid), form.toString(), FORM),
              403,
              'This form has expired',
            );
          }
        });
      });

      test('NIST 800-63B-4 §3.1.4.1: codes that are not 6 digits → 400 field error, no attempt counted', async () => {
        const signIn = await startSignIn(server, rp);
        await unchanged(async () => {
          for (const code of [
            '12345',
            '1234567',
            'abcdef',
            '12345a',
            '１２３４５６',
            '-12345',
            '12.345',
            '1e5000',
          ]) {
            const form = { csrf: signIn.csrf, email: person.email, password: person.password, code };
            const landing = await signIn.browser.go(passwordTotpUrl(signIn.uid), { form });
            assert.equal(landing.kind, 'page');
            if (landing.kind !== 'page') continue;
            assert.equal(landing.page.status, 400, code);
            assert.deepEqual(errorSummary(landing.page.html), [
              { text: 'The code must be 6 numbers', href: '#code' },
            ]);
          }
        });
      });

      test('Robustness (no 500): a 2,000-character email → 400 field error', async () => {
        const signIn = await startSignIn(server, rp);
        await unchanged(async () => {
          const email = `${'a'.repeat(2000 - '@example.nhs.uk'.length)}@example.nhs.uk`;
          const form = { csrf: signIn.csrf, email, password: person.password, code: '123456' };
          const landing = await signIn.browser.go(passwordTotpUrl(signIn.uid), { form });
          assert.ok(landing.kind === 'page' && landing.page.status === 400);
          assert.deepEqual(
            errorSummary(landing.page.html).map((e) => e.href),
            ['#email'],
          );
          assert.ok(landing.page.html.length < 100_000, 'the page does not echo unbounded input');
        });
      });

      test('NIST 800-63B-4 §3.1.1.2: a 5,000-character password → 400 field error, not hashed', async () => {
        const signIn = await startSignIn(server, rp);
        await unchanged(async () => {
          const form = { csrf: signIn.csrf, email: person.email, password: 'p'.repeat(5000), code: '123456' };
          const landing = await signIn.browser.go(passwordTotpUrl(signIn.uid), { form });
          assert.ok(landing.kind === 'page' && landing.page.status === 400);
          assert.deepEqual(
            errorSummary(landing.page.html).map((e) => e.href),
            ['#password'],
          );
          assert.doesNotMatch(landing.page.html, /p{100}/, 'the password is not echoed');
        });
      });

      test('Robustness (no 500): Unicode and control characters → the usual refusal, audited as a failure', async () => {
        const signIn = await startSignIn(server, rp);
        await unchanged(async () => {
          for (const [email, password] of [
            ['\u202eadmin\u202c@exämple.nhs.uk', 'pässwörd 😀 \u0007\u001b[31m'],
            ['ü😀@例え.テスト', '\u0000\u0001\u0002\u007f'],
            ['name@example.nhs.uk\r\nBcc: x@evil', 'line\r\nbreak'],
            ['\ud800@example.nhs.uk', '\udfff lone surrogate'],
            ['ＮＡＭＥ@ＥＸＡＭＰＬＥ.ＮＨＳ.ＵＫ', 'ﬁ ligature password'],
          ]) {
            const form = { csrf: signIn.csrf, email: email!, password: password!, code: '123456' };
            const landing = await signIn.browser.go(passwordTotpUrl(signIn.uid), { form });
            assert.equal(landing.kind, 'page');
            if (landing.kind !== 'page') continue;
            assert.ok(
              [400, 401].includes(landing.page.status),
              `${JSON.stringify(email)}: ${landing.page.status}`,
            );
            for (const control of ['\u0000', '\u0007', '\u001b']) {
              assert.ok(!landing.page.html.includes(control), 'control characters are not echoed raw');
            }
          }
        });
      });

      test('Robustness (no 500): an email with a U+0000 character → the usual refusal, not a 500', async () => {
        const signIn = await startSignIn(server, rp);
        await unchanged(async () => {
          const form = { csrf: signIn.csrf, email: 'a\u0000b@example.nhs.uk', password: 'x', code: '123456' };
          const landing = await signIn.browser.go(passwordTotpUrl(signIn.uid), { form });
          assert.ok(landing.kind === 'page' && landing.page.status === 401, 'expected the usual 401 refusal');
        });
      });

      test('Robustness (no 500): choose, role and abort with bad input → 4xx page', async () => {
        const signIn = await startSignIn(server, rp, { scope: 'openid selectedrole' });
        await unchanged(async () => {
          // choose: a method that does not exist
          const choose = await signIn.browser.go(`${server.url}/interaction/${signIn.uid}/choose`, {
            form: { csrf: signIn.csrf, method: 'smartcard"><script>' },
          });
          assert.ok(choose.kind === 'page' && choose.page.status === 400);
          assert.doesNotMatch(choose.page.html, /<script>/);
          // role before signing in: the interaction is at the login step
          const role = await signIn.browser.go(`${server.url}/interaction/${signIn.uid}/role`, {
            form: { csrf: signIn.csrf, role: person.roleIds[0]! },
          });
          assert.ok(role.kind === 'page' && role.page.status === 400);
          // abort for an interaction that is not this browser's
          const abort = await signIn.browser.go(`${server.url}/interaction/unknown/abort`, {
            form: { csrf: signIn.csrf },
          });
          assert.ok(abort.kind === 'page' && abort.page.status === 400);
        });
      });

      test('ASVS 8.2.2: a role that is not one of the person’s → 400 role page, nothing recorded', async () => {
        const other = await createTestPerson(server.db, server.sealer, {
          roles: [{ orgCode: 'RYY', jobRoleCode: 'R8000' }],
        });
        const signIn = await startSignIn(server, rp, { scope: 'openid selectedrole' });
        const landing = await signIn.browser.go(`${server.url}/interaction/${signIn.uid}/password-totp`, {
          form: {
            csrf: signIn.csrf,
            email: person.email,
            password: person.password,
            code: oathtoolCode(person.totpSecret, Date.now()),
          },
        });
        assert.ok(landing.kind === 'page', 'the role picker is shown');
        const action = /action="(\/interaction\/[^"]+\/role)"/.exec(landing.page.html)?.[1];
        assert.ok(action, landing.page.html.slice(0, 500));
        await unchanged(async () => {
          for (const role of [other.roleIds[0]!, '', 'x'.repeat(5000), `${person.roleIds[0]}' or '1'='1`]) {
            const response = await signIn.browser.go(`${server.url}${action}`, {
              form: { csrf: csrfToken(landing.page.html), role },
            });
            assert.ok(response.kind === 'page' && response.page.status === 400, role.slice(0, 30));
            assert.deepEqual(errorSummary(response.page.html), [{ text: 'Select a role', href: '#role' }]);
          }
        });
      });
    });

    describe('enrolment links', () => {
      async function newPerson() {
        const created = await createPerson(server.db, {
          givenName: 'Enrol',
          familyName: 'Tester',
          email: `enrol.${Date.now()}.${Math.random().toString(36).slice(2)}@example.nhs.uk`,
          idAssuranceLevel: 3,
        });
        const oldAuthenticator = await createAuthenticator(server.db, {
          personId: created.id,
          kind: 'password-totp',
          label: 'Microsoft Authenticator',
          status: 'active',
          data: { totpSecretSealed: '', lastUsedStep: null },
        });
        return { ...created, oldAuthenticator };
      }

      const link = async (personId: string, ttlMs = 10 * 60_000, nowMs = Date.now()) =>
        issueEnrolmentLink(server.db, { personId, kind: 'password-totp', createdBy: null, ttlMs }, nowMs);

      const notValid = 'This link is not valid';

      test('NIST 800-63B-4 §4.1.2.1: malformed and unknown enrolment links → 404 page', async () => {
        const browser = new Browser('https://nowhere.example');
        // A page with a form, for a CSRF token that is valid for this browser.
        const someone = await newPerson();
        const valid = await link(someone.id);
        const page = await browser.go(`${server.url}${valid.path}`);
        assert.ok(page.kind === 'page' && page.page.status === 200);
        const csrf = csrfToken(page.page.html);
        await unchanged(async () => {
          for (const token of [
            'abc',
            '..%2F..%2Fpackage.json',
            `${'A'.repeat(42)}!`,
            'A'.repeat(44),
            'A'.repeat(43),
            '%00',
          ]) {
            await expectErrorPage(await get(`${server.url}/enrol/${token}`), 404, notValid);
            const form = new URLSearchParams({
              csrf,
              password: STRONG_PASSWORD,
              confirmPassword: STRONG_PASSWORD,
              code: '123456',
            });
            await expectErrorPage(
              await rawPost(browser, `${server.url}/enrol/${token}`, form.toString(), FORM),
              404,
              notValid,
            );
          }
        });
      });

      test('NIST 800-63B-4 §4.1.2.1: an expired enrolment link → 404 page that says the link is not valid', async () => {
        const someone = await newPerson();
        const expired = await link(someone.id, 60_000, Date.now() - 120_000);
        await unchanged(async () => {
          const html = await expectErrorPage(await get(`${server.url}${expired.path}`), 404, notValid);
          assert.match(visibleText(html), /used already, or it may have expired/);
        });
      });

      test('NIST 800-63B-4 §4.1.2.1: a used enrolment link → 404 page that says the link is not valid', async () => {
        const someone = await newPerson();
        const used = await link(someone.id);
        assert.ok(await consumeEnrolmentLink(server.db, hashToken(used.token)));
        await unchanged(async () => {
          await expectErrorPage(await get(`${server.url}${used.path}`), 404, notValid);
        });
      });

      test('NIST 800-63B-4 §3.1.1.2: enrolment refuses a common password, a mismatch and a wrong code; then the right submission activates', async () => {
        const someone = await newPerson();
        const issued = await link(someone.id);
        const browser = new Browser('https://nowhere.example');
        const page = await browser.go(`${server.url}${issued.path}`);
        assert.ok(page.kind === 'page' && page.page.status === 200);
        const secret = /id="secret">([^<]*)</.exec(page.page.html)?.[1]?.replace(/\s+/g, '');
        assert.ok(secret, 'the key is shown for people who cannot scan the QR code');
        const csrf = csrfToken(page.page.html);
        const url = `${server.url}${issued.path}`;
        const submit = (fields: Record<string, string>) => browser.go(url, { form: { csrf, ...fields } });
        const code = () => oathtoolCode(secret, Date.now());

        await unchanged(async () => {
          const weak = await submit({ password: 'password1', confirmPassword: 'password1', code: code() });
          assert.ok(weak.kind === 'page' && weak.page.status === 400);
          assert.deepEqual(errorSummary(weak.page.html), [
            { text: 'This password is too common. Choose a different one', href: '#password' },
          ]);

          const mismatch = await submit({
            password: STRONG_PASSWORD,
            confirmPassword: `${STRONG_PASSWORD}!`,
            code: code(),
          });
          assert.ok(mismatch.kind === 'page' && mismatch.page.status === 400);
          assert.deepEqual(errorSummary(mismatch.page.html), [
            { text: 'The passwords do not match', href: '#confirmPassword' },
          ]);

          const wrongCode = oathtoolCode(secret, Date.now() - 10 * 60_000);
          const wrong = await submit({
            password: STRONG_PASSWORD,
            confirmPassword: STRONG_PASSWORD,
            code: wrongCode,
          });
          assert.ok(wrong.kind === 'page' && wrong.page.status === 400);
          assert.deepEqual(
            errorSummary(wrong.page.html).map((e) => e.href),
            ['#code'],
          );

          const again = await browser.go(url);
          assert.ok(again.kind === 'page' && again.page.status === 200, 'the link is still usable');
          assert.equal(
            /id="secret">([^<]*)</.exec(again.page.html)?.[1]?.replace(/\s+/g, ''),
            secret,
            'the same pending key is shown again',
          );
        });

        const done = await submit({
          password: STRONG_PASSWORD,
          confirmPassword: STRONG_PASSWORD,
          code: code(),
        });
        assert.ok(done.kind === 'page' && done.page.status === 200);
        assert.equal(heading(done.page.html), 'Microsoft Authenticator is set up');

        const authenticators = await server.db
          .selectFrom('authenticators')
          .select(['id', 'status'])
          .where('person_id', '=', someone.id)
          .execute();
        assert.equal(authenticators.find((a) => a.id === someone.oldAuthenticator)?.status, 'revoked');
        assert.deepEqual(
          authenticators.filter((a) => a.status === 'active').length,
          1,
          'exactly one active authenticator: the new one',
        );
        const row = await server.db
          .selectFrom('enrolment_tokens')
          .select('used_at')
          .where('token_hash', '=', hashToken(issued.token))
          .executeTakeFirstOrThrow();
        assert.notEqual(row.used_at, null, 'the link is now used');
        await expectErrorPage(await get(url), 404, notValid);
      });
    });
  });
}

if (!postgresUrl) {
  describe('bad input [postgres]', () => {
    test(POSTGRES_SKIP_MESSAGE, { skip: true }, () => {});
  });
}
