// The Registration Authority portal in Chromium (issue 4): an RA Agent (Advanced) with an AAL3
// security key registers and verifies a person, creates and assigns a position and issues a
// registration link; the person registers a passkey with it and signs in to a relying party whose
// userinfo carries the new role. The portal refuses AAL2, and RA staff of another organisation can
// neither see nor change the person.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import * as client from 'openid-client';
import type { Browser, Page } from 'playwright-core';
import { createRelyingParty } from '../helpers/relying-party.ts';
import { raStaffAtAal3 } from '../ra-portal/browser-support.ts';
import { createOrganisation, createRaStaff } from '../ra-portal/support.ts';
import {
  addVirtualAuthenticator,
  launchChromium,
  newBrowserPage,
  openSignIn,
  pageText,
  pressAndSettle,
  pressWebAuthn,
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

const h1 = async (page: Page) => ((await page.locator('h1').first().textContent()) ?? '').trim();

async function clickAndWait(page: Page, name: string, url: RegExp) {
  await Promise.all([page.waitForURL(url), page.getByRole('button', { name, exact: true }).click()]);
}

async function fillDate(page: Page, name: string, iso: string) {
  const [year, month, day] = iso.split('-');
  await page.fill(`#${name}-day`, String(Number(day)));
  await page.fill(`#${name}-month`, String(Number(month)));
  await page.fill(`#${name}-year`, year!);
}

interface Registered {
  personId: string;
  email: string;
}

/** Registers, verifies, gives a new position and issues a passkey link, all through the portal. */
async function registerThroughPortal(
  page: Page,
  orgCode: string,
): Promise<Registered & { link: string; roleName: string }> {
  const email = `new.starter.${process.pid}.${Date.now()}@example.nhs.uk`;
  // Duplicate search first, as the RA does.
  await page.goto(`${server.origin}/ra/people/search`);
  await page.fill('#email', email);
  await clickAndWait(page, 'Search', /\/ra\/people\/search$/);
  assert.match(await pageText(page), /0 matches/);

  await page.getByRole('link', { name: 'Register a new person' }).click();
  await page.waitForURL(/\/ra\/people\/new$/);
  await page.fill('#givenName', 'Nia');
  await page.fill('#familyName', 'Starter');
  await page.fill('#email', email);
  await fillDate(page, 'dateOfBirth', '1990-05-17');
  await page.fill('#niNumber', 'AB 12 34 56 D');
  await clickAndWait(page, 'Register person', /\/ra\/people\/\d{12}$/);
  const personId = page.url().split('/').pop()!;
  assert.match(await pageText(page), /Identity not verified/);
  assert.equal(await page.getByRole('link', { name: 'Issue a registration link' }).count(), 0, 'restricted');

  await page.getByRole('link', { name: 'Record identity checks' }).click();
  await page.selectOption('#document-0-type', 'passport');
  await page.check('input[name="document-0-check-original-seen"]');
  await page.check('input[name="document-0-check-photo-matches-holder"]');
  await page.selectOption('#document-1-type', 'utility-bill');
  await page.check('input[name="document-1-check-original-seen"]');
  await page.check('input[name="document-1-check-address-matches"]');
  await page.selectOption('#document-2-type', 'bank-statement');
  await page.check('input[name="document-2-check-original-seen"]');
  await clickAndWait(page, 'Record identity checks', /\/ra\/people\/\d{12}$/);
  assert.match(await pageText(page), /Verified; identity assurance level 3/);
  assert.match(await pageText(page), /Passport, Utility bill/);

  // A position for the organisation, then assigned to the person.
  const roleName = `Ward 7 nurse ${process.pid}`;
  await page.goto(`${server.origin}/ra/organisations/${orgCode}/positions/new`);
  await page.fill('#name', roleName);
  await page.selectOption('#jobRoleCode', 'R8001');
  await page.fill('#activityCodes', 'B0825');
  await page.fill('#approvedBy', 'Director of Nursing');
  await fillDate(page, 'approvedOn', '2025-04-01');
  await clickAndWait(page, 'Create position', /\/positions$/);
  assert.match(await pageText(page), new RegExp(roleName));

  await page.goto(`${server.origin}/ra/people/${personId}`);
  await page.getByRole('link', { name: 'Assign a position' }).click();
  await page.getByLabel(new RegExp(roleName)).check();
  await clickAndWait(page, 'Assign position', /\/ra\/people\/\d{12}$/);
  assert.match(await pageText(page), new RegExp(`${roleName} \\(R8001\\) ${orgCode} .*In force`));

  await page.getByRole('link', { name: 'Issue a registration link' }).click();
  await page.getByLabel('Passkey').check();
  await page.getByRole('button', { name: 'Issue registration link' }).click();
  await page.waitForLoadState('load');
  assert.equal(await h1(page), 'Registration link issued');
  const link = ((await page.locator('#registration-link').textContent()) ?? '').trim();
  assert.match(link, /\/enrol\/[A-Za-z0-9_-]{43}$/);
  assert.match(await pageText(page), /You will not see this again/);
  return { personId, email, link, roleName };
}

let registered: Registered | undefined;
let orgA: string;

test('issue 4: an RA Agent (Advanced) at AAL3 registers and verifies a person, assigns a new position and issues a link; the person sets up a passkey with it and the role is in nhsid_nrbac_roles', async () => {
  orgA = await createOrganisation(server.db, 'FIRST TRUST');
  const agent = await raStaffAtAal3(chromium, server, orgA, 'ra-agent-advanced');
  try {
    const done = await registerThroughPortal(agent.page, orgA);
    registered = done;

    // The person, in their own browser with a phone's passkey.
    const person = await newBrowserPage(chromium);
    try {
      await addVirtualAuthenticator(person.context, person.page, syncedPasskey);
      await person.page.goto(done.link);
      await person.page.fill('#label', 'My phone');
      await pressAndSettle(person.page, '#webauthn-start');
      assert.match(await h1(person.page), /Passkey is set up/);

      // The link is single use.
      await person.page.goto(done.link);
      assert.doesNotMatch(await h1(person.page), /Set up/);

      const rp = await createRelyingParty(server, { minimumAal: 2 });
      const request = await rp.authorizationRequest({ scope: 'openid profile nationalrbacaccess' });
      await openSignIn(person.page, request);
      const callback = await pressWebAuthn(person.page, person.callbacks);
      if (!callback) assert.fail(`expected to return to the application: ${await pageText(person.page)}`);
      const tokens = await client.authorizationCodeGrant(rp.config, callback, {
        pkceCodeVerifier: request.verifier,
        expectedState: request.state,
        expectedNonce: request.nonce,
      });
      assert.equal(tokens.claims()!.sub, done.personId);
      const userinfo = await client.fetchUserInfo(rp.config, tokens.access_token, done.personId);
      const roles = userinfo['nhsid_nrbac_roles'] as { role_code: string; org_code: string }[];
      assert.ok(
        roles.some((r) => r.role_code.endsWith(':R8001') && r.org_code === orgA),
        JSON.stringify(roles),
      );
    } finally {
      await person.context.close();
    }

    // The RA sees the passkey on the record, named by its kind, with its level and last use.
    await agent.page.goto(`${server.origin}/ra/people/${done.personId}`);
    const row = (await agent.page.locator('#authenticators tbody tr').allTextContents()).map((t) =>
      t.replace(/\s+/g, ' ').trim(),
    );
    assert.ok(
      row.some((r) => /My phone Passkey AAL2 .* Active/.test(r) && !/Not used yet/.test(r)),
      row.join('\n'),
    );

    // Suspend it, with a confirmation page.
    await agent.page.getByRole('link', { name: /Suspend/ }).click();
    assert.match(await h1(agent.page), /Suspend My phone\?/);
    await clickAndWait(agent.page, 'Suspend authenticator', /\/ra\/people\/\d{12}$/);
    assert.match(await pageText(agent.page), /My phone Passkey AAL2 .* Suspended/);
  } finally {
    await agent.context.close();
  }
});

test('issue 4: the portal needs AAL3 by default: an RA agent signed in at AAL2 is not let in, and posts without an AAL3 session change nothing', async () => {
  const org = await createOrganisation(server.db, 'AAL2 TRUST');
  const agent = await createRaStaff(server.db, server.sealer, org, 'ra-agent-advanced');
  const { context, page } = await newBrowserPage(chromium);
  try {
    // An AAL2 session at the IdP, through the account pages.
    await page.goto(`${server.origin}/account`);
    await submitPasswordTotp(page, agent);
    assert.match(await pageText(page), /at AAL2/);

    await page.goto(`${server.origin}/ra`);
    assert.match(page.url(), /\/interaction\//, 'not let in: sent to sign in again');
    assert.match(await pageText(page), /needs AAL3/);
    assert.equal(await page.locator('#password').count(), 0, 'the password and code are not offered');

    const before = await server.db
      .selectFrom('people')
      .select(({ fn }) => fn.countAll().as('n'))
      .executeTakeFirst();
    const post = await fetch(`${server.origin}/ra/people/new`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ csrf: 'x', givenName: 'A', familyName: 'B' }).toString(),
    });
    assert.equal(post.status, 403);
    const after = await server.db
      .selectFrom('people')
      .select(({ fn }) => fn.countAll().as('n'))
      .executeTakeFirst();
    assert.deepEqual(after, before);
  } finally {
    await context.close();
  }
});

test('issue 4: an RA agent of another organisation cannot see or change the person (search shows no details, every page is 404 or 403)', async () => {
  assert.ok(registered, 'the first test registered a person');
  const orgB = await createOrganisation(server.db, 'SECOND TRUST');
  const other = await raStaffAtAal3(chromium, server, orgB, 'ra-agent-advanced');
  const { page } = other;
  try {
    await page.goto(`${server.origin}/ra/people/search`);
    await page.fill('#email', registered.email);
    await clickAndWait(page, 'Search', /\/ra\/people\/search$/);
    const text = await pageText(page);
    // A duplicate search is directory-wide by design (§16.3), but shows no details of other trusts.
    assert.doesNotMatch(text, new RegExp(registered.email.replace(/\./g, '\\.')));
    assert.doesNotMatch(text, /17 May 1990|1990-05-17/);
    assert.equal(await page.locator(`a[href="/ra/people/${registered.personId}"]`).count(), 0);

    const id = registered.personId;
    for (const path of [
      `/ra/people/${id}`,
      `/ra/people/${id}/verify`,
      `/ra/people/${id}/photo`,
      `/ra/people/${id}/photo/image`,
      `/ra/people/${id}/assign`,
      `/ra/people/${id}/request`,
      `/ra/people/${id}/registration-link`,
      `/ra/organisations/${orgA}/positions`,
    ]) {
      const response = await page.goto(`${server.origin}${path}`);
      assert.ok([403, 404].includes(response!.status()), `${path}: ${response!.status()}`);
      assert.match(await h1(page), /Page not found|You cannot/);
    }
    // Forms posted with a valid token change nothing.
    await page.goto(`${server.origin}/ra/people/search`);
    const csrf = await page.locator('input[name="csrf"]').first().inputValue();
    const countRows = async () =>
      Promise.all(
        (['role_assignments', 'enrolment_tokens', 'identity_verifications'] as const).map((t) =>
          server.db
            .selectFrom(t)
            .select(({ fn }) => fn.countAll().as('n'))
            .executeTakeFirst(),
        ),
      );
    const before = await countRows();
    for (const [path, fields] of [
      [`/ra/people/${id}/registration-link`, { kind: 'passkey' }],
      [`/ra/people/${id}/assign`, { positionId: '000000000001' }],
      [
        `/ra/people/${id}/verify`,
        {
          'document-0-type': 'passport',
          'document-0-check-photo-matches-holder': 'yes',
          'document-1-type': 'utility-bill',
          'document-1-check-original-seen': 'yes',
          'document-2-type': 'bank-statement',
          'document-2-check-original-seen': 'yes',
          'checkedOn[day]': '1',
          'checkedOn[month]': '1',
          'checkedOn[year]': '2025',
          method: 'face-to-face',
        },
      ],
    ] as const) {
      const response = await page.request.post(`${server.origin}${path}`, { form: { csrf, ...fields } });
      assert.ok([403, 404].includes(response.status()), `${path}: ${response.status()}`);
    }
    assert.deepEqual(await countRows(), before);
  } finally {
    await other.context.close();
  }
});
