// Bench child: a real Care Identity node (startServer) on a fresh database, SQLite or PostgreSQL.
// Before it listens it gets one person with two roles and one private_key_jwt relying party; then,
// when the parent asks, it mints what a completed TOTP sign-in leaves behind (engine Session and
// Grant, the sign-in context row with the chosen role) and codes or access tokens on top of it.
import { sql } from 'kysely';
import { loadConfig } from '../../src/config/load.ts';
import { upsertOrganisation } from '../../src/directory/organisations.ts';
import { createPerson } from '../../src/directory/people.ts';
import { assignRole } from '../../src/directory/positions.ts';
import { recordCeremony, recordRoleChoice } from '../../src/journeys/sign-in-context.ts';
import { registerClient } from '../../src/oidc/clients.ts';
import { issuerFor } from '../../src/oidc/paths.ts';
import { startServer } from '../../src/server/start.ts';
import { Sealer } from '../../src/store/sealer.ts';
import { createTestDatabase } from '../helpers/databases.ts';
import { freePort, TEST_COOKIE_KEY, TEST_KEY_ENCRYPTION_SECRET } from '../helpers/test-server.ts';
import { EngineMint } from './mint.ts';
import { childSetup, serveParent } from './protocol.ts';

/** A CIS2 relying party's usual request: every claim set, and the role chosen at sign-in. */
const SCOPE = 'openid profile email nhsperson associatedorgs nationalrbacaccess selectedrole';
const CLIENT_ID = '900000000001.apps.supplier.bench';
const REDIRECT_URI = 'https://rp.bench.example/callback';

const setup = childSetup();
const database = await createTestDatabase(setup.database ?? 'sqlite');
const port = await freePort();
const publicUrl = `http://127.0.0.1:${port}`;
const config = loadConfig({
  env: {},
  overrides: {
    publicUrl,
    listen: { host: '127.0.0.1', port },
    logLevel: 'silent',
    secrets: { keyEncryption: TEST_KEY_ENCRYPTION_SECRET, cookieKeys: [TEST_COOKIE_KEY] },
    // The longest the configuration allows: codes are minted just before each run.
    tokens: { authorizationCodeTtl: 600 },
  },
});

let mint: EngineMint | undefined;
const running = await startServer(config, {
  db: database.db,
  async beforeListen(app, db, secrets) {
    if (setup.sqliteSynchronous && database.kind === 'sqlite') {
      await sql.raw(`PRAGMA synchronous = ${setup.sqliteSynchronous}`).execute(db);
    }
    const person = await createPerson(db, {
      givenName: 'Bench',
      familyName: 'Person',
      email: 'bench.person@example.nhs.uk',
      idAssuranceLevel: 3,
    });
    const roleIds: string[] = [];
    for (const role of [
      { orgCode: 'RXX', jobRoleCode: 'R8000' },
      { orgCode: 'A99999', jobRoleCode: 'R8008' },
    ]) {
      await upsertOrganisation(db, { code: role.orgCode, name: `ORGANISATION ${role.orgCode}` });
      roleIds.push((await assignRole(db, { personId: person.id, ...role })).personRoleId);
    }
    await registerClient(db, new Sealer(secrets.keyEncryption), app.provider, {
      client_id: CLIENT_ID,
      client_name: 'Bench relying party',
      redirect_uris: [REDIRECT_URI],
      token_endpoint_auth_method: 'private_key_jwt',
      token_endpoint_auth_signing_alg: setup.alg,
      jwks: { keys: [setup.publicJwk] },
      grant_types: ['authorization_code'],
      response_types: ['code'],
      minimum_aal: 2,
      pkce_required: true,
    });
    mint = new EngineMint(app.provider, {
      accountId: person.id,
      clientId: CLIENT_ID,
      redirectUri: REDIRECT_URI,
      scope: SCOPE,
      acr: 'AAL2_OR_AAL3_ANY',
      amr: ['TOTP'],
      // The request asked acr_values=AAL2_OR_AAL3_ANY and max_age=300, as in the conformance test.
      claims: { id_token: { auth_time: { essential: true }, acr: { values: ['AAL2_OR_AAL3_ANY'] } } },
      includeSid: true,
      sessionTtl: config.tokens.sessionTtl,
      codesPerSignIn: 1,
      // What the resume route records after a password + TOTP ceremony and a role choice.
      async afterSignIn(sessionUid, authTime) {
        await recordCeremony(db, sessionUid, {
          personId: person.id,
          level: 2,
          methods: ['TOTP'],
          authenticatorId: null,
          authenticatedAt: authTime * 1000,
        });
        await recordRoleChoice(db, sessionUid, roleIds[1]!);
      },
    });
  },
});

/**
 * Minting is set-up, not measurement: on SQLite it runs without syncing each commit to disk, and
 * the store's own setting is restored before the parent measures anything.
 */
async function unsynced<T>(work: () => Promise<T>): Promise<T> {
  if (database.kind !== 'sqlite') return work();
  const { rows } = await sql<{ synchronous: number }>`PRAGMA synchronous`.execute(database.db);
  await sql`PRAGMA synchronous = OFF`.execute(database.db);
  try {
    return await work();
  } finally {
    await sql.raw(`PRAGMA synchronous = ${Number(rows[0]!.synchronous)}`).execute(database.db);
  }
}

serveParent(
  {
    issuer: issuerFor(publicUrl, config.pathProfile),
    clientId: CLIENT_ID,
    redirectUri: REDIRECT_URI,
    scope: SCOPE,
    // Read through the sign-in context row: if it were missing, the exchange would fail instead.
    idTokenClaims: ['acr', 'amr', 'sid', 'auth_time', 'authentication_assurance_level', 'selected_roleid'],
  },
  {
    codes: (count) => unsynced(() => mint!.codes(count)),
    accessTokens: (count) => unsynced(() => mint!.accessTokens(count)),
  },
  async () => {
    await running.close();
    await database.close();
  },
);
