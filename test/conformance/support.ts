// Shared steps for the conformance tests: sign in through the real pages, exchange codes with the
// real relying party, and make the raw requests the conformance suite makes (bad parameters,
// replayed codes, forged client assertions).
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { importJWK, SignJWT } from 'jose';
import * as client from 'openid-client';
import {
  Browser,
  completeSignIn,
  csrfToken,
  formAction,
  type Landing,
  type Page,
  type SignInChoices,
} from '../helpers/browser.ts';
import type { TestPerson } from '../helpers/people.ts';
import type { AuthorizationRequest, TestRelyingParty } from '../helpers/relying-party.ts';
import type { TestServer } from '../helpers/test-server.ts';

/** The callback URL the browser landed on, or a failure that shows the page it stopped at. */
export function callbackOf(landing: Landing): URL {
  if (landing.kind === 'page') {
    assert.fail(
      `expected a redirect to the relying party, got page ${landing.page.status}: ${pageTitle(landing.page)}`,
    );
  }
  return landing.url;
}

export function pageOf(landing: Landing): Page {
  if (landing.kind === 'callback') assert.fail(`expected a page, got a redirect to ${landing.url.href}`);
  return landing.page;
}

/** The page's heading, for assertions and failure messages. */
export function pageTitle(page: Page): string {
  return /<h1[^>]*>([^<]*)<\/h1>/.exec(page.html)?.[1]?.trim() ?? '(no heading)';
}

export function isSignInForm(landing: Landing): boolean {
  return landing.kind === 'page' && /action="[^"]*\/password-totp"/.test(landing.page.html);
}

/** A page asking how to sign in, with Microsoft Authenticator among the choices. */
export function isMethodChoice(landing: Landing): boolean {
  return (
    landing.kind === 'page' &&
    formAction(landing.page.html, '/choose') !== undefined &&
    /name="method"[^>]*value="password-totp"/.test(landing.page.html)
  );
}

/** The journey asks the person to sign in with Microsoft Authenticator (directly or as a choice). */
export function offersSignIn(landing: Landing): boolean {
  return isSignInForm(landing) || isMethodChoice(landing);
}

/** From a page asking how to sign in, picks Microsoft Authenticator; other landings are returned as they are. */
export async function chooseMicrosoftAuthenticator(
  browser: Browser,
  server: TestServer,
  landing: Landing,
): Promise<Landing> {
  if (!isMethodChoice(landing) || landing.kind !== 'page') return landing;
  const action = formAction(landing.page.html, '/choose')!;
  return browser.go(new URL(action, server.url).href, {
    form: { csrf: csrfToken(landing.page.html), method: 'password-totp' },
  });
}

/** Drives the sign-in pages (method choice, form, role picker) from wherever the journey stands. */
export async function finishSignIn(
  browser: Browser,
  server: TestServer,
  landing: Landing,
  person: TestPerson,
  choices: SignInChoices = {},
): Promise<Landing> {
  return completeSignIn(
    browser,
    server.url,
    await chooseMicrosoftAuthenticator(browser, server, landing),
    person,
    choices,
  );
}

export function isRolePicker(landing: Landing): boolean {
  return landing.kind === 'page' && /action="[^"]*\/role"/.test(landing.page.html);
}

/** Removes parameters from an authorization URL (the request helper always sends PKCE, state, nonce). */
export function without(url: URL, ...names: string[]): URL {
  const copy = new URL(url);
  for (const name of names) copy.searchParams.delete(name);
  return copy;
}

/** Sends the browser to an authorization URL and signs in: the callback it reaches. */
export async function signInAt(
  server: TestServer,
  browser: Browser,
  url: URL,
  person: TestPerson,
  choices: SignInChoices = {},
): Promise<URL> {
  return callbackOf(await finishSignIn(browser, server, await browser.go(url.href), person, choices));
}

export interface SignedIn {
  browser: Browser;
  request: AuthorizationRequest;
  callback: URL;
}

/** A full sign-in from a fresh (or the given) browser to the relying party's redirect URI. */
export async function signIn(
  server: TestServer,
  rp: TestRelyingParty,
  person: TestPerson,
  params: Record<string, string> = {},
  options: SignInChoices & { browser?: Browser } = {},
): Promise<SignedIn> {
  const browser = options.browser ?? new Browser(rp.redirectUri);
  const request = await rp.authorizationRequest(params);
  const landing = await finishSignIn(browser, server, await browser.go(request.url.href), person, options);
  return { browser, request, callback: callbackOf(landing) };
}

/** Exchanges the code in a callback with the relying party's own client authentication. */
export async function exchange(
  rp: TestRelyingParty,
  callback: URL,
  request: AuthorizationRequest,
  checks: { verifier?: string | undefined; nonce?: string | undefined; maxAge?: number } = {},
): Promise<client.TokenEndpointResponse & client.TokenEndpointResponseHelpers> {
  return client.authorizationCodeGrant(rp.config, callback, {
    pkceCodeVerifier: 'verifier' in checks ? checks.verifier : request.verifier,
    expectedState: request.state,
    expectedNonce: 'nonce' in checks ? checks.nonce : request.nonce,
    ...(checks.maxAge !== undefined ? { maxAge: checks.maxAge } : {}),
  });
}

/** Signs in and exchanges the code: the ID token's claims and the token response. */
export async function signInAndExchange(
  server: TestServer,
  rp: TestRelyingParty,
  person: TestPerson,
  params: Record<string, string> = {},
  options: SignInChoices & { browser?: Browser } = {},
) {
  const signedIn = await signIn(server, rp, person, params, options);
  const tokens = await exchange(rp, signedIn.callback, signedIn.request);
  return { ...signedIn, tokens, claims: tokens.claims()! };
}

/** Asserts that a promise from openid-client fails with the given OAuth error code. */
export async function rejectsWithOAuthError(promise: Promise<unknown>, error: string): Promise<void> {
  await assert.rejects(promise, (thrown: unknown) => {
    const got = (thrown as { error?: string; cause?: { error?: string } }).error;
    assert.equal(got, error, `expected ${error}, got ${String(thrown)}`);
    return true;
  });
}

export interface RawResponse {
  status: number;
  headers: Headers;
  body: Record<string, unknown>;
}

/** A form POST to the token endpoint with exactly the given fields and headers. */
export async function postToken(
  rp: TestRelyingParty,
  form: Record<string, string>,
  headers: Record<string, string> = {},
  endpoint: string = rp.config.serverMetadata().token_endpoint!,
): Promise<RawResponse> {
  const response = await fetch(endpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body: new URLSearchParams(form).toString(),
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: text ? JSON.parse(text) : {} };
}

/** A UserInfo request with a bearer token. */
export async function userinfoStatus(rp: TestRelyingParty, accessToken: string): Promise<Response> {
  const response = await fetch(rp.config.serverMetadata().userinfo_endpoint!, {
    headers: { authorization: `Bearer ${accessToken}` },
  });
  await response.body?.cancel();
  return response;
}

/** A private_key_jwt client assertion signed with the relying party's key, with claims overridden. */
export async function clientAssertion(
  rp: TestRelyingParty,
  overrides: Record<string, unknown> = {},
  key: { jwk: Record<string, unknown>; alg: string } = {
    jwk: rp.privateJwk as Record<string, unknown>,
    alg: String(rp.privateJwk?.alg),
  },
): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  const claims: Record<string, unknown> = {
    iss: rp.clientId,
    sub: rp.clientId,
    aud: rp.config.serverMetadata().issuer,
    jti: randomUUID(),
    iat: now,
    exp: now + 60,
    ...overrides,
  };
  for (const [name, value] of Object.entries(claims)) if (value === undefined) delete claims[name];
  return new SignJWT(claims)
    .setProtectedHeader({ alg: key.alg, kid: String(key.jwk['kid']) })
    .sign(await importJWK(key.jwk, key.alg));
}

export const JWT_BEARER = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';

export async function sleep(ms: number): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, ms));
}
