// prompt, max_age and id_token_hint (OIDC Core §3.1.2.1): prompt=login and an exceeded max_age
// force a new ceremony; prompt=none never shows a page; with a session it answers silently.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Browser } from '../helpers/browser.ts';
import { createTestPerson, type TestPerson } from '../helpers/people.ts';
import { createRelyingParty } from '../helpers/relying-party.ts';
import { startTestServer, type TestServer } from '../helpers/test-server.ts';
import { callbackOf, exchange, finishSignIn, offersSignIn, signInAndExchange, sleep } from './support.ts';

let server: TestServer;
before(async () => {
  server = await startTestServer();
});
after(async () => {
  await server.close();
});

/** Successful sign-in ceremonies the audit trail holds for a person. */
async function ceremonies(person: TestPerson): Promise<number> {
  const rows = await server.db
    .selectFrom('audit_events')
    .select('type')
    .where('subject', '=', person.id)
    .where('outcome', '=', 'success')
    .where('type', 'in', ['sign_in', 'step_up', 're_authentication'])
    .execute();
  return rows.length;
}

test('oidcc-prompt-login: prompt=login shows the sign-in form again and a new ceremony sets auth_time', async () => {
  const rp = await createRelyingParty(server);
  const person = await createTestPerson(server.db, server.sealer);
  // max_age makes the first ID token carry auth_time (the engine adds it only when asked).
  const first = await signInAndExchange(server, rp, person, { max_age: '300' });
  assert.equal(await ceremonies(person), 1);

  const request = await rp.authorizationRequest({ prompt: 'login', max_age: '300' });
  const landing = await first.browser.go(request.url.href);
  assert.ok(offersSignIn(landing), 'prompt=login must show the sign-in form even with a session');
  const callback = callbackOf(await finishSignIn(first.browser, server, landing, person));
  const second = (await exchange(rp, callback, request)).claims()!;
  assert.equal(second.sub, person.id);
  assert.equal(typeof second.auth_time, 'number');
  assert.ok(second.auth_time! >= first.claims.auth_time!, 'auth_time must not go back');
  assert.equal(await ceremonies(person), 2, 'a second ceremony must have taken place');
});

test('oidcc-max-age-1: after more than a second, max_age=1 forces the sign-in form again', async () => {
  const rp = await createRelyingParty(server);
  const person = await createTestPerson(server.db, server.sealer);
  const first = await signInAndExchange(server, rp, person, { max_age: '300' });
  const firstAuthTime = first.claims.auth_time!;
  assert.equal(typeof firstAuthTime, 'number');
  // Wait until whole seconds since auth_time exceed 1 (at most ~2 s).
  const waitMs = (firstAuthTime + 2) * 1000 - Date.now();
  if (waitMs > 0) await sleep(waitMs + 50);

  const request = await rp.authorizationRequest({ max_age: '1' });
  const landing = await first.browser.go(request.url.href);
  assert.ok(offersSignIn(landing), 'max_age exceeded must show the sign-in form');
  const callback = callbackOf(await finishSignIn(first.browser, server, landing, person));
  const claims = (await exchange(rp, callback, request, { maxAge: 1 })).claims()!;
  assert.equal(typeof claims.auth_time, 'number', 'CheckIdTokenAuthTimeClaimPresentDueToMaxAge');
  assert.ok(claims.auth_time! > firstAuthTime, 'auth_time must come from the new ceremony');
});

test('oidcc-max-age-10000: a session inside max_age is reused without a form, auth_time present', async () => {
  const rp = await createRelyingParty(server);
  const person = await createTestPerson(server.db, server.sealer);
  const first = await signInAndExchange(server, rp, person, { max_age: '300' });
  const request = await rp.authorizationRequest({ max_age: '10000' });
  const callback = callbackOf(await first.browser.go(request.url.href));
  const claims = (await exchange(rp, callback, request, { maxAge: 10000 })).claims()!;
  assert.equal(claims.auth_time, first.claims.auth_time);
});

test('oidcc-prompt-none-not-logged-in: prompt=none without a session → login_required to the redirect URI', async () => {
  const rp = await createRelyingParty(server);
  const request = await rp.authorizationRequest({ prompt: 'none' });
  const callback = callbackOf(await new Browser(rp.redirectUri).go(request.url.href));
  assert.equal(callback.searchParams.get('error'), 'login_required');
  assert.equal(callback.searchParams.get('code'), null);
  assert.equal(callback.searchParams.get('state'), request.state);
  assert.equal(callback.searchParams.get('iss'), server.issuer);
});

test('oidcc-id-token-hint: prompt=none with id_token_hint after signing in succeeds silently, same sub', async () => {
  const rp = await createRelyingParty(server);
  const person = await createTestPerson(server.db, server.sealer);
  const first = await signInAndExchange(server, rp, person);
  const request = await rp.authorizationRequest({ prompt: 'none', id_token_hint: first.tokens.id_token! });
  const landing = await first.browser.go(request.url.href);
  const callback = callbackOf(landing);
  assert.equal(callback.searchParams.get('error'), null, callback.href);
  const claims = (await exchange(rp, callback, request)).claims()!;
  assert.equal(claims.sub, person.id);
  assert.equal(await ceremonies(person), 1, 'no new sign-in');
  assert.equal(claims['sid'], first.claims['sid']);
});

test('oidcc-id-token-hint (other person): prompt=none with a hint for someone else → login_required', async () => {
  const rp = await createRelyingParty(server);
  const [alice, bob] = [
    await createTestPerson(server.db, server.sealer),
    await createTestPerson(server.db, server.sealer),
  ];
  const bobs = await signInAndExchange(server, rp, bob);
  const alices = await signInAndExchange(server, rp, alice);
  const request = await rp.authorizationRequest({ prompt: 'none', id_token_hint: bobs.tokens.id_token! });
  const callback = callbackOf(await alices.browser.go(request.url.href));
  assert.equal(callback.searchParams.get('error'), 'login_required');
  assert.equal(callback.searchParams.get('code'), null);
});
