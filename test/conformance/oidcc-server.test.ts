// oidcc-server: the happy path through the real HTTP endpoints with a certified client library.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import * as client from 'openid-client';
import { Browser, completeSignIn } from '../helpers/browser.ts';
import { createTestPerson } from '../helpers/people.ts';
import { createRelyingParty } from '../helpers/relying-party.ts';
import { startTestServer, type TestServer } from '../helpers/test-server.ts';

let server: TestServer;
before(async () => {
  server = await startTestServer();
});
after(async () => {
  await server.close();
});

test('oidcc-server: code flow with private_key_jwt returns CIS2 ID token claims and UserInfo', async () => {
  const rp = await createRelyingParty(server);
  const person = await createTestPerson(server.db, server.sealer, {
    roles: [
      { orgCode: 'RXX', jobRoleCode: 'R8000' },
      { orgCode: 'A99999', jobRoleCode: 'R8008' },
    ],
  });
  const request = await rp.authorizationRequest({
    scope: 'openid profile email nhsperson associatedorgs nationalrbacaccess selectedrole',
    acr_values: 'AAL2_OR_AAL3_ANY',
    prompt: 'login',
    max_age: '300',
  });
  const browser = new Browser(rp.redirectUri);
  const landing = await completeSignIn(browser, server.url, await browser.go(request.url.href), person, {
    role: person.roleIds[1],
  });
  assert.equal(landing.kind, 'callback', landing.kind === 'page' ? landing.page.html.slice(0, 2000) : '');
  assert.equal(
    landing.url.searchParams.get('iss'),
    server.issuer,
    'RFC 9207 iss in the authorization response',
  );
  const tokens = await client.authorizationCodeGrant(rp.config, landing.url, {
    pkceCodeVerifier: request.verifier,
    expectedState: request.state,
    expectedNonce: request.nonce,
    maxAge: 300,
  });
  const claims = tokens.claims()!;
  assert.equal(claims.sub, person.id);
  assert.equal(claims.iss, server.issuer);
  assert.equal(claims.aud, rp.clientId);
  assert.equal(claims['acr'], 'AAL2_OR_AAL3_ANY');
  assert.deepEqual(claims['amr'], ['TOTP']);
  assert.equal(claims['authentication_assurance_level'], '2');
  assert.equal(claims['id_assurance_level'], '3');
  assert.equal(claims['selected_roleid'], person.roleIds[1]);
  assert.equal(typeof claims['sid'], 'string');
  assert.equal(typeof claims.auth_time, 'number');
  const userinfo = await client.fetchUserInfo(rp.config, tokens.access_token, person.id);
  assert.equal(userinfo.sub, person.id);
  assert.equal(userinfo['nhsid_useruid'], person.id);
  assert.equal(userinfo['idassurancelevel'], '3');
  const roles = userinfo['nhsid_nrbac_roles'] as { person_roleid: string; role_code: string }[];
  assert.ok(Array.isArray(roles));
  assert.deepEqual(roles.map((r) => r.person_roleid).sort(), [...person.roleIds].sort());
  assert.ok(roles.some((r) => r.role_code === 'S8000:G8000:R8000'));
  assert.ok(Array.isArray(userinfo['nhsid_user_orgs']));

  // Issue 4 §6: the token issue is in the audit trail, with the client and the person.
  const issued = await server.db
    .selectFrom('audit_events')
    .select(['actor', 'subject', 'outcome', 'detail'])
    .where('type', '=', 'token_issued')
    .where('subject', '=', person.id)
    .execute();
  assert.equal(issued.length, 1);
  assert.equal(issued[0]!.actor, rp.clientId);
  assert.equal(JSON.parse(issued[0]!.detail)['grant_type'], 'authorization_code');
});
