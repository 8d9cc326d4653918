// RP-initiated logout (OpenID RP-Initiated Logout 1.0) and back-channel logout (OpenID
// Back-Channel Logout 1.0, contract §12.3): the confirmed logout tells the relying party with a
// signed logout token carrying the ID token's sid, redirects to the registered post-logout URI,
// and ends the IdP session; an unregistered post-logout URI is never redirected to.
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import { createRemoteJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import { Browser } from '../helpers/browser.ts';
import { createTestPerson } from '../helpers/people.ts';
import { createRelyingParty, type TestRelyingParty } from '../helpers/relying-party.ts';
import { startTestServer, type TestServer } from '../helpers/test-server.ts';
import { callbackOf, pageOf, pageTitle, signInAndExchange } from './support.ts';

const BACKCHANNEL_EVENT = 'http://schemas.openid.net/event/backchannel-logout';

let server: TestServer;
let receiver: Server;
let receiverUrl: string;
/** Logout tokens the relying party's back-channel endpoint received, by path. */
const received: { path: string; contentType: string; body: URLSearchParams }[] = [];

before(async () => {
  receiver = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      received.push({
        path: req.url ?? '',
        contentType: req.headers['content-type'] ?? '',
        body: new URLSearchParams(Buffer.concat(chunks).toString('utf8')),
      });
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
  // The engine refuses outgoing calls to loopback and private addresses (SSRF protection); the
  // relying party here listens on loopback, so the operator setting names it, as an operator
  // would name relying parties on HSCN.
  server = await startTestServer({ config: { outboundPrivateHosts: ['127.0.0.1'] } });
});
after(async () => {
  await server.close();
  receiver.closeAllConnections();
  await new Promise((resolve) => receiver.close(resolve));
});

function endSessionUrl(rp: TestRelyingParty, params: Record<string, string>): URL {
  const url = new URL(rp.config.serverMetadata().end_session_endpoint!);
  for (const [name, value] of Object.entries(params)) url.searchParams.set(name, value);
  return url;
}

/** GETs the end-session endpoint, then confirms on the logout page: the final response (not followed). */
async function logOut(browser: Browser, url: URL): Promise<Response> {
  const landing = await browser.go(url.href);
  const page = pageOf(landing);
  assert.equal(page.status, 200, pageTitle(page));
  const action = /<form method="post" action="([^"]+)"/.exec(page.html)?.[1];
  const xsrf = /name="xsrf" value="([^"]+)"/.exec(page.html)?.[1];
  assert.ok(action && xsrf, 'the logout page asks to confirm, with its xsrf field');
  return browser.request(new URL(action.replaceAll('&amp;', '&'), url).href, {
    form: { xsrf, logout: 'yes' },
  });
}

test('oidcc-backchannel-rp-initiated-logout: logout token to the RP, redirect to post_logout_redirect_uri, session ended', async () => {
  const path = `/bc/${Date.now()}`;
  const rp = await createRelyingParty(server, {
    metadata: { backchannel_logout_uri: `${receiverUrl}${path}`, backchannel_logout_session_required: true },
  });
  const person = await createTestPerson(server.db, server.sealer);
  const { browser, tokens, claims } = await signInAndExchange(server, rp, person);
  assert.equal(typeof claims['sid'], 'string');

  const state = 'logout-state-123';
  const response = await logOut(
    browser,
    endSessionUrl(rp, {
      id_token_hint: tokens.id_token!,
      post_logout_redirect_uri: rp.postLogoutRedirectUri,
      state,
    }),
  );
  assert.ok(response.status >= 300 && response.status < 400, `a redirect, got ${response.status}`);
  const location = new URL(response.headers.get('location')!, server.url);
  assert.equal(location.origin + location.pathname, rp.postLogoutRedirectUri);
  assert.equal(location.searchParams.get('state'), state);

  const calls = received.filter((r) => r.path === path);
  assert.equal(calls.length, 1, 'the back-channel logout URI is called once');
  const call = calls[0]!;
  assert.match(call.contentType, /application\/x-www-form-urlencoded/);
  const logoutToken = call.body.get('logout_token');
  assert.ok(logoutToken, 'form field logout_token');
  const jwks = createRemoteJWKSet(new URL(rp.config.serverMetadata().jwks_uri!));
  const { payload, protectedHeader } = await jwtVerify(logoutToken, jwks, {
    issuer: server.issuer,
    audience: rp.clientId,
  });
  assert.equal(protectedHeader.alg, decodeProtectedHeader(tokens.id_token!).alg);
  assert.equal(payload.sub, person.id);
  assert.equal(payload['sid'], claims['sid']);
  assert.equal(typeof payload.iat, 'number');
  assert.equal(typeof payload.jti, 'string');
  assert.ok(payload.jti!.length > 0);
  assert.deepEqual(payload['events'], { [BACKCHANNEL_EVENT]: {} });
  assert.ok(!('nonce' in payload), 'a logout token must not carry a nonce');

  // The IdP session is over: a silent request must fail.
  const request = await rp.authorizationRequest({ prompt: 'none' });
  const silent = callbackOf(await browser.go(request.url.href));
  assert.equal(silent.searchParams.get('error'), 'login_required');
  assert.equal(silent.searchParams.get('code'), null);
});

test('oidcc-backchannel-rp-initiated-logout (other RPs): every application in the session is told', async () => {
  const paths = [`/bc-a/${Date.now()}`, `/bc-b/${Date.now()}`];
  const [a, b] = await Promise.all(
    paths.map((path) =>
      createRelyingParty(server, {
        metadata: {
          backchannel_logout_uri: `${receiverUrl}${path}`,
          backchannel_logout_session_required: true,
        },
      }),
    ),
  );
  const person = await createTestPerson(server.db, server.sealer);
  const first = await signInAndExchange(server, a!, person);
  const browserB = new Browser(b!.redirectUri, first.browser.cookies);
  const second = await signInAndExchange(server, b!, person, {}, { browser: browserB });
  assert.equal(second.claims.auth_time, first.claims.auth_time, 'one IdP session (single sign-on)');

  const response = await logOut(
    first.browser,
    endSessionUrl(a!, {
      id_token_hint: first.tokens.id_token!,
      post_logout_redirect_uri: a!.postLogoutRedirectUri,
    }),
  );
  assert.ok(response.status >= 300 && response.status < 400);
  const jwks = createRemoteJWKSet(new URL(a!.config.serverMetadata().jwks_uri!));
  for (const [index, [rp, signedIn]] of (
    [
      [a!, first],
      [b!, second],
    ] as const
  ).entries()) {
    const call = received.find((r) => r.path === paths[index]);
    assert.ok(call, `${rp.clientId} is told`);
    const { payload } = await jwtVerify(call.body.get('logout_token')!, jwks, {
      issuer: server.issuer,
      audience: rp.clientId,
    });
    assert.equal(payload.sub, person.id);
    assert.equal(payload['sid'], signedIn.claims['sid'], 'the sid of the ID token that application holds');
  }
});

test('oidcc-rp-initiated-logout-bad-post-logout-redirect-uri: an unregistered post_logout_redirect_uri is not redirected to', async () => {
  const rp = await createRelyingParty(server);
  const person = await createTestPerson(server.db, server.sealer);
  const { browser, tokens } = await signInAndExchange(server, rp, person);
  const evil = 'https://attacker.example.test/signed-out';
  const response = await browser.request(
    endSessionUrl(rp, { id_token_hint: tokens.id_token!, post_logout_redirect_uri: evil }).href,
  );
  const html = await response.text();
  assert.ok(response.status >= 400 && response.status < 500, `an error page, got ${response.status}`);
  assert.equal(response.headers.get('location'), null);
  assert.ok(!html.includes(evil), 'the page does not link to the unregistered URI either');

  // Nothing was ended: the session still answers silently.
  const request = await rp.authorizationRequest({ prompt: 'none' });
  assert.ok(callbackOf(await browser.go(request.url.href)).searchParams.get('code'));
});

test('oidcc-rp-initiated-logout-query-added-to-post-logout-redirect-uri: a query added to the registered URI is refused', async () => {
  const rp = await createRelyingParty(server);
  const person = await createTestPerson(server.db, server.sealer);
  const { browser, tokens } = await signInAndExchange(server, rp, person);
  const response = await browser.request(
    endSessionUrl(rp, {
      id_token_hint: tokens.id_token!,
      post_logout_redirect_uri: `${rp.postLogoutRedirectUri}?extra=1`,
    }).href,
  );
  await response.body?.cancel();
  assert.ok(response.status >= 400 && response.status < 500, `an error page, got ${response.status}`);
  assert.equal(response.headers.get('location'), null);
});
