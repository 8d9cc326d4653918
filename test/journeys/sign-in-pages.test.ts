// The sign-in pages themselves: labelled fields with the right autocomplete hints (WCAG 2.2 1.3.1,
// 1.3.5, 3.3.2), the NHS design system's error summary (WCAG 3.3.1), cancel, login_hint, the role
// picker, and page structure (WCAG 3.1.1 language, 2.4.1 skip link, 2.4.2 title, one h1).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { issueEnrolmentLink } from '../../src/authenticators/enrolment-links.ts';
import { findJobRole } from '../../src/directory/national-rbac.ts';
import { Browser, csrfToken, formAction, type Page } from '../helpers/browser.ts';
import { attribute, elementById, errorSummary, headings, pageTitle, visibleText } from '../helpers/pages.ts';
import { createTestPerson, oathtoolCode, type TestPerson } from '../helpers/people.ts';
import { createRelyingParty, type TestRelyingParty } from '../helpers/relying-party.ts';
import { describeLanding, startSignIn } from '../helpers/sign-in.ts';
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

/** The <label> for a field, as visible text. */
function labelFor(html: string, id: string): string | undefined {
  const match = new RegExp(`<label\\b[^>]*\\sfor="${id}"[^>]*>([\\s\\S]*?)</label>`).exec(html);
  return match ? visibleText(match[1]!) : undefined;
}

function assertPageStructure(html: string, what: string): void {
  assert.match(html, /<html[^>]*\slang="en"/, `${what}: <html lang="en">`);
  const skip = /<a\b[^>]*class="[^"]*nhsuk-skip-link[^"]*"[^>]*href="#([^"]+)"/.exec(html);
  assert.ok(skip, `${what}: a skip link`);
  assert.ok(elementById(html, skip[1]!), `${what}: the skip link's target #${skip[1]} exists`);
  assert.equal(headings(html).length, 1, `${what}: exactly one h1 (${headings(html).join(' | ')})`);
  assert.ok(pageTitle(html).endsWith('Care Identity'), `${what}: the title names the service`);
  const hasErrors = errorSummary(html).length > 0;
  assert.equal(
    pageTitle(html).startsWith('Error: '),
    hasErrors,
    `${what}: the title starts with "Error: " exactly when the page shows errors ("${pageTitle(html)}")`,
  );
}

async function rolePicker(person: TestPerson): Promise<{ browser: Browser; page: Page }> {
  const signIn = await startSignIn(server, rp, { scope: 'openid profile selectedrole' });
  const landing = await signIn.browser.go(`${server.url}/interaction/${signIn.uid}/password-totp`, {
    form: {
      csrf: signIn.csrf,
      email: person.email,
      password: person.password,
      code: oathtoolCode(person.totpSecret, Date.now()),
    },
  });
  assert.equal(landing.kind, 'page', describeLanding(landing));
  if (landing.kind !== 'page') throw new Error('unreachable');
  assert.ok(formAction(landing.page.html, '/role'), `the role picker: ${describeLanding(landing)}`);
  return { browser: signIn.browser, page: landing.page };
}

describe('the Microsoft Authenticator sign-in page', () => {
  test('WCAG 2.2 1.3.5 / NIST 800-63B-4 §3.1.1.2 (password managers): labelled email, password and code fields with autocomplete hints', async () => {
    const { page } = await startSignIn(server, rp);
    const email = elementById(page.html, 'email');
    assert.equal(labelFor(page.html, 'email'), 'Email address');
    assert.equal(attribute(email, 'name'), 'email');
    assert.equal(attribute(email, 'type'), 'email');
    // 'username', possibly followed by 'webauthn' for passkey autofill (HTML autofill detail tokens).
    assert.equal(attribute(email, 'autocomplete')?.split(/\s+/)[0], 'username');

    const password = elementById(page.html, 'password');
    assert.equal(labelFor(page.html, 'password'), 'Password');
    assert.equal(attribute(password, 'type'), 'password');
    assert.equal(attribute(password, 'autocomplete'), 'current-password');
    assert.doesNotMatch(password ?? '', /onpaste|maxlength/i, 'paste and long passwords are allowed');

    const code = elementById(page.html, 'code');
    assert.match(labelFor(page.html, 'code') ?? '', /code/i);
    assert.equal(attribute(code, 'autocomplete'), 'one-time-code');
    assert.equal(attribute(code, 'inputmode'), 'numeric');
    assert.equal(attribute(code, 'type'), 'text', 'a text field, not type=number (leading zeros)');
    assertPageStructure(page.html, 'sign-in page');
  });

  test('WCAG 2.2 3.3.1: missing fields → 400, an error summary linking to each field, and "Error: " in the title', async () => {
    const signIn = await startSignIn(server, rp);
    const landing = await signIn.browser.go(`${server.url}/interaction/${signIn.uid}/password-totp`, {
      form: { csrf: signIn.csrf, email: '', password: '', code: '' },
    });
    assert.ok(landing.kind === 'page', describeLanding(landing));
    const { html, status } = landing.page;
    assert.equal(status, 400);
    const summary = errorSummary(html);
    assert.deepEqual(
      summary.map((e) => e.href),
      ['#email', '#password', '#code'],
    );
    for (const { href, text } of summary) {
      const id = href.slice(1);
      assert.ok(elementById(html, id), `the summary link ${href} points at a field`);
      const message = elementById(html, `${id}-error`);
      assert.ok(message, `${id} has its own error message`);
      assert.match(attribute(elementById(html, id), 'aria-describedby') ?? '', new RegExp(`${id}-error`));
      assert.ok(text.length > 0);
    }
    assert.match(visibleText(html), /Enter your email address/);
    assertPageStructure(html, 'sign-in page with errors');
  });

  test('OAuth 2.0 (RFC 6749 §4.1.2.1): the cancel button returns error=access_denied to the relying party', async () => {
    const signIn = await startSignIn(server, rp);
    const cancel = formAction(signIn.page.html, '/abort');
    assert.ok(cancel, 'a cancel form');
    assert.match(visibleText(signIn.page.html), /Cancel and return to Test application \d+/);
    const landing = await signIn.browser.go(new URL(cancel, server.url).href, {
      method: 'POST',
      form: { csrf: csrfToken(signIn.page.html) },
    });
    assert.equal(landing.kind, 'callback', describeLanding(landing));
    if (landing.kind !== 'callback') return;
    assert.equal(`${landing.url.origin}${landing.url.pathname}`, rp.redirectUri);
    assert.equal(landing.url.searchParams.get('error'), 'access_denied');
    assert.equal(landing.url.searchParams.get('state'), signIn.request.state);
    assert.equal(landing.url.searchParams.get('iss'), server.issuer);
    assert.equal(landing.url.searchParams.get('code'), null);
  });

  test('OIDC Core §3.1.2.1: login_hint pre-fills the email field (escaped)', async () => {
    const { page } = await startSignIn(server, rp, { login_hint: 'jane.smith@example.nhs.uk' });
    assert.equal(attribute(elementById(page.html, 'email'), 'value'), 'jane.smith@example.nhs.uk');

    const hostile = '"><script>alert(1)</script>@example.nhs.uk';
    const escaped = await startSignIn(server, rp, { login_hint: hostile });
    assert.doesNotMatch(escaped.page.html, /<script>alert\(1\)/);
    assert.equal(
      attribute(elementById(escaped.page.html, 'email'), 'value'),
      '&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;@example.nhs.uk',
    );

    const none = await startSignIn(server, rp);
    assert.equal(attribute(elementById(none.page.html, 'email'), 'value') ?? '', '');
  });
});

describe('the role picker', () => {
  test('CIS2 role selection: each role is shown as its job role name, with the organisation name and code as hint', async () => {
    const person = await createTestPerson(server.db, server.sealer, {
      roles: [
        { orgCode: 'RXX', jobRoleCode: 'R8000' },
        { orgCode: 'A99999', jobRoleCode: 'R8008' },
      ],
    });
    const { page } = await rolePicker(person);
    const items = [
      ...page.html.matchAll(
        /<input\b[^>]*name="role"[^>]*>\s*<label\b[^>]*>([\s\S]*?)<\/label>\s*<div\b[^>]*nhsuk-hint[^>]*>([\s\S]*?)<\/div>/g,
      ),
    ].map((m) => ({ value: attribute(m[0], 'value'), label: visibleText(m[1]!), hint: visibleText(m[2]!) }));
    assert.equal(items.length, 2, 'one radio per role');
    const expected = [
      { roleId: person.roleIds[0], code: 'R8000', org: 'RXX' },
      { roleId: person.roleIds[1], code: 'R8008', org: 'A99999' },
    ];
    for (const { roleId, code, org } of expected) {
      const item = items.find((i) => i.value === roleId);
      assert.ok(item, `role ${roleId} is offered`);
      assert.equal(item.label, findJobRole(code)?.name, 'the label is the job role name');
      assert.match(item.hint, new RegExp(`ORGANISATION ${org}`), 'the hint names the organisation');
      assert.match(item.hint, new RegExp(`\\(${org}\\)`), 'the hint gives the organisation code');
    }
    assertPageStructure(page.html, 'role picker');
  });

  test('WCAG 2.2 3.3.1: continuing without choosing a role → 400 with an error summary and "Error: " in the title', async () => {
    const person = await createTestPerson(server.db, server.sealer, {
      roles: [
        { orgCode: 'RXX', jobRoleCode: 'R8000' },
        { orgCode: 'A99999', jobRoleCode: 'R8008' },
      ],
    });
    const { browser, page } = await rolePicker(person);
    const landing = await browser.go(new URL(formAction(page.html, '/role')!, server.url).href, {
      form: { csrf: csrfToken(page.html) },
    });
    assert.ok(landing.kind === 'page' && landing.page.status === 400, describeLanding(landing));
    assert.deepEqual(errorSummary(landing.page.html), [{ text: 'Select a role', href: '#role' }]);
    assert.ok(elementById(landing.page.html, 'role'), 'the summary link points at the first radio');
    assertPageStructure(landing.page.html, 'role picker with errors');
  });
});

describe('page structure', () => {
  test('WCAG 2.2 3.1.1 / 2.4.1 / 2.4.2: every page has <html lang="en">, a skip link and a single h1', async () => {
    const pages: [string, string][] = [];
    const first = await startSignIn(server, rp, {}, new Browser(rp.redirectUri), { choose: false });
    pages.push(['first sign-in page', first.page.html]);
    const signIn = await startSignIn(server, rp);
    pages.push(['Microsoft Authenticator page', signIn.page.html]);
    const refused = await signIn.browser.go(`${server.url}/interaction/${signIn.uid}/password-totp`, {
      form: { csrf: signIn.csrf, email: 'nobody@example.nhs.uk', password: 'wrong password', code: '123456' },
    });
    assert.ok(refused.kind === 'page' && refused.page.status === 401, describeLanding(refused));
    pages.push(['refused sign-in', refused.page.html]);
    for (const url of [`${server.url}/`, `${server.url}/no-such-page`, `${server.url}/enrol/not-a-link`]) {
      const response = await fetch(url);
      pages.push([url, await response.text()]);
    }
    const engineError = await fetch(`${server.issuer}/authorize?client_id=unknown`);
    pages.push(['engine error page', await engineError.text()]);
    const person = await createTestPerson(server.db, server.sealer);
    const link = await issueEnrolmentLink(server.db, {
      personId: person.id,
      kind: 'password-totp',
      createdBy: null,
      ttlMs: 60_000,
    });
    pages.push(['enrolment page', await (await fetch(`${server.url}${link.path}`)).text()]);
    for (const [what, html] of pages) assertPageStructure(html, what);
  });
});
