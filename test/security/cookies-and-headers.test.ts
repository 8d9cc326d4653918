// Security headers on every kind of response (RFC 9700 §4.16, ASVS 3.4) and the cookies a sign-in
// sets (NIST 800-63B-4 §5.1, ASVS 3.3.1-3.3.4, 7.2.4), on a plain-http node and on an https node
// behind a TLS-terminating proxy.
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { registerClient } from '../../src/oidc/clients.ts';
import { pathProfiles } from '../../src/oidc/paths.ts';
import { csrfToken, formAction, type Landing, roleChoices } from '../helpers/browser.ts';
import { heading } from '../helpers/pages.ts';
import { createTestPerson, nextCode, type TestPerson } from '../helpers/people.ts';
import { type ParsedSetCookie, ProxiedBrowser, parseSetCookie } from '../helpers/proxied-browser.ts';
import { createRelyingParty, type TestRelyingParty } from '../helpers/relying-party.ts';
import { startSignIn } from '../helpers/sign-in.ts';
import { startTestServer, type TestServer } from '../helpers/test-server.ts';

function assertSecurityHeaders(headers: Headers, label: string): void {
  const csp = headers.get('content-security-policy') ?? '';
  assert.match(csp, /(^|;\s*)frame-ancestors 'none'(;|$)/, `${label}: CSP frame-ancestors 'none'`);
  assert.equal(headers.get('x-frame-options'), 'DENY', `${label}: X-Frame-Options`);
  assert.equal(headers.get('x-content-type-options'), 'nosniff', `${label}: X-Content-Type-Options`);
  assert.equal(headers.get('referrer-policy'), 'no-referrer', `${label}: Referrer-Policy`);
}

describe('security headers on a plain-http node', () => {
  let server: TestServer;
  let rp: TestRelyingParty;
  before(async () => {
    server = await startTestServer();
    rp = await createRelyingParty(server);
  });
  after(async () => {
    await server.close();
  });

  async function responses(): Promise<[string, Response][]> {
    const signIn = await startSignIn(server, rp);
    const form = { 'content-type': 'application/x-www-form-urlencoded' };
    const targets: [string, string, RequestInit?][] = [
      ['home page', `${server.url}/`],
      [
        'sign-in page',
        signIn.page.url,
        { headers: { cookie: [...signIn.browser.cookies].map(([n, v]) => `${n}=${v}`).join('; ') } },
      ],
      ['404 page', `${server.url}/no-such-page`],
      ['enrolment link error page', `${server.url}/enrol/unknown`],
      ['stylesheet', `${server.url}/static/care-identity.css`],
      ['authorization error page', `${server.issuer}/authorize?client_id=unknown`],
      ['authorization redirect', signIn.request.url.href],
      ['discovery', `${server.issuer}/.well-known/openid-configuration`],
      ['JWKS', `${server.issuer}/connect/jwk_uri`],
      [
        'token endpoint error',
        `${server.issuer}/access_token`,
        { method: 'POST', headers: form, body: 'grant_type=x' },
      ],
      ['UserInfo error', `${server.issuer}/userinfo`],
      ['end-session page', `${server.issuer}/connect/endSession`, { headers: { accept: 'text/html' } }],
      [
        'CSRF refusal',
        `${server.url}/interaction/${signIn.uid}/password-totp`,
        { method: 'POST', headers: form, body: 'csrf=x' },
      ],
    ];
    const out: [string, Response][] = [];
    for (const [label, url, init] of targets) {
      const response = await fetch(url, { redirect: 'manual', ...init });
      await response.body?.cancel();
      out.push([label, response]);
    }
    return out;
  }

  test("RFC 9700 §4.16 / ASVS 3.4.6: pages and engine endpoints forbid framing (CSP frame-ancestors 'none', X-Frame-Options DENY)", async () => {
    for (const [label, response] of await responses()) {
      assert.ok(response.status < 500, `${label}: ${response.status}`);
      assertSecurityHeaders(response.headers, `${label} (${response.status})`);
    }
  });

  test('ASVS 14.3.2: sign-in, enrolment and error pages are not cached (Cache-Control: no-store)', async () => {
    for (const [label, response] of await responses()) {
      if (!(response.headers.get('content-type') ?? '').startsWith('text/html')) continue;
      if (label === 'stylesheet' || response.status === 303) continue;
      assert.match(response.headers.get('cache-control') ?? '', /no-store/, `${label} (${response.status})`);
    }
  });

  test('RFC 9700 §2.6: no CORS on the authorization endpoint', async () => {
    const signIn = await startSignIn(server, rp);
    const origin = 'https://evil.example';
    const response = await fetch(signIn.request.url, { redirect: 'manual', headers: { origin } });
    await response.body?.cancel();
    assert.equal(response.headers.get('access-control-allow-origin'), null);
    const preflight = await fetch(`${server.issuer}/authorize`, {
      method: 'OPTIONS',
      headers: { origin, 'access-control-request-method': 'GET' },
    });
    await preflight.body?.cancel();
    assert.equal(preflight.headers.get('access-control-allow-origin'), null);
  });

  test('ASVS 3.4.1 / NIST 800-63B-4 §5.1: no Strict-Transport-Security over plain http', async () => {
    for (const [label, response] of await responses()) {
      assert.equal(response.headers.get('strict-transport-security'), null, label);
    }
  });
});

describe('cookies and headers on an https node behind a proxy', () => {
  const publicUrl = 'https://idp.example.test';
  const redirectUri = 'https://rp.example.test/callback';
  const clientId = 'cookie-test.apps.example';
  const issuerPath = pathProfiles.cis2.issuerPath;
  let server: TestServer;
  let withRoles: TestPerson;

  before(async () => {
    server = await startTestServer({ config: { publicUrl, trustProxy: true } });
    await registerClient(server.db, server.sealer, server.provider, {
      client_id: clientId,
      client_name: 'Cookie test application',
      redirect_uris: [redirectUri],
      token_endpoint_auth_method: 'client_secret_post',
      grant_types: ['authorization_code'],
      response_types: ['code'],
      minimum_aal: 2,
    });
    withRoles = await createTestPerson(server.db, server.sealer, {
      roles: [
        { orgCode: 'RXX', jobRoleCode: 'R8000' },
        { orgCode: 'A99999', jobRoleCode: 'R8008' },
      ],
    });
  });
  after(async () => {
    await server.close();
  });

  function authorizationUrl(params: Record<string, string> = {}): string {
    const verifier = randomBytes(32).toString('base64url');
    const query = new URLSearchParams({
      client_id: clientId,
      response_type: 'code',
      scope: 'openid profile',
      redirect_uri: redirectUri,
      state: randomBytes(16).toString('base64url'),
      nonce: randomBytes(16).toString('base64url'),
      code_challenge: createHash('sha256').update(verifier).digest('base64url'),
      code_challenge_method: 'S256',
      ...params,
    });
    return `${publicUrl}${issuerPath}/authorize?${query}`;
  }

  /** Drives the pages from the relying party back to it, as completeSignIn does for Browser. */
  async function signIn(browser: ProxiedBrowser, person: TestPerson, params: Record<string, string> = {}) {
    let landing: Landing = await browser.go(authorizationUrl(params));
    for (let steps = 0; steps < 6 && landing.kind === 'page'; steps++) {
      const { html } = landing.page;
      const passwordTotp = formAction(html, '/password-totp');
      const choose = formAction(html, '/choose');
      const role = formAction(html, '/role');
      if (passwordTotp) {
        landing = await browser.go(passwordTotp, {
          form: {
            csrf: csrfToken(html),
            email: person.email,
            password: person.password,
            code: await nextCode(person),
          },
        });
      } else if (choose) {
        landing = await browser.go(choose, { form: { csrf: csrfToken(html), method: 'password-totp' } });
      } else if (role) {
        landing = await browser.go(role, { form: { csrf: csrfToken(html), role: roleChoices(html)[0]! } });
      } else if (html.includes('<title>Submitting Callback</title>')) {
        // The engine's self-submitting form (another person signing in on this browser first ends
        // the old session): submit it as the browser's script would.
        const action = /<form method="post" action="([^"]+)"/.exec(html)?.[1] ?? '';
        const inputs = [...html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)"/g)];
        landing = await browser.go(action.replace(/&amp;/g, '&'), {
          form: Object.fromEntries(inputs.map((m) => [m[1]!, m[2]!])),
        });
      } else {
        break;
      }
    }
    assert.equal(
      landing.kind,
      'callback',
      landing.kind === 'page'
        ? `${landing.page.status} ${heading(landing.page.html)} (${/Reference: <code>([^<]*)</.exec(landing.page.html)?.[1] ?? landing.page.html.slice(0, 300)})`
        : '',
    );
    if (landing.kind !== 'callback') throw new Error('unreachable');
    assert.ok(landing.url.searchParams.get('code'), landing.url.href);
    return landing.url;
  }

  const newBrowser = () => new ProxiedBrowser(server.url, publicUrl, redirectUri);

  test('RFC 9700 §4.16 / ASVS 3.4.1: behind the proxy every response carries HSTS and the framing headers', async () => {
    const browser = newBrowser();
    const urls = [
      `${publicUrl}/`,
      authorizationUrl(),
      `${publicUrl}/no-such-page`,
      `${publicUrl}${issuerPath}/.well-known/openid-configuration`,
      `${publicUrl}${issuerPath}/userinfo`,
    ];
    for (const url of urls) {
      const response = await browser.request(url);
      assert.ok(response.status < 500, `${url}: ${response.status}`);
      assert.match(response.headers.get('strict-transport-security') ?? '', /max-age=\d{8,}/, url);
      assertSecurityHeaders(response.headers, url);
    }
    const landing = await browser.go(authorizationUrl());
    assert.ok(landing.kind === 'page' && landing.page.status === 200);
    assert.match(landing.page.headers.get('strict-transport-security') ?? '', /max-age=\d{8,}/);
    assertSecurityHeaders(landing.page.headers, 'sign-in page');
  });

  test('NIST 800-63B-4 §5.1 / ASVS 3.3.1-3.3.4: every cookie of a sign-in is Secure, HttpOnly and SameSite, with the right prefix and scope', async () => {
    const browser = newBrowser();
    await signIn(browser, withRoles, { scope: 'openid profile selectedrole' });
    const cookies = browser.setCookieLines.map(parseSetCookie);
    const family = (cookie: ParsedSetCookie) => cookie.name.replace(/\.sig$/, '');
    const families = new Set(cookies.map(family));
    for (const expected of [
      '__Host-care_session',
      '__Host-care_csrf',
      '__Secure-care_interaction',
      '__Secure-care_resume',
    ]) {
      assert.ok(families.has(expected), `${expected} was set (saw ${[...families].join(', ')})`);
    }
    for (const cookie of cookies) {
      const line = `${cookie.name}; ${[...cookie.attributes].map(([k, v]) => (v ? `${k}=${v}` : k)).join('; ')}`;
      assert.ok(cookie.attributes.has('secure'), `Secure: ${line}`);
      assert.ok(cookie.attributes.has('httponly'), `HttpOnly: ${line}`);
      assert.match(cookie.attributes.get('samesite') ?? '', /^(lax|strict)$/i, `SameSite: ${line}`);
      assert.ok(!cookie.attributes.has('domain'), `no Domain (host-only): ${line}`);
      const name = family(cookie);
      if (name === '__Host-care_session' || name === '__Host-care_csrf') {
        assert.equal(cookie.attributes.get('path'), '/', `__Host- cookies have Path=/: ${line}`);
      } else if (name === '__Secure-care_interaction') {
        assert.match(
          cookie.attributes.get('path') ?? '',
          /^\/interaction\/[^/]+$/,
          `scoped to its interaction: ${line}`,
        );
      } else if (name === '__Secure-care_resume') {
        assert.match(
          cookie.attributes.get('path') ?? '',
          new RegExp(`^${issuerPath}/authorize/[^/]+$`),
          `scoped to its resume URL: ${line}`,
        );
      } else {
        assert.ok(
          name.startsWith('__Host-') || name.startsWith('__Secure-'),
          `any other cookie uses a secure prefix: ${line}`,
        );
      }
    }
    const csrf = cookies.find((c) => c.name === '__Host-care_csrf');
    assert.equal(
      csrf?.attributes.get('samesite')?.toLowerCase(),
      'strict',
      'the CSRF secret is SameSite=Strict',
    );
  });

  test('NIST 800-63B-4 §5.1: cookie values carry no personal data', async () => {
    const browser = newBrowser();
    await signIn(browser, withRoles, { scope: 'openid profile selectedrole' });
    const personal = [
      withRoles.email,
      withRoles.email.split('@')[0]!,
      withRoles.id,
      ...withRoles.roleIds,
    ].map((s) => s.toLowerCase());
    for (const cookie of browser.setCookieLines.map(parseSetCookie)) {
      if (!cookie.value) continue;
      const forms = [
        cookie.value,
        decodeURIComponent(cookie.value),
        Buffer.from(cookie.value, 'base64url').toString('latin1'),
      ];
      for (const form of forms.map((f) => f.toLowerCase())) {
        for (const value of personal) {
          assert.ok(!form.includes(value), `${cookie.name} must not carry ${value}`);
        }
      }
    }
  });

  /** The session cookie values this browser was sent, in order. */
  const sessionValues = (browser: ProxiedBrowser) =>
    browser.setCookieLines
      .map(parseSetCookie)
      .filter((c) => c.name === '__Host-care_session' && c.value)
      .map((c) => c.value);

  /** Whether these session cookies still sign someone in (prompt=none gives a code, not login_required). */
  async function stillSignedIn(sessionCookies: Map<string, string>): Promise<boolean> {
    const replay = newBrowser();
    for (const [name, value] of sessionCookies) replay.cookies.set(name, value);
    const landing = await replay.go(authorizationUrl({ prompt: 'none' }));
    assert.equal(landing.kind, 'callback', 'prompt=none always returns to the relying party');
    if (landing.kind !== 'callback') return false;
    if (landing.url.searchParams.get('code')) return true;
    assert.equal(landing.url.searchParams.get('error'), 'login_required');
    return false;
  }

  const sessionCookiesOf = (browser: ProxiedBrowser) =>
    new Map([...browser.cookies].filter(([name]) => name.startsWith('__Host-care_session')));

  test('ASVS 7.2.4: re-authentication issues a new session cookie, never one the browser held before, and the old one stops working', async () => {
    const person = await createTestPerson(server.db, server.sealer);
    const browser = newBrowser();
    await signIn(browser, person);
    const before = sessionValues(browser);
    assert.equal(before.length, 1, 'one session cookie for the first sign-in');
    const oldSession = sessionCookiesOf(browser);
    assert.equal(oldSession.size, 2, 'the session cookie and its signature');
    assert.ok(await stillSignedIn(oldSession), 'the first session works before re-authentication');

    await signIn(browser, person, { prompt: 'login' });
    const after = sessionValues(browser);
    assert.ok(after.length > before.length, 'a session cookie is set when signing in again');
    assert.ok(!before.includes(after.at(-1)!), 'the session id after signing in is new');
    assert.equal(await stillSignedIn(oldSession), false, 'the old session id no longer signs anyone in');
    assert.ok(await stillSignedIn(sessionCookiesOf(browser)), 'the new one does');
  });

  test('ASVS 7.2.4: when someone signs in on a browser holding another person’s (or a planted) session, they get a new session', async () => {
    const victim = await createTestPerson(server.db, server.sealer);
    const attacker = await createTestPerson(server.db, server.sealer);
    const attackersBrowser = newBrowser();
    await signIn(attackersBrowser, attacker);
    const planted = sessionCookiesOf(attackersBrowser);

    const browser = newBrowser();
    for (const [name, value] of planted) browser.cookies.set(name, value);
    await signIn(browser, victim, { prompt: 'login' });
    const issued = sessionValues(browser);
    assert.ok(issued.length > 0, 'a session cookie is issued');
    assert.ok(
      !sessionValues(attackersBrowser).includes(issued.at(-1)!),
      'the planted session id is not kept',
    );
    assert.equal(await stillSignedIn(planted), false, 'the planted session no longer signs anyone in');
  });

  test('NIST 800-63B-4 §5.1 (no fallback to http): a plain-http request to the https node gets a 4xx or a redirect to https, never a 500', async () => {
    const browser = newBrowser();
    for (const url of [`${publicUrl}/`, authorizationUrl(), `${publicUrl}/enrol/${'A'.repeat(43)}`]) {
      const response = await browser.request(url, { headers: { 'x-forwarded-proto': 'http' } });
      assert.ok(response.status < 500, `${url}: ${response.status} ${response.body.slice(0, 100)}`);
      if (response.status >= 300 && response.status < 400) {
        assert.match(response.headers.get('location') ?? '', /^https:\/\//);
      }
    }
  });
});
