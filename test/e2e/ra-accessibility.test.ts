// Accessibility of the RA portal (issue 4): axe-core in Chromium over every portal page, in its
// plain and its error states, finds no serious or critical violation. The sign-in and /account
// pages are swept too and their findings printed (they belong to other work; not asserted here).
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { createTestPerson } from '../helpers/people.ts';
import { raServicesFor, threeDocuments } from '../ra/support.ts';
import { describeViolations, raStaffAtAal3, seriousViolations } from '../ra-portal/browser-support.ts';
import { createOrganisation } from '../ra-portal/support.ts';
import {
  addVirtualAuthenticator,
  launchChromium,
  newBrowserPage,
  registerWithLink,
  startWebAuthnServer,
  submitPasswordTotp,
  syncedPasskey,
  type WebAuthnTestServer,
} from './support.ts';

let server: WebAuthnTestServer;
let chromium: Browser;
before(async () => {
  server = await startWebAuthnServer();
  chromium = await launchChromium();
});
after(async () => {
  await chromium?.close();
  await server?.close();
});

async function check(page: Page, found: Map<string, string>, label: string) {
  const violations = await seriousViolations(page);
  if (violations.length) found.set(label, describeViolations(violations));
}

async function submitForm(page: Page, button: string) {
  await Promise.all([
    page.waitForLoadState('load'),
    page.getByRole('button', { name: button, exact: true }).click(),
  ]);
  await page.waitForLoadState('load');
}

test('issue 4: every RA portal page, plain and with errors, has no serious or critical axe-core violation', async () => {
  const org = await createOrganisation(server.db, 'AXE TRUST');
  const manager = await raStaffAtAal3(chromium, server, org, 'ra-manager');
  const { page } = manager;
  // A person with everything a record can show: verified, a position, a request, an authenticator.
  const ra = raServicesFor(server.db);
  const actor = { personId: manager.person.id };
  const person = await ra.registerPerson(actor, {
    orgCode: org,
    givenName: 'Axe',
    familyName: 'Checked',
    email: `axe.${process.pid}.${Date.now()}@example.nhs.uk`,
    dateOfBirth: '1980-02-03',
  });
  await ra.verifyIdentity(actor, { personId: person.id, documents: threeDocuments, checkedOn: '2025-01-01' });
  const position = await ra.createPosition(actor, {
    orgCode: org,
    name: 'Axe nurse',
    jobRoleCode: 'R8001',
    approval: { approvedBy: 'Director', approvedOn: '2025-01-01' },
  });
  const assignment = await ra.assignPosition(actor, { personId: person.id, positionId: position.id });
  await ra.requestPosition(actor, { personId: person.id, positionId: position.id, reason: 'Cover' });
  const holder = await newBrowserPage(chromium);
  await addVirtualAuthenticator(holder.context, holder.page, syncedPasskey);
  await registerWithLink(server, holder.page, person.id, 'passkey', 'Axe phone');
  await holder.context.close();
  const [authenticator] = await ra.listAuthenticators(actor, person.id);

  const found = new Map<string, string>();
  const base = `${server.origin}/ra/people/${person.id}`;
  try {
    for (const path of [
      '/ra',
      '/ra/people/search',
      '/ra/people/new',
      `/ra/people/${person.id}`,
      `/ra/people/${person.id}/verify`,
      `/ra/people/${person.id}/photo`,
      `/ra/people/${person.id}/assign`,
      `/ra/people/${person.id}/request`,
      `/ra/people/${person.id}/registration-link`,
      `/ra/people/${person.id}/assignments/${assignment.personRoleId}/end`,
      `/ra/people/${person.id}/authenticators/${authenticator!.id}/suspend`,
      `/ra/people/${person.id}/authenticators/${authenticator!.id}/revoke`,
      `/ra/organisations/${org}/positions`,
      `/ra/organisations/${org}/positions/new`,
      '/ra/requests',
      '/ra/audit',
      '/ra/people/000000000000',
    ]) {
      await page.goto(`${server.origin}${path}`);
      await check(page, found, path);
    }
    // Error states: each form sent empty or wrong.
    await page.goto(`${server.origin}/ra/people/search`);
    await submitForm(page, 'Search');
    await check(page, found, 'search: errors');
    await page.fill('#familyName', 'Checked');
    await page.fill('#givenName', 'Axe');
    await submitForm(page, 'Search');
    await check(page, found, 'search: results');
    await page.goto(`${server.origin}/ra/people/new`);
    await submitForm(page, 'Register person');
    assert.match(await page.title(), /^Error:/);
    await check(page, found, 'register: errors');
    await page.goto(`${base}/verify`);
    await submitForm(page, 'Record identity checks');
    await check(page, found, 'verify: errors');
    await page.goto(`${base}/photo`);
    await submitForm(page, 'Upload photo');
    await check(page, found, 'photo: errors');
    await page.goto(`${base}/assign`);
    await submitForm(page, 'Assign position');
    await check(page, found, 'assign: errors');
    await page.goto(`${server.origin}/ra/organisations/${org}/positions/new`);
    await submitForm(page, 'Create position');
    await check(page, found, 'create position: errors');
    await page.goto(`${base}/registration-link`);
    await submitForm(page, 'Issue registration link');
    await check(page, found, 'registration link: errors');
    await page.getByLabel('Passkey').check();
    await submitForm(page, 'Issue registration link');
    assert.match(await page.title(), /Registration link issued/);
    await check(page, found, 'registration link: issued');
    await page.goto(`${server.origin}/ra/audit?from%5Bday%5D=40&from%5Bmonth%5D=1&from%5Byear%5D=2025`);
    await check(page, found, 'audit: errors');
    await page.goto(`${server.origin}/ra`);
    await submitForm(page, 'Sign out');
    const logout = page.locator('button[name="logout"][value="yes"]');
    if (await logout.count()) await Promise.all([page.waitForURL(/\/ra\/signed-out$/), logout.click()]);
    await check(page, found, '/ra/signed-out');
  } finally {
    await manager.context.close();
  }
  assert.deepEqual([...found.entries()], [], [...found].map(([k, v]) => `${k}\n${v}`).join('\n\n'));
});

test('issue 4 (report only): the sign-in and /account pages under axe-core', async (t) => {
  const person = await createTestPerson(server.db, server.sealer);
  const { context, page } = await newBrowserPage(chromium);
  const found = new Map<string, string>();
  try {
    await page.goto(`${server.origin}/account`);
    await check(page, found, 'sign-in: first page');
    await page.fill('#email', person.email);
    await page.fill('#password', 'wrong password');
    await page.fill('#code', '000000');
    await Promise.all([
      page.waitForLoadState('load'),
      page.getByRole('button', { name: 'Sign in', exact: true }).click(),
    ]);
    await check(page, found, 'sign-in: wrong password');
    await submitPasswordTotp(page, person, /\/account$/);
    await check(page, found, '/account');
    await page.goto(`${server.origin}/account/authenticators/${person.authenticatorId}/rename`);
    await check(page, found, '/account rename');
    await page.goto(`${server.origin}/account/authenticators/${person.authenticatorId}/remove`);
    await check(page, found, '/account remove');
    await page.goto(`${server.origin}/account/add/passkey`);
    await check(page, found, '/account/add/passkey');
    // The RA portal's refusal when someone without an RA role signs in.
    await page.goto(`${server.origin}/ra`);
    await check(page, found, '/ra without an RA role (sign-in page)');
  } finally {
    await context.close();
  }
  if (found.size) t.diagnostic([...found].map(([k, v]) => `${k}\n${v}`).join('\n\n'));
});
