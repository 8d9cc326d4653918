// Starting a sign-in from a relying party and posting to the sign-in pages, for tests that poke at
// one step of the journey rather than drive it to the end (for that, see completeSignIn).
import { Browser, csrfToken, formAction, type Landing, type Page } from './browser.ts';
import type { AuthorizationRequest, TestRelyingParty } from './relying-party.ts';
import type { TestServer } from './test-server.ts';

export interface StartedSignIn {
  browser: Browser;
  request: AuthorizationRequest;
  /** The interaction the engine started. */
  uid: string;
  /** The first sign-in page. */
  page: Page;
  csrf: string;
}

/**
 * Sends a browser from the relying party to the Microsoft Authenticator sign-in page (choosing it
 * when the service asks how to sign in) and stops there. With `choose: false` it stops at the first
 * page, whichever it is.
 */
export async function startSignIn(
  server: TestServer,
  rp: TestRelyingParty,
  params: Record<string, string> = {},
  browser: Browser = new Browser(rp.redirectUri),
  options: { choose?: boolean } = {},
): Promise<StartedSignIn> {
  const request = await rp.authorizationRequest(params);
  let landing = await browser.go(request.url.href);
  if (landing.kind !== 'page' || landing.page.status !== 200) {
    throw new Error(`expected the sign-in page, got ${describeLanding(landing)}`);
  }
  const choose = formAction(landing.page.html, '/choose');
  if ((options.choose ?? true) && choose && !formAction(landing.page.html, '/password-totp')) {
    landing = await browser.go(new URL(choose, server.url).href, {
      form: { csrf: csrfToken(landing.page.html), method: 'password-totp' },
    });
    if (landing.kind !== 'page' || landing.page.status !== 200) {
      throw new Error(`expected the Microsoft Authenticator page, got ${describeLanding(landing)}`);
    }
  }
  const uid = /\/interaction\/([^/?#]+)/.exec(landing.page.url)?.[1];
  if (!uid) throw new Error(`not an interaction page: ${landing.page.url}`);
  return { browser, request, uid, page: landing.page, csrf: csrfToken(landing.page.html) };
}

export function describeLanding(landing: Landing): string {
  return landing.kind === 'callback'
    ? `a redirect to ${landing.url.href}`
    : `${landing.page.status} at ${landing.page.url}: ${landing.page.html.replace(/\s+/g, ' ').slice(0, 600)}`;
}

export function cookieHeader(browser: Browser): string {
  return [...browser.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
}

/** A POST with this browser's cookies and any body and content type (no redirects followed). */
export async function rawPost(
  browser: Browser,
  url: string,
  body: string | undefined,
  contentType: string | undefined,
): Promise<Response> {
  const headers: Record<string, string> = { cookie: cookieHeader(browser) };
  if (contentType) headers['content-type'] = contentType;
  return fetch(url, { method: 'POST', headers, body, redirect: 'manual' });
}
