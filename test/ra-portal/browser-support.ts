// Browser helpers for the RA portal: RA staff with an AAL3 security key (Chromium's virtual
// authenticator, trusted through the TEST-ONLY metadata statement) signed in to /ra, and an axe-core
// check of the page in view.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Browser, Page } from 'playwright-core';
import type { RaRole } from '../../src/ra/permissions.ts';
import {
  addVirtualAuthenticator,
  newBrowserPage,
  pageText,
  pressAndSettle,
  registerWithLink,
  securityKey,
  type WebAuthnTestServer,
} from '../e2e/support.ts';
import { createRaStaff } from './support.ts';

const require = createRequire(import.meta.url);
const axeSource = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

/** RA staff of the organisation, with a security key, signed in to the portal at AAL3. */
export async function raStaffAtAal3(
  chromium: Browser,
  server: WebAuthnTestServer,
  orgCode: string,
  role: RaRole,
) {
  const person = await createRaStaff(server.db, server.sealer, orgCode, role);
  const browser = await newBrowserPage(chromium);
  await addVirtualAuthenticator(browser.context, browser.page, securityKey);
  assert.match(
    await registerWithLink(server, browser.page, person.id, 'security-key'),
    /Security key is set up/,
  );
  const { page } = browser;
  await page.goto(`${server.origin}/ra`);
  assert.match(page.url(), /\/interaction\//, 'sent to sign in');
  assert.match(await pageText(page), /portal accepts: A security key/, 'only AAL3 methods are offered');
  await pressAndSettle(page, '#webauthn-start');
  await page.waitForURL(/\/ra$/);
  assert.match(await pageText(page), /Signed in as .* at AAL3/);
  return { person, ...browser };
}

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: string[] }[];
}

/** Serious and critical axe-core violations on the page as it is now. */
export async function seriousViolations(page: Page): Promise<AxeViolation[]> {
  // The pages' CSP allows only nonced scripts, so a script tag would not run: evaluate axe over
  // DevTools instead (what page.addScriptTag would inject).
  if (!(await page.evaluate(() => 'axe' in globalThis))) await page.evaluate(axeSource);
  const violations = await page.evaluate(async () => {
    const axe = (
      globalThis as unknown as { axe: { run(): Promise<{ violations: AxeViolation[]; passes: unknown[] }> } }
    ).axe;
    const result = await axe.run();
    // Guards against a sweep that checked nothing.
    if (result.passes.length === 0) throw new Error('axe-core checked nothing');
    return result.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      nodes: v.nodes.map((n) => ({ target: n.target })),
    }));
  });
  return violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
}

export function describeViolations(violations: AxeViolation[]): string {
  return violations
    .map((v) => `${v.impact} ${v.id}: ${v.help} at ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`)
    .join('\n');
}
