// Browser tests: a Care Identity node on http://localhost:<port> (a secure context, RP ID
// `localhost`) trusting Chromium's virtual authenticator through a TEST-ONLY metadata statement,
// Debian Chromium driven by playwright-core, and DevTools virtual authenticators
// (security-requirements §6.3).
import { join } from 'node:path';
import * as client from 'openid-client';
import { type Browser, type BrowserContext, type CDPSession, chromium, type Page } from 'playwright-core';
import { issueEnrolmentLink } from '../../src/authenticators/enrolment-links.ts';
import { nextCode, type TestPerson } from '../helpers/people.ts';
import type { AuthorizationRequest, TestRelyingParty } from '../helpers/relying-party.ts';
import { freePort, startTestServer, type TestServer } from '../helpers/test-server.ts';

const fixtures = join(import.meta.dirname, '..', 'webauthn', 'fixtures');
export const TEST_METADATA_STATEMENT = join(fixtures, 'chromium-virtual-authenticator.json');
export const TEST_AAGUID_ALLOW_LIST = join(fixtures, 'aal3-allow-list.txt');

export interface WebAuthnTestServer extends TestServer {
  /** http://localhost:<port>: what the browser uses (the RP ID is `localhost`). */
  origin: string;
}

export async function startWebAuthnServer(
  options: { trustVirtualAuthenticator?: boolean; challengeTtl?: number } = {},
) {
  const port = await freePort();
  const origin = `http://localhost:${port}`;
  const server = await startTestServer({
    port,
    config: {
      publicUrl: origin,
      webauthn: {
        ...(options.trustVirtualAuthenticator === false
          ? {}
          : {
              metadataStatementFiles: [TEST_METADATA_STATEMENT],
              aaguidAllowListFile: TEST_AAGUID_ALLOW_LIST,
            }),
        ...(options.challengeTtl ? { challengeTtl: options.challengeTtl } : {}),
      },
    },
  });
  return Object.assign(server, { origin }) as WebAuthnTestServer;
}

export async function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--host-resolver-rules=MAP *.example.test 127.0.0.1:9',
    ],
  });
}

export interface VirtualAuthenticatorOptions {
  transport: 'usb' | 'internal' | 'nfc' | 'ble';
  protocol?: 'ctap2' | 'u2f';
  hasUserVerification?: boolean;
  isUserVerified?: boolean;
  hasResidentKey?: boolean;
  defaultBackupEligibility?: boolean;
  defaultBackupState?: boolean;
}

export interface VirtualAuthenticator {
  cdp: CDPSession;
  authenticatorId: string;
}

export async function addVirtualAuthenticator(
  context: BrowserContext,
  page: Page,
  options: VirtualAuthenticatorOptions,
): Promise<VirtualAuthenticator> {
  const cdp = await context.newCDPSession(page);
  await cdp.send('WebAuthn.enable', { enableUI: false });
  const { authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', {
    options: {
      protocol: options.protocol ?? 'ctap2',
      ctap2Version: 'ctap2_1',
      transport: options.transport,
      hasResidentKey: options.hasResidentKey ?? true,
      hasUserVerification: options.hasUserVerification ?? true,
      isUserVerified: options.isUserVerified ?? options.hasUserVerification ?? true,
      automaticPresenceSimulation: true,
      ...(options.defaultBackupEligibility !== undefined
        ? { defaultBackupEligibility: options.defaultBackupEligibility }
        : {}),
      ...(options.defaultBackupState !== undefined ? { defaultBackupState: options.defaultBackupState } : {}),
    },
  });
  return { cdp, authenticatorId };
}

export const syncedPasskey: VirtualAuthenticatorOptions = {
  transport: 'internal',
  defaultBackupEligibility: true,
  defaultBackupState: true,
};
export const securityKey: VirtualAuthenticatorOptions = { transport: 'usb' };

/**
 * A browser context whose requests to the relying party's redirect URI are answered in place, so
 * a test reads the authorization response as the application would.
 */
export async function newBrowserPage(browser: Browser, options: { conditionalUi?: boolean } = {}) {
  const context = await browser.newContext();
  // The virtual authenticator answers a conditional request at once, as if the person had picked
  // the passkey from autofill; tests of the button flow use a browser without conditional UI.
  if (!options.conditionalUi) {
    await context.addInitScript(
      "Object.defineProperty(PublicKeyCredential, 'isConditionalMediationAvailable', { value: async () => false });",
    );
  }
  const page = await context.newPage();
  const callbacks: URL[] = [];
  // Redirects to the application are not routed by Playwright, so they are noted as requests; the
  // host resolver sends them to a closed port so the browser gives up at once.
  context.on('request', (request) => {
    if (/^https:\/\/rp\d+\.example\.test\//.test(request.url())) callbacks.push(new URL(request.url()));
  });
  return { context, page, callbacks };
}

/** Registers through a one-time RA link of the given kind; resolves to the page's heading. */
export async function registerWithLink(
  server: WebAuthnTestServer,
  page: Page,
  personId: string,
  kind: 'passkey' | 'windows-hello' | 'security-key',
  label = 'Test key',
): Promise<string> {
  const link = await issueEnrolmentLink(server.db, { personId, kind, createdBy: 'test', ttlMs: 10 * 60_000 });
  await page.goto(`${server.origin}${link.path}`);
  await page.fill('#label', label);
  await pressAndSettle(page, '#webauthn-start');
  return (await page.locator('h1').first().textContent())?.trim() ?? '';
}

/**
 * Presses a button that starts a ceremony and waits for what follows: the form's post landing on
 * a page (or at the application), or the page's script showing an error.
 */
export async function pressAndSettle(
  page: Page,
  selector: string,
  callbacks: URL[] = [],
): Promise<'navigated' | 'error' | 'callback'> {
  const before = callbacks.length;
  let navigations = 0;
  const count = (frame: { parentFrame(): unknown }) => {
    if (!frame.parentFrame()) navigations += 1;
  };
  page.on('framenavigated', count);
  try {
    await page.click(selector);
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline) {
      if (callbacks.length > before) return 'callback';
      if (navigations > 0) {
        await page.waitForLoadState('load');
        return 'navigated';
      }
      if (
        await page
          .locator('#webauthn-error')
          .isVisible()
          .catch(() => false)
      )
        return 'error';
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    throw new Error('the ceremony neither navigated nor showed an error');
  } finally {
    page.off('framenavigated', count);
  }
}

/** Follows the relying party's request (optionally on another host name) to the sign-in page. */
export async function openSignIn(
  page: Page,
  request: AuthorizationRequest,
  hostname?: string,
): Promise<void> {
  const url = new URL(request.url.href);
  if (hostname) url.hostname = hostname;
  // The previous redirect to the (unreachable) application may still be failing into Chromium's
  // error page; that late navigation interrupts ours, so let it finish and go again.
  for (let attempt = 1; ; attempt++) {
    try {
      await page.goto(url.href);
      return;
    } catch (error) {
      if (attempt >= 3 || !/interrupted by another navigation/.test(String(error))) throw error;
      await page.waitForLoadState('load').catch(() => {});
    }
  }
}

/** Presses the WebAuthn button; the authorization response if the browser went back to the application. */
export async function pressWebAuthn(page: Page, callbacks: URL[]): Promise<URL | undefined> {
  const before = callbacks.length;
  await pressAndSettle(page, '#webauthn-start', callbacks);
  return callbacks.length > before ? callbacks.at(-1) : undefined;
}

/** The code exchange and ID token checks an NHS relying party does (contract §7.3), with openid-client. */
export async function exchange(
  rp: TestRelyingParty,
  callback: URL,
  request: AuthorizationRequest,
  maxAge?: number,
) {
  const tokens = await client.authorizationCodeGrant(rp.config, callback, {
    pkceCodeVerifier: request.verifier,
    expectedState: request.state,
    expectedNonce: request.nonce,
    ...(maxAge ? { maxAge } : {}),
  });
  return tokens.claims()!;
}

export async function pageText(page: Page): Promise<string> {
  return ((await page.locator('body').textContent({ timeout: 5_000 })) ?? '').replace(/\s+/g, ' ').trim();
}

/** Fills the Microsoft Authenticator form (email, password, a fresh code) without submitting it. */
export async function fillPasswordTotp(page: Page, person: TestPerson): Promise<void> {
  await page.fill('#email', person.email);
  await page.fill('#password', person.password);
  await page.fill('#code', await nextCode(person));
}

/** Fills and submits the Microsoft Authenticator form, then waits for the page that follows. */
export async function submitPasswordTotp(
  page: Page,
  person: TestPerson,
  next: RegExp = /\/account/,
): Promise<void> {
  await fillPasswordTotp(page, person);
  await Promise.all([
    page.waitForURL(next),
    page.getByRole('button', { name: 'Sign in', exact: true }).click(),
  ]);
}

/** Opens /account and signs in there with Microsoft Authenticator (an AAL2 session). */
export async function signInToAccount(page: Page, origin: string, person: TestPerson): Promise<void> {
  await page.goto(`${origin}/account`);
  await submitPasswordTotp(page, person, /\/account$/);
}
