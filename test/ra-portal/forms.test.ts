// Bad input in every RA portal form (issue 4): a 400 page with the NHS error summary and a clear
// message, and nothing changed in the store (audit events and sessions aside). The portal runs at
// level 2 here, so RA staff sign in with a password and code over plain HTTP.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createAuthenticator } from '../../src/authenticators/authenticator-store.ts';
import type { Browser, Page } from '../helpers/browser.ts';
import { csrfToken } from '../helpers/browser.ts';
import { snapshotStore, storeChanges } from '../helpers/store-snapshot.ts';
import { startTestServer, type TestServer } from '../helpers/test-server.ts';
import { raServicesFor, threeDocuments } from '../ra/support.ts';
import { createOrganisation, createRaStaff, signedInPortal } from './support.ts';

let server: TestServer;
let browser: Browser;
let org: string;
let personId: string;
let positionId: string;
let personRoleId: string;
let authenticatorId: string;

// What a refused form may still write: its audit events and the sessions it was sent in.
const IGNORED = new Set(['audit_events', 'web_sessions', 'oidc_payloads', 'sign_in_contexts']);

before(async () => {
  server = await startTestServer({ config: { ra: { portalMinimumLevel: 2 } } });
  org = await createOrganisation(server.db, 'FORMS TRUST');
  const manager = await createRaStaff(server.db, server.sealer, org, 'ra-manager');
  ({ browser } = await signedInPortal(server.url, manager));
  const ra = raServicesFor(server.db);
  const actor = { personId: manager.id };
  const person = await ra.registerPerson(actor, {
    orgCode: org,
    givenName: 'Form',
    familyName: 'Tested',
    email: `form.tested.${process.pid}@example.nhs.uk`,
    dateOfBirth: '1985-06-07',
  });
  personId = person.id;
  await ra.verifyIdentity(actor, { personId, documents: threeDocuments, checkedOn: '2025-01-01' });
  positionId = (
    await ra.createPosition(actor, {
      orgCode: org,
      name: 'Forms nurse',
      jobRoleCode: 'R8001',
      approval: { approvedBy: 'Director', approvedOn: '2025-01-01' },
    })
  ).id;
  personRoleId = (await ra.assignPosition(actor, { personId, positionId })).personRoleId;
  authenticatorId = await createAuthenticator(server.db, {
    personId,
    kind: 'password-totp',
    label: 'Microsoft Authenticator',
    status: 'active',
    data: {},
  });
});
after(async () => {
  await server?.close();
});

async function page(path: string): Promise<Page> {
  const landing = await browser.go(`${server.url}${path}`);
  assert.equal(landing.kind, 'page');
  return (landing as { page: Page }).page;
}

/** Posts the form at `path` with the fields; asserts a 400 with the messages, and no change. */
async function refused(path: string, fields: Record<string, string>, messages: RegExp[], formPath = path) {
  const before = await snapshotStore(server.db);
  const form = await page(formPath);
  const landing = await browser.go(`${server.url}${path}`, {
    form: { csrf: csrfToken(form.html), ...fields },
  });
  assert.equal(landing.kind, 'page');
  const { status, html } = (landing as { page: Page }).page;
  assert.equal(status, 400, `${path}: ${status}`);
  assert.match(html, /nhsuk-error-summary/, 'an error summary');
  assert.match(html, /<title>Error: /, 'the title says there is an error');
  const text = html.replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ');
  for (const message of messages) assert.match(text, message, `${path}`);
  const changes = storeChanges(before, await snapshotStore(server.db)).filter((c) => !IGNORED.has(c.table));
  assert.deepEqual(changes, [], `${path} changed the store`);
}

test('issue 4: duplicate search refuses half a name, a bad NI number and an empty search', async () => {
  await refused('/ra/people/search', { givenName: 'Jo' }, [/Enter both the first and the last name/]);
  await refused('/ra/people/search', { niNumber: 'not an NI number' }, [
    /National Insurance number in the right format/,
  ]);
  await refused('/ra/people/search', {}, [
    /Enter a full name, a date of birth, an email address or a National Insurance number/,
  ]);
});

test('issue 4: registering refuses missing fields, a bad date of birth and an email already in use', async () => {
  await refused('/ra/people/new', { orgCode: org }, [/date/i]);
  await refused(
    '/ra/people/new',
    {
      orgCode: org,
      givenName: 'Sam',
      familyName: 'Future',
      email: 'sam.future@example.nhs.uk',
      'dateOfBirth[day]': '1',
      'dateOfBirth[month]': '1',
      'dateOfBirth[year]': '2999',
    },
    [/The date of birth must be a real date in the past/],
  );
  await refused(
    '/ra/people/new',
    {
      orgCode: org,
      givenName: 'Sam',
      familyName: 'Copy',
      email: `form.tested.${process.pid}@example.nhs.uk`,
      'dateOfBirth[day]': '1',
      'dateOfBirth[month]': '1',
      'dateOfBirth[year]': '1990',
    },
    [/already has this email address/],
  );
});

test('issue 4: identity checks refuse missing documents and a set without photo ID', async () => {
  await refused(`/ra/people/${personId}/verify`, {}, [
    /Choose the type of document 1/,
    /Tick the checks you made on document 3/,
    /Choose how you saw the person/,
  ]);
  await refused(
    `/ra/people/${personId}/verify`,
    {
      'document-0-type': 'utility-bill',
      'document-0-check-original-seen': 'yes',
      'document-1-type': 'bank-statement',
      'document-1-check-original-seen': 'yes',
      'document-2-type': 'council-tax-bill',
      'document-2-check-original-seen': 'yes',
      'checkedOn[day]': '1',
      'checkedOn[month]': '1',
      'checkedOn[year]': '2025',
      method: 'face-to-face',
    },
    [/One document must be photo ID/],
  );
});

test('issue 4: photo upload refuses no file and a file that is not an image', async () => {
  for (const [file, message] of [
    [undefined, /Choose a photo to upload/],
    [new File(['not a picture'], 'x.png', { type: 'image/png' }), /The file is not a PNG image/],
    [new File(['%PDF-1.4'], 'x.pdf', { type: 'application/pdf' }), /The photo must be a JPEG or PNG image/],
  ] as const) {
    const before = await snapshotStore(server.db);
    const form = await page(`/ra/people/${personId}/photo`);
    const body = new FormData();
    body.set('csrf', csrfToken(form.html));
    if (file) body.set('photo', file);
    else body.set('photo', new File([], ''));
    const response = await fetch(`${server.url}/ra/people/${personId}/photo`, {
      method: 'POST',
      headers: { cookie: [...browser.cookies].map(([k, v]) => `${k}=${v}`).join('; ') },
      body,
    });
    const html = await response.text();
    assert.equal(response.status, 400);
    assert.match(html, message);
    const changes = storeChanges(before, await snapshotStore(server.db)).filter((c) => !IGNORED.has(c.table));
    assert.deepEqual(changes, []);
  }
});

test('issue 4: creating a position refuses a missing name and job role, unknown activities and bad workgroups', async () => {
  const path = `/ra/organisations/${org}/positions/new`;
  await refused(path, {}, [/Choose the job role/, /Enter the date the position was approved/]);
  await refused(
    path,
    {
      name: 'X',
      jobRoleCode: 'R8001',
      activityCodes: 'B9999',
      approvedBy: 'Someone',
      'approvedOn[day]': '1',
      'approvedOn[month]': '1',
      'approvedOn[year]': '2025',
    },
    [/activity codes this directory knows/],
  );
  await refused(
    path,
    {
      name: 'X',
      jobRoleCode: 'R8001',
      workgroups: 'nonsense',
      approvedBy: 'A',
      'approvedOn[day]': '1',
      'approvedOn[month]': '1',
      'approvedOn[year]': '2025',
    },
    [/Write each workgroup as its code, a space, then its name/],
  );
});

test('issue 4: assigning and requesting refuse no position and an end before the start', async () => {
  await refused(`/ra/people/${personId}/assign`, {}, [/Choose a position/]);
  await refused(
    `/ra/people/${personId}/assign`,
    {
      positionId,
      'startDate[day]': '2',
      'startDate[month]': '2',
      'startDate[year]': '2026',
      'endDate[day]': '1',
      'endDate[month]': '1',
      'endDate[year]': '2026',
    },
    [/The end date must be the same as or after the start date/],
  );
  await refused(`/ra/people/${personId}/request`, { positionId, reason: 'x'.repeat(501) }, [
    /500 characters or fewer/,
  ]);
});

test('issue 4: ending a position refuses no date and an impossible date', async () => {
  const path = `/ra/people/${personId}/assignments/${personRoleId}/end`;
  await refused(path, { 'endDate[day]': '', 'endDate[month]': '', 'endDate[year]': '' }, [
    /Enter the last day in the position/,
  ]);
  await refused(path, { 'endDate[day]': '31', 'endDate[month]': '2', 'endDate[year]': '2026' }, [
    /Enter a real date/,
  ]);
});

test('issue 4: registration links, authenticator changes, request decisions and audit search refuse bad input', async () => {
  await refused(`/ra/people/${personId}/registration-link`, {}, [/Choose what they will set up/]);
  await refused(`/ra/people/${personId}/registration-link`, { kind: 'smartcard' }, [
    /The kind must be one of/,
  ]);
  await refused(`/ra/people/${personId}/authenticators/${authenticatorId}/unlock`, {}, [
    /This authenticator is not locked/,
  ]);
  await refused(
    '/ra/requests/000000000001',
    { decision: 'maybe' },
    [/Choose approve or reject/],
    '/ra/people/search',
  );
  await refused(
    '/ra/requests/000000000001',
    { decision: 'approve' },
    [/There is no request with this id/],
    '/ra/people/search',
  );
  // The audit search is a GET form.
  const audit = await page('/ra/audit?from%5Bday%5D=31&from%5Bmonth%5D=2&from%5Byear%5D=2025');
  assert.equal(audit.status, 400);
  assert.match(audit.html, /Enter a real date for &quot;from&quot;|Enter a real date for "from"/);
});

test('issue 4: every portal form refuses a post without its CSRF token', async () => {
  for (const path of [
    '/ra/people/search',
    '/ra/people/new',
    `/ra/people/${personId}/verify`,
    `/ra/people/${personId}/assign`,
    `/ra/people/${personId}/registration-link`,
    `/ra/people/${personId}/authenticators/${authenticatorId}/suspend`,
    `/ra/organisations/${org}/positions/new`,
    '/ra/sign-out',
  ]) {
    const landing = await browser.go(`${server.url}${path}`, { form: { csrf: 'forged' } });
    assert.equal(landing.kind === 'page' && landing.page.status, 403, path);
  }
});
