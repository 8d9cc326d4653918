// ASVS 3.5.1 / NIST 800-63B-4 §5.1 (POST content SHALL carry a verified session identifier): every
// POST form refuses a submission without this browser's CSRF token, and nothing changes.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { issueEnrolmentLink } from '../../src/authenticators/enrolment-links.ts';
import { Browser, csrfToken, formAction, type Landing } from '../helpers/browser.ts';
import { heading } from '../helpers/pages.ts';
import { createTestPerson, oathtoolCode, type TestPerson } from '../helpers/people.ts';
import { createRelyingParty, type TestRelyingParty } from '../helpers/relying-party.ts';
import { describeLanding, startSignIn } from '../helpers/sign-in.ts';
import { snapshotStore, storeChanges } from '../helpers/store-snapshot.ts';
import { startTestServer, type TestServer } from '../helpers/test-server.ts';

let server: TestServer;
let rp: TestRelyingParty;
before(async () => {
  server = await startTestServer();
  rp = await createRelyingParty(server);
});
after(async () => {
  await server.close();
});

/** A form as a browser holds it: where it posts, its fields, its CSRF token, and the browser. */
interface HeldForm {
  browser: Browser;
  url: string;
  fields: Record<string, string>;
  csrf: string;
}

/** A CSRF token that is valid for some other browser. */
async function anotherBrowsersToken(): Promise<string> {
  return (await startSignIn(server, rp, {}, new Browser(rp.redirectUri), { choose: false })).csrf;
}

/** The same cookies without the CSRF secret. */
function withoutCsrfCookie(browser: Browser): Browser {
  const copy = new Browser(browser.stopAt);
  for (const [name, value] of browser.cookies) if (!name.includes('csrf')) copy.cookies.set(name, value);
  assert.ok(copy.cookies.size < browser.cookies.size, 'the browser had a CSRF cookie to leave out');
  return copy;
}

function assertForbidden(landing: Landing, what: string): void {
  assert.equal(landing.kind, 'page', `${what}: ${describeLanding(landing)}`);
  if (landing.kind !== 'page') return;
  assert.equal(landing.page.status, 403, `${what}: ${describeLanding(landing)}`);
  assert.equal(heading(landing.page.html), 'This form has expired', what);
}

/** The three forged submissions are refused with a 403 page, and the store does not change at all. */
async function assertCsrfEnforced(form: HeldForm): Promise<void> {
  const otherToken = await anotherBrowsersToken();
  assert.notEqual(otherToken, form.csrf);
  const before = await snapshotStore(server.db);
  assertForbidden(
    await form.browser.go(form.url, { method: 'POST', form: form.fields }),
    'without a CSRF token',
  );
  assertForbidden(
    await form.browser.go(form.url, { method: 'POST', form: { ...form.fields, csrf: '' } }),
    'with an empty token',
  );
  assertForbidden(
    await form.browser.go(form.url, { method: 'POST', form: { ...form.fields, csrf: otherToken } }),
    'with another browser’s token',
  );
  assertForbidden(
    await withoutCsrfCookie(form.browser).go(form.url, {
      method: 'POST',
      form: { ...form.fields, csrf: form.csrf },
    }),
    'with the token but without the CSRF cookie',
  );
  assert.deepEqual(storeChanges(before, await snapshotStore(server.db)), [], 'no state change');
}

/** The genuine submission, to show the refusals were for the token and not a broken form. */
const submit = (form: HeldForm) =>
  form.browser.go(form.url, { method: 'POST', form: { ...form.fields, csrf: form.csrf } });

async function personWithRoles(): Promise<TestPerson> {
  return createTestPerson(server.db, server.sealer, {
    roles: [
      { orgCode: 'RXX', jobRoleCode: 'R8000' },
      { orgCode: 'A99999', jobRoleCode: 'R8008' },
    ],
  });
}

describe('ASVS 3.5.1 CSRF on every POST form', () => {
  test('ASVS 3.5.1: "how do you want to sign in" (choose) refuses a forged POST', async () => {
    const signIn = await startSignIn(server, rp, {}, new Browser(rp.redirectUri), { choose: false });
    const form: HeldForm = {
      browser: signIn.browser,
      url: `${server.url}/interaction/${signIn.uid}/choose`,
      fields: { method: 'password-totp' },
      csrf: signIn.csrf,
    };
    await assertCsrfEnforced(form);
    const landing = await submit(form);
    assert.ok(landing.kind === 'page' && landing.page.status === 200, describeLanding(landing));
    assert.ok(formAction(landing.page.html, '/password-totp'), 'the genuine choice leads to the form');
  });

  test('ASVS 3.5.1: the Microsoft Authenticator sign-in form refuses a forged POST, even with the right password and code', async () => {
    const person = await createTestPerson(server.db, server.sealer);
    const signIn = await startSignIn(server, rp);
    const form: HeldForm = {
      browser: signIn.browser,
      url: `${server.url}/interaction/${signIn.uid}/password-totp`,
      fields: {
        email: person.email,
        password: person.password,
        code: oathtoolCode(person.totpSecret, Date.now()),
      },
      csrf: signIn.csrf,
    };
    await assertCsrfEnforced(form);
    const landing = await submit(form);
    assert.equal(landing.kind, 'callback', `the genuine sign-in works: ${describeLanding(landing)}`);
  });

  test('ASVS 3.5.1: the role picker refuses a forged POST', async () => {
    const person = await personWithRoles();
    const signIn = await startSignIn(server, rp, { scope: 'openid selectedrole' });
    const landing = await signIn.browser.go(`${server.url}/interaction/${signIn.uid}/password-totp`, {
      form: {
        csrf: signIn.csrf,
        email: person.email,
        password: person.password,
        code: oathtoolCode(person.totpSecret, Date.now()),
      },
    });
    assert.equal(landing.kind, 'page', describeLanding(landing));
    if (landing.kind !== 'page') return;
    const action = formAction(landing.page.html, '/role');
    assert.ok(action, 'the role picker is shown');
    const form: HeldForm = {
      browser: signIn.browser,
      url: new URL(action, server.url).href,
      fields: { role: person.roleIds[1]! },
      csrf: csrfToken(landing.page.html),
    };
    await assertCsrfEnforced(form);
    const done = await submit(form);
    assert.equal(done.kind, 'callback', `the genuine choice works: ${describeLanding(done)}`);
  });

  test('ASVS 3.5.1: cancel (abort) refuses a forged POST', async () => {
    const signIn = await startSignIn(server, rp);
    const form: HeldForm = {
      browser: signIn.browser,
      url: `${server.url}/interaction/${signIn.uid}/abort`,
      fields: {},
      csrf: signIn.csrf,
    };
    await assertCsrfEnforced(form);
    const landing = await submit(form);
    assert.equal(landing.kind, 'callback', describeLanding(landing));
    if (landing.kind === 'callback') assert.equal(landing.url.searchParams.get('error'), 'access_denied');
  });

  test('ASVS 3.5.1: the enrolment form refuses a forged POST, and nothing is activated', async () => {
    const person = await createTestPerson(server.db, server.sealer);
    const link = await issueEnrolmentLink(server.db, {
      personId: person.id,
      kind: 'password-totp',
      createdBy: null,
      ttlMs: 10 * 60_000,
    });
    const browser = new Browser('https://nowhere.example');
    const page = await browser.go(`${server.url}${link.path}`);
    assert.ok(page.kind === 'page' && page.page.status === 200, describeLanding(page));
    const secret = /id="secret">([^<]*)</.exec(page.page.html)?.[1]?.replace(/\s+/g, '');
    assert.ok(secret);
    const password = 'a walk along the quiet canal at dawn';
    const form: HeldForm = {
      browser,
      url: `${server.url}${link.path}`,
      fields: { password, confirmPassword: password, code: oathtoolCode(secret, Date.now()) },
      csrf: csrfToken(page.page.html),
    };
    await assertCsrfEnforced(form);
    const done = await submit(form);
    assert.ok(done.kind === 'page' && done.page.status === 200, describeLanding(done));
    assert.equal(heading(done.page.html), 'Microsoft Authenticator is set up');
  });
});
