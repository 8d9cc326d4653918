// Role selection (contract §11), which no OpenID conformance module covers: with `selectedrole`,
// one role is picked automatically, two to five are listed, more than five are listed with a
// search box; zero roles still sign in; the choice is remembered for the IdP session;
// `changedrole` asks again; ended and future roles are never offered.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import * as client from 'openid-client';
import { upsertOrganisation } from '../../src/directory/organisations.ts';
import { assignRole } from '../../src/directory/positions.ts';
import { todayInLondon } from '../../src/directory/today.ts';
import { Browser, csrfToken, formAction, type Landing, roleChoices } from '../helpers/browser.ts';
import { createTestPerson, nextCode, type TestPerson } from '../helpers/people.ts';
import { createRelyingParty, type TestRelyingParty } from '../helpers/relying-party.ts';
import { startTestServer, type TestServer } from '../helpers/test-server.ts';
import {
  callbackOf,
  chooseMicrosoftAuthenticator,
  exchange,
  isRolePicker,
  isSignInForm,
  pageOf,
  pageTitle,
} from './support.ts';

const ROLE_SCOPE = 'openid profile nationalrbacaccess selectedrole';
const CHANGE_SCOPE = 'openid profile nationalrbacaccess changedrole';
const DAY = 24 * 3600 * 1000;

let server: TestServer;
let rp: TestRelyingParty;
before(async () => {
  server = await startTestServer();
  rp = await createRelyingParty(server);
});
after(async () => {
  await server.close();
});

let orgCounter = 0;
/** Roles at distinct organisations whose codes are not substrings of one another. */
function roles(count: number, jobRoleCode = 'R8000') {
  return Array.from({ length: count }, () => {
    orgCounter += 1;
    return { orgCode: `Q${String(orgCounter).padStart(2, '0')}X${process.pid % 1000}`, jobRoleCode };
  });
}

/** From the start of a journey, signs in with Microsoft Authenticator: where the browser lands next. */
async function submitCredentials(browser: Browser, landing: Landing, person: TestPerson): Promise<Landing> {
  const form = await chooseMicrosoftAuthenticator(browser, server, landing);
  assert.ok(isSignInForm(form), 'the sign-in form');
  const { html } = pageOf(form);
  return browser.go(new URL(formAction(html, '/password-totp')!, server.url).href, {
    form: {
      csrf: csrfToken(html),
      email: person.email,
      password: person.password,
      code: await nextCode(person),
    },
  });
}

async function pickRole(browser: Browser, picker: Landing, roleId: string): Promise<Landing> {
  const { html } = pageOf(picker);
  return browser.go(new URL(formAction(html, '/role')!, server.url).href, {
    form: { csrf: csrfToken(html), role: roleId },
  });
}

async function claimsFrom(
  callback: URL,
  request: Awaited<ReturnType<TestRelyingParty['authorizationRequest']>>,
) {
  const tokens = await exchange(rp, callback, request);
  const userinfo = await client.fetchUserInfo(rp.config, tokens.access_token, tokens.claims()!.sub);
  return { id: tokens.claims()!, userinfo };
}

function roleIdsIn(userinfo: Record<string, unknown>): string[] {
  return (userinfo['nhsid_nrbac_roles'] as { person_roleid: string }[]).map((r) => r.person_roleid).sort();
}

test('cis2 §11 one role: selected automatically, no page shown', async () => {
  const person = await createTestPerson(server.db, server.sealer, { roles: roles(1) });
  const browser = new Browser(rp.redirectUri);
  const request = await rp.authorizationRequest({ scope: ROLE_SCOPE });
  const landing = await submitCredentials(browser, await browser.go(request.url.href), person);
  const { id } = await claimsFrom(callbackOf(landing), request);
  assert.equal(id['selected_roleid'], person.roleIds[0]);
});

test('cis2 §11 two to five roles: a list of them all, without a search box; the pick is returned', async () => {
  const person = await createTestPerson(server.db, server.sealer, { roles: roles(3) });
  const browser = new Browser(rp.redirectUri);
  const request = await rp.authorizationRequest({ scope: ROLE_SCOPE });
  const picker = await submitCredentials(browser, await browser.go(request.url.href), person);
  assert.ok(isRolePicker(picker), 'the role picker');
  const { html } = pageOf(picker);
  assert.deepEqual(roleChoices(html).sort(), [...person.roleIds].sort());
  assert.doesNotMatch(html, /name="q"/, 'no search box for five roles or fewer');
  const { id, userinfo } = await claimsFrom(
    callbackOf(await pickRole(browser, picker, person.roleIds[1]!)),
    request,
  );
  assert.equal(id['selected_roleid'], person.roleIds[1]);
  assert.ok(roleIdsIn(userinfo).includes(person.roleIds[1]!));
});

test('cis2 §11 more than five roles: a list with a search box, and the search narrows it', async () => {
  const assigned = roles(6);
  const person = await createTestPerson(server.db, server.sealer, { roles: assigned });
  const browser = new Browser(rp.redirectUri);
  const request = await rp.authorizationRequest({ scope: ROLE_SCOPE });
  const picker = await submitCredentials(browser, await browser.go(request.url.href), person);
  assert.ok(isRolePicker(picker), 'the role picker');
  const page = pageOf(picker);
  assert.match(page.html, /name="q"/, 'a search box');
  assert.deepEqual(roleChoices(page.html).sort(), [...person.roleIds].sort());

  const searchUrl = new URL(page.url);
  searchUrl.searchParams.set('q', assigned[4]!.orgCode.toLowerCase());
  const narrowed = await browser.go(searchUrl.href);
  assert.ok(isRolePicker(narrowed));
  assert.deepEqual(roleChoices(pageOf(narrowed).html), [person.roleIds[4]]);

  searchUrl.searchParams.set('q', 'no role matches this text');
  assert.deepEqual(roleChoices(pageOf(await browser.go(searchUrl.href)).html), []);

  const { id } = await claimsFrom(callbackOf(await pickRole(browser, narrowed, person.roleIds[4]!)), request);
  assert.equal(id['selected_roleid'], person.roleIds[4]);
});

test('cis2 §11 zero roles: signs in, no selected_roleid, nhsid_nrbac_roles is []', async () => {
  const person = await createTestPerson(server.db, server.sealer);
  const browser = new Browser(rp.redirectUri);
  const request = await rp.authorizationRequest({ scope: ROLE_SCOPE });
  const landing = await submitCredentials(browser, await browser.go(request.url.href), person);
  const { id, userinfo } = await claimsFrom(callbackOf(landing), request);
  assert.equal(id.sub, person.id);
  assert.equal(id['selected_roleid'], undefined);
  assert.deepEqual(userinfo['nhsid_nrbac_roles'], []);
});

test('cis2 §11 the role is remembered for the IdP session: no picker on the next request, same role', async () => {
  const person = await createTestPerson(server.db, server.sealer, { roles: roles(2) });
  const browser = new Browser(rp.redirectUri);
  const first = await rp.authorizationRequest({ scope: ROLE_SCOPE });
  const picker = await submitCredentials(browser, await browser.go(first.url.href), person);
  const chosen = person.roleIds[1]!;
  assert.equal(
    (await claimsFrom(callbackOf(await pickRole(browser, picker, chosen)), first)).id['selected_roleid'],
    chosen,
  );

  // Single sign-on: no form, no picker, the same role.
  const second = await rp.authorizationRequest({ scope: ROLE_SCOPE });
  const silent = callbackOf(await browser.go(second.url.href));
  assert.equal((await claimsFrom(silent, second)).id['selected_roleid'], chosen);

  // Another application in the same session gets the same role.
  const other = await createRelyingParty(server);
  const otherRequest = await other.authorizationRequest({ scope: ROLE_SCOPE });
  const otherCallback = callbackOf(
    await new Browser(other.redirectUri, browser.cookies).go(otherRequest.url.href),
  );
  assert.equal((await exchange(other, otherCallback, otherRequest)).claims()!['selected_roleid'], chosen);

  // prompt=login (as CIS2 relying parties send) signs in again but does not ask for the role again.
  const relogin = await rp.authorizationRequest({ scope: ROLE_SCOPE, prompt: 'login' });
  const afterLogin = await submitCredentials(browser, await browser.go(relogin.url.href), person);
  assert.equal((await claimsFrom(callbackOf(afterLogin), relogin)).id['selected_roleid'], chosen);
});

test('cis2 §11 changedrole shows the picker again although a role is remembered, and returns the new pick', async () => {
  const person = await createTestPerson(server.db, server.sealer, { roles: roles(3) });
  const browser = new Browser(rp.redirectUri);
  const first = await rp.authorizationRequest({ scope: ROLE_SCOPE });
  const picker = await submitCredentials(browser, await browser.go(first.url.href), person);
  await claimsFrom(callbackOf(await pickRole(browser, picker, person.roleIds[0]!)), first);

  const change = await rp.authorizationRequest({ scope: CHANGE_SCOPE });
  const again = await browser.go(change.url.href);
  assert.ok(isRolePicker(again), 'changedrole shows the picker without a new sign-in');
  assert.deepEqual(roleChoices(pageOf(again).html).sort(), [...person.roleIds].sort());
  const changed = await claimsFrom(callbackOf(await pickRole(browser, again, person.roleIds[2]!)), change);
  assert.equal(changed.id['selected_roleid'], person.roleIds[2]);

  // The new role is the one remembered from now on.
  const next = await rp.authorizationRequest({ scope: ROLE_SCOPE });
  const silent = callbackOf(await browser.go(next.url.href));
  assert.equal((await claimsFrom(silent, next)).id['selected_roleid'], person.roleIds[2]);
});

test('cis2 §11 ended and future roles are not offered, and cannot be picked', async () => {
  const person = await createTestPerson(server.db, server.sealer, { roles: roles(2) });
  const [ended, future] = roles(2);
  for (const role of [ended!, future!]) {
    await upsertOrganisation(server.db, { code: role.orgCode, name: `ORGANISATION ${role.orgCode}` });
  }
  const endedRole = await assignRole(server.db, {
    personId: person.id,
    ...ended!,
    startDate: todayInLondon(Date.now() - 30 * DAY),
    endDate: todayInLondon(Date.now() - 2 * DAY),
  });
  const futureRole = await assignRole(server.db, {
    personId: person.id,
    ...future!,
    startDate: todayInLondon(Date.now() + 2 * DAY),
  });

  const browser = new Browser(rp.redirectUri);
  const request = await rp.authorizationRequest({ scope: ROLE_SCOPE });
  const picker = await submitCredentials(browser, await browser.go(request.url.href), person);
  assert.ok(isRolePicker(picker));
  assert.deepEqual(roleChoices(pageOf(picker).html).sort(), [...person.roleIds].sort());

  for (const hidden of [endedRole.personRoleId, futureRole.personRoleId]) {
    const refused = pageOf(await pickRole(browser, picker, hidden));
    assert.equal(refused.status, 400, `role ${hidden} must not be accepted`);
    assert.ok(isRolePicker({ kind: 'page', page: refused }), `${pageTitle(refused)}: the picker again`);
  }
  const { id, userinfo } = await claimsFrom(
    callbackOf(await pickRole(browser, picker, person.roleIds[0]!)),
    request,
  );
  assert.equal(id['selected_roleid'], person.roleIds[0]);
  assert.deepEqual(roleIdsIn(userinfo), [...person.roleIds].sort());
});
