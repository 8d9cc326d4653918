// Redirect URIs: only an exact registered value is ever redirected to; anything else gets an error
// page from the IdP itself, with no redirect (an open redirector would leak codes and errors).
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { decodeJwt } from 'jose';
import { ClientRegistrationError, registerClient } from '../../src/oidc/clients.ts';
import { Browser } from '../helpers/browser.ts';
import { createTestPerson } from '../helpers/people.ts';
import { createRelyingParty, type TestRelyingParty } from '../helpers/relying-party.ts';
import { startTestServer, type TestServer } from '../helpers/test-server.ts';
import { offersSignIn, pageOf, pageTitle, postToken, signIn, without } from './support.ts';

let server: TestServer;
before(async () => {
  server = await startTestServer();
});
after(async () => {
  await server.close();
});

/** One request, no redirects followed: the IdP must answer with its own error page. */
async function assertErrorPageWithoutRedirect(url: URL, expectedTitle: RegExp): Promise<void> {
  const response = await new Browser('https://never.example.test/').request(url.href);
  const html = await response.text();
  assert.ok(response.status >= 400 && response.status < 500, `expected a 4xx page, got ${response.status}`);
  assert.equal(response.headers.get('location'), null, 'the IdP must not redirect');
  assert.match(response.headers.get('content-type') ?? '', /text\/html/);
  assert.match(
    pageTitle({ status: response.status, url: url.href, html, headers: response.headers }),
    expectedTitle,
  );
}

async function requestWithRedirectUri(rp: TestRelyingParty, redirectUri: string): Promise<URL> {
  return (await rp.authorizationRequest({ redirect_uri: redirectUri })).url;
}

test('oidcc-ensure-registered-redirect-uri: an unregistered redirect_uri gets an error page, no redirect', async () => {
  const rp = await createRelyingParty(server);
  await assertErrorPageWithoutRedirect(
    await requestWithRedirectUri(rp, 'https://attacker.example.test/callback'),
    /wrong address/,
  );
  // Same host and path prefix, different path: still not registered.
  await assertErrorPageWithoutRedirect(
    await requestWithRedirectUri(rp, `${rp.redirectUri}/extra`),
    /wrong address/,
  );
});

test('oidcc-redirect-uri-query-mismatch: a registered query component that differs is refused', async () => {
  const registered = 'https://rp-query.example.test/callback?tenant=a';
  const rp = await createRelyingParty(server, { metadata: { redirect_uris: [registered] } });
  await assertErrorPageWithoutRedirect(
    await requestWithRedirectUri(rp, 'https://rp-query.example.test/callback?tenant=b'),
    /wrong address/,
  );
});

test('oidcc-redirect-uri-query-added: a query component added to the registered URI is refused', async () => {
  const rp = await createRelyingParty(server);
  await assertErrorPageWithoutRedirect(
    await requestWithRedirectUri(rp, `${rp.redirectUri}?extra=1`),
    /wrong address/,
  );
});

test('oidcc-redirect-uri-query-OK: a registered query component used exactly works, and is kept', async () => {
  const registered = 'https://rp-query-ok.example.test/callback?tenant=a';
  const rp = await createRelyingParty(server, {
    auth: 'client_secret_post',
    metadata: { redirect_uris: [registered] },
  });
  const person = await createTestPerson(server.db, server.sealer);
  const browser = new Browser(registered);
  const { callback, request } = await signIn(server, rp, person, { redirect_uri: registered }, { browser });
  assert.equal(callback.searchParams.get('tenant'), 'a');
  assert.equal(callback.searchParams.get('state'), request.state);
  // openid-client strips the query from the redirect URI it sends, so the exchange is made by hand
  // with the registered value, query included.
  const token = await postToken(rp, {
    grant_type: 'authorization_code',
    code: callback.searchParams.get('code')!,
    redirect_uri: registered,
    code_verifier: request.verifier,
    client_id: rp.clientId,
    client_secret: rp.clientSecret!,
  });
  assert.equal(token.status, 200, JSON.stringify(token.body));
  assert.equal(decodeJwt(String(token.body['id_token'])).sub, person.id);
});

test('oidcc-redirect-uri-regfrag: a redirect URI with a fragment cannot be registered', async () => {
  const metadata = {
    client_id: `fragment.apps.supplier.${process.pid}`,
    redirect_uris: ['https://rp-fragment.example.test/callback#frag'],
    token_endpoint_auth_method: 'client_secret_post',
  };
  await assert.rejects(
    registerClient(server.db, server.sealer, server.provider, metadata),
    (error: unknown) => error instanceof ClientRegistrationError && /fragment/i.test(error.message),
  );
  // The same registration without the fragment is accepted.
  await registerClient(server.db, server.sealer, server.provider, {
    ...metadata,
    redirect_uris: ['https://rp-fragment.example.test/callback'],
  });
});

test('oidcc-ensure-redirect-uri-in-authorization-request: a request without redirect_uri gets an error page, no redirect', async () => {
  const rp = await createRelyingParty(server);
  const { url } = await rp.authorizationRequest();
  await assertErrorPageWithoutRedirect(without(url, 'redirect_uri'), /cannot be accepted/);
});

test('oidcc-ensure-registered-redirect-uri (control): the registered redirect_uri reaches the sign-in form', async () => {
  const rp = await createRelyingParty(server);
  const browser = new Browser(rp.redirectUri);
  const landing = await browser.go((await requestWithRedirectUri(rp, rp.redirectUri)).href);
  assert.ok(offersSignIn(landing), `expected the sign-in form, got ${pageTitle(pageOf(landing))}`);
});
