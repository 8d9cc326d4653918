// The storage contract: what every store adapter (SQLite through node:sqlite, PostgreSQL through pg)
// must do the same way. Runs once per database kind; PostgreSQL needs DATABASE_URL.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { beforeEach, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { type AdapterPayload, errors } from 'oidc-provider';
import { createAdapterFactory, sweepExpiredPayloads } from '../../src/oidc/adapter.ts';
import {
  ensureSigningKeys,
  listSigningKeys,
  loadSigningJwks,
  rotateSigningKeys,
} from '../../src/oidc/signing-keys.ts';
import { migrate } from '../../src/store/database.ts';
import { migrationProvider } from '../../src/store/migrations/index.ts';
import { Sealer } from '../../src/store/sealer.ts';

const adapterSealer = new Sealer('contract-test adapter key-encryption secret');

import { createTestDatabase, describeEachDatabase } from '../helpers/databases.ts';

const TABLES = [
  'people',
  'organisations',
  'org_memberships',
  'role_assignments',
  'clients',
  'signing_keys',
  'oidc_payloads',
  'authenticators',
  'enrolment_tokens',
  'sign_in_contexts',
  'audit_events',
] as const;

const HOUR = 3_600_000;

function uid(prefix: string): string {
  return `${prefix}-${randomUUID()}`;
}

function payload(fields: Record<string, unknown>): AdapterPayload {
  return fields as AdapterPayload;
}

describeEachDatabase('storage contract', (ctx) => {
  describe('migrations', () => {
    test('a fresh database migrates to the latest version and a second migrate applies nothing', async () => {
      const fresh = await createTestDatabase(ctx.kind, { migrate: false });
      try {
        const all = Object.keys(await migrationProvider.getMigrations()).sort();
        assert.equal(all[0], '001-initial');
        assert.deepEqual(await migrate(fresh.db), all);
        assert.deepEqual(await migrate(fresh.db), []);
      } finally {
        await fresh.close();
      }
    });

    test('every table of the schema exists and starts empty', async () => {
      for (const table of TABLES) {
        const row = await ctx.db
          .selectFrom(table)
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .executeTakeFirstOrThrow();
        assert.equal(Number(row.n), 0, table);
      }
    });

    test('audit_events.seq is assigned by the database, increasing, and read back as a number', async () => {
      const event = {
        at: Date.now(),
        type: 'test',
        outcome: 'success',
        actor: null,
        subject: null,
        org_code: null,
        source_ip: null,
        detail: '{}',
        prev_hash: '',
        hash: 'h',
      };
      const first = await ctx.db
        .insertInto('audit_events')
        .values(event)
        .returning('seq')
        .executeTakeFirstOrThrow();
      const second = await ctx.db
        .insertInto('audit_events')
        .values(event)
        .returning('seq')
        .executeTakeFirstOrThrow();
      assert.equal(typeof first.seq, 'number');
      assert.ok(second.seq > first.seq);
    });

    test('bigint (epoch millisecond) columns are read back as numbers', async () => {
      const now = Date.now();
      await ctx.db
        .insertInto('clients')
        .values({ client_id: uid('bigint'), metadata: '{}', created_at: now, updated_at: now })
        .execute();
      const row = await ctx.db
        .selectFrom('clients')
        .select('created_at')
        .where('created_at', '=', now)
        .executeTakeFirstOrThrow();
      assert.equal(row.created_at, now);
    });
  });

  describe('oidc adapter', () => {
    test('upsert then find returns the stored payload', async () => {
      const adapter = createAdapterFactory(ctx.db, adapterSealer)('AuthorizationCode');
      const id = uid('code');
      const stored = payload({
        accountId: '555000000001',
        clientId: 'app',
        grantId: uid('grant'),
        scope: 'openid',
      });
      await adapter.upsert(id, stored, 60);
      assert.deepEqual(await adapter.find(id), stored);
    });

    test('find, findByUid and findByUserCode return undefined for unknown records', async () => {
      const adapter = createAdapterFactory(ctx.db, adapterSealer)('Session');
      assert.equal(await adapter.find(uid('missing')), undefined);
      assert.equal(await adapter.findByUid(uid('missing')), undefined);
      assert.equal(await adapter.findByUserCode(uid('missing')), undefined);
    });

    test('a second upsert of the same id replaces the payload', async () => {
      const adapter = createAdapterFactory(ctx.db, adapterSealer)('Session');
      const id = uid('session');
      await adapter.upsert(id, payload({ uid: uid('uid'), accountId: 'first' }), 60);
      const second = payload({ uid: uid('uid'), accountId: 'second' });
      await adapter.upsert(id, second, 60);
      assert.deepEqual(await adapter.find(id), second);
      const rows = await ctx.db.selectFrom('oidc_payloads').select('id').where('id', '=', id).execute();
      assert.equal(rows.length, 1);
    });

    test('the same id under two models holds two separate records', async () => {
      const factory = createAdapterFactory(ctx.db, adapterSealer);
      const id = uid('shared');
      await factory('AccessToken').upsert(id, payload({ kind: 'AccessToken' }), 60);
      await factory('RefreshToken').upsert(id, payload({ kind: 'RefreshToken' }), 60);
      assert.deepEqual(await factory('AccessToken').find(id), { kind: 'AccessToken' });
      assert.deepEqual(await factory('RefreshToken').find(id), { kind: 'RefreshToken' });
    });

    test('a record upserted with expiresIn 1 s is found now and no longer found after 1.1 s', async () => {
      const adapter = createAdapterFactory(ctx.db, adapterSealer)('Session');
      const id = uid('session');
      const sessionUid = uid('uid');
      await adapter.upsert(id, payload({ uid: sessionUid }), 1);
      assert.deepEqual(await adapter.find(id), { uid: sessionUid });
      assert.deepEqual(await adapter.findByUid(sessionUid), { uid: sessionUid });
      await sleep(1_100);
      assert.equal(await adapter.find(id), undefined);
      assert.equal(await adapter.findByUid(sessionUid), undefined);
    });

    test('findByUid finds a Session by its uid, and only under that model', async () => {
      const factory = createAdapterFactory(ctx.db, adapterSealer);
      const id = uid('session');
      const sessionUid = uid('uid');
      const stored = payload({ uid: sessionUid, accountId: '555000000002' });
      await factory('Session').upsert(id, stored, 60);
      assert.deepEqual(await factory('Session').findByUid(sessionUid), stored);
      assert.equal(await factory('Interaction').findByUid(sessionUid), undefined);
    });

    test('findByUserCode finds a DeviceCode by its user code', async () => {
      const adapter = createAdapterFactory(ctx.db, adapterSealer)('DeviceCode');
      const userCode = `UC-${randomUUID().slice(0, 8)}`;
      const stored = payload({ userCode, clientId: 'tv' });
      await adapter.upsert(uid('device'), stored, 60);
      assert.deepEqual(await adapter.findByUserCode(userCode), stored);
    });

    test('consume marks the record consumed with the time in epoch seconds', async () => {
      const adapter = createAdapterFactory(ctx.db, adapterSealer)('AuthorizationCode');
      const id = uid('code');
      await adapter.upsert(id, payload({ grantId: uid('grant') }), 60);
      assert.equal((await adapter.find(id))?.consumed, undefined);
      const before = Math.floor(Date.now() / 1000);
      await adapter.consume(id);
      const consumed = (await adapter.find(id))?.consumed;
      assert.equal(typeof consumed, 'number');
      assert.ok(consumed >= before && consumed <= Math.ceil(Date.now() / 1000), `consumed=${consumed}`);
    });

    test('10 concurrent consumes of one code: exactly one succeeds, 9 throw InvalidGrant, the grant is revoked', async () => {
      const factory = createAdapterFactory(ctx.db, adapterSealer);
      const codes = factory('AuthorizationCode');
      const grantId = uid('grant');
      const codeId = uid('code');
      const tokenId = uid('token');
      await codes.upsert(codeId, payload({ grantId }), 60);
      await factory('AccessToken').upsert(tokenId, payload({ grantId }), 60);

      const results = await Promise.allSettled(Array.from({ length: 10 }, () => codes.consume(codeId)));

      const fulfilled = results.filter((r) => r.status === 'fulfilled');
      const rejected = results.filter((r) => r.status === 'rejected');
      assert.equal(fulfilled.length, 1);
      assert.equal(rejected.length, 9);
      for (const r of rejected) assert.ok(r.reason instanceof errors.InvalidGrant, String(r.reason));
      assert.equal(await codes.find(codeId), undefined);
      assert.equal(await factory('AccessToken').find(tokenId), undefined);
    });

    test('revokeByGrantId removes every model’s records for that grant and nothing else', async () => {
      const factory = createAdapterFactory(ctx.db, adapterSealer);
      const grantId = uid('grant');
      const otherGrantId = uid('grant');
      const revoked = [
        ['AuthorizationCode', uid('code')],
        ['AccessToken', uid('token')],
        ['RefreshToken', uid('refresh')],
        ['BackchannelAuthenticationRequest', uid('ciba')],
      ] as const;
      const kept = [
        ['AccessToken', uid('token'), otherGrantId],
        ['RefreshToken', uid('refresh'), otherGrantId],
        ['Session', uid('session'), undefined],
      ] as const;
      for (const [model, id] of revoked) await factory(model).upsert(id, payload({ grantId }), 60);
      for (const [model, id, grant] of kept) await factory(model).upsert(id, payload({ grantId: grant }), 60);

      await factory('AccessToken').revokeByGrantId(grantId);

      for (const [model, id] of revoked) assert.equal(await factory(model).find(id), undefined, model);
      for (const [model, id] of kept) assert.notEqual(await factory(model).find(id), undefined, model);
      const left = await ctx.db
        .selectFrom('oidc_payloads')
        .select('id')
        .where('grant_id', '=', grantId)
        .execute();
      assert.deepEqual(left, []);
    });

    test('destroy removes that record only', async () => {
      const adapter = createAdapterFactory(ctx.db, adapterSealer)('Interaction');
      const gone = uid('interaction');
      const stays = uid('interaction');
      await adapter.upsert(gone, payload({ prompt: 'login' }), 60);
      await adapter.upsert(stays, payload({ prompt: 'consent' }), 60);
      await adapter.destroy(gone);
      assert.equal(await adapter.find(gone), undefined);
      assert.deepEqual(await adapter.find(stays), { prompt: 'consent' });
    });

    test('sweepExpiredPayloads deletes expired records and keeps live and non-expiring ones', async () => {
      const adapter = createAdapterFactory(ctx.db, adapterSealer)('AccessToken');
      const expired = [uid('expired'), uid('expired')];
      const live = uid('live');
      const forever = uid('forever');
      for (const id of expired) await adapter.upsert(id, payload({}), 60);
      await adapter.upsert(live, payload({}), 60);
      await adapter.upsert(forever, payload({}), 0);
      await ctx.db
        .updateTable('oidc_payloads')
        .set({ expires_at: Date.now() - 1_000 })
        .where('id', 'in', expired)
        .execute();
      const due = await ctx.db
        .selectFrom('oidc_payloads')
        .select('id')
        .where('expires_at', '<', Date.now())
        .execute();

      const deleted = await sweepExpiredPayloads(ctx.db);

      assert.equal(deleted, due.length);
      assert.ok(deleted >= expired.length);
      const remaining = await ctx.db
        .selectFrom('oidc_payloads')
        .select('id')
        .where('id', 'in', [...expired, live, forever])
        .orderBy('id')
        .execute();
      assert.deepEqual(
        remaining.map((r) => r.id),
        [live, forever].sort(),
      );
      assert.equal(await sweepExpiredPayloads(ctx.db), 0);
    });

    test('the Client model reads client metadata from the clients table', async () => {
      const clientId = uid('client');
      const metadata = {
        client_id: clientId,
        redirect_uris: ['https://rp.example/cb'],
        token_endpoint_auth_method: 'private_key_jwt',
      };
      const now = Date.now();
      await ctx.db
        .insertInto('clients')
        .values({ client_id: clientId, metadata: JSON.stringify(metadata), created_at: now, updated_at: now })
        .execute();
      const clients = createAdapterFactory(ctx.db, adapterSealer)('Client');
      assert.deepEqual(await clients.find(clientId), metadata);
      assert.equal(await clients.find(uid('client')), undefined);
      const sealedId = uid('client');
      const sealedMetadata = {
        client_id: sealedId,
        redirect_uris: ['https://rp.example/cb'],
        token_endpoint_auth_method: 'client_secret_post',
        client_secret_sealed: adapterSealer.seal('s3cret-value', `clients.client_secret:${sealedId}`),
      };
      await ctx.db
        .insertInto('clients')
        .values({
          client_id: sealedId,
          metadata: JSON.stringify(sealedMetadata),
          created_at: now,
          updated_at: now,
        })
        .execute();
      const unsealed = await clients.find(sealedId);
      assert.equal(unsealed?.['client_secret'], 's3cret-value', 'the engine sees the secret unsealed');
      assert.equal(unsealed?.['client_secret_sealed'], undefined);
      await assert.rejects(clients.upsert(clientId, payload(metadata), 0), /care-identity client/);
    });
  });

  describe('signing keys', () => {
    const sealer = new Sealer('contract-test key-encryption secret');

    beforeEach(async () => {
      await ctx.db.deleteFrom('signing_keys').execute();
    });

    test('ensureSigningKeys creates one RSA and one EC key, and a second run adds none', async () => {
      await ensureSigningKeys(ctx.db, sealer);
      const first = await listSigningKeys(ctx.db);
      assert.deepEqual(first.map((k) => k.type).sort(), ['EC', 'RSA']);
      assert.ok(first.every((k) => k.retiredAt === null));
      await ensureSigningKeys(ctx.db, sealer);
      assert.deepEqual(await listSigningKeys(ctx.db), first);
    });

    test('concurrent ensureSigningKeys calls still create exactly one key of each type', async () => {
      await Promise.all(Array.from({ length: 4 }, () => ensureSigningKeys(ctx.db, sealer)));
      const keys = await listSigningKeys(ctx.db);
      assert.deepEqual(keys.map((k) => k.type).sort(), ['EC', 'RSA']);
    });

    test('rotateSigningKeys retires the current keys and creates a new key of each type', async () => {
      await ensureSigningKeys(ctx.db, sealer);
      const old = await listSigningKeys(ctx.db);
      const newKids = await rotateSigningKeys(ctx.db, sealer);
      assert.equal(newKids.length, 2);
      const keys = await listSigningKeys(ctx.db);
      assert.equal(keys.length, 4);
      const current = keys.filter((k) => k.retiredAt === null);
      assert.deepEqual(current.map((k) => k.kid).sort(), [...newKids].sort());
      assert.deepEqual(current.map((k) => k.type).sort(), ['EC', 'RSA']);
      for (const key of old) {
        const now = keys.find((k) => k.kid === key.kid);
        assert.equal(typeof now?.retiredAt, 'number', `${key.kid} is retired`);
      }
    });

    test('loadSigningJwks lists current keys first, then retired keys in the grace period, and drops older ones', async () => {
      await ensureSigningKeys(ctx.db, sealer);
      const oldest = (await listSigningKeys(ctx.db)).map((k) => k.kid);
      const middle = await rotateSigningKeys(ctx.db, sealer);
      const current = await rotateSigningKeys(ctx.db, sealer);
      // The oldest generation was retired long ago: past the one-hour grace period.
      await ctx.db
        .updateTable('signing_keys')
        .set({ retired_at: Date.now() - 2 * HOUR })
        .where('kid', 'in', oldest)
        .execute();

      const { keys } = await loadSigningJwks(ctx.db, sealer, HOUR);

      const kids = keys.map((k) => k.kid as string);
      assert.equal(kids.length, 4);
      assert.deepEqual(kids.slice(0, 2).sort(), [...current].sort());
      assert.deepEqual(kids.slice(2).sort(), [...middle].sort());
      for (const key of keys) {
        assert.equal(key.use, 'sig');
        assert.equal(typeof key.d, 'string', 'the engine gets the private halves');
      }
    });

    test('private keys are sealed at rest: the stored value does not contain the JWK’s d', async () => {
      await ensureSigningKeys(ctx.db, sealer);
      const { keys } = await loadSigningJwks(ctx.db, sealer, HOUR);
      const rows = await ctx.db.selectFrom('signing_keys').selectAll().execute();
      assert.equal(rows.length, 2);
      for (const row of rows) {
        const jwk = keys.find((k) => k.kid === row.kid);
        assert.ok(jwk?.d, `private JWK for ${row.kid}`);
        assert.ok(!row.private_jwk_sealed.includes(jwk.d), 'd is not stored in clear');
        assert.ok(!row.private_jwk_sealed.includes('"d"'));
        assert.equal(JSON.parse(row.public_jwk).d, undefined, 'the public JWK has no private part');
      }
      const wrongSealer = new Sealer('another secret');
      await assert.rejects(loadSigningJwks(ctx.db, wrongSealer, HOUR));
    });
  });

  describe('sealer', () => {
    const sealer = new Sealer('contract-test key-encryption secret');
    const context = 'authenticators.data';

    test('a sealed value stored in the database opens to the original plaintext', async () => {
      const secret = 'JBSWY3DPEHPK3PXP';
      const sealed = sealer.seal(secret, context);
      assert.ok(!sealed.includes(secret));
      const now = Date.now();
      const clientId = uid('sealed');
      await ctx.db
        .insertInto('clients')
        .values({ client_id: clientId, metadata: sealed, created_at: now, updated_at: now })
        .execute();
      const row = await ctx.db
        .selectFrom('clients')
        .select('metadata')
        .where('client_id', '=', clientId)
        .executeTakeFirstOrThrow();
      assert.equal(sealer.open(row.metadata, context), secret);
    });

    test('sealing the same plaintext twice gives different values', () => {
      assert.notEqual(sealer.seal('same', context), sealer.seal('same', context));
    });

    test('a tampered or truncated sealed value fails to open', () => {
      const sealed = sealer.seal('top secret', context);
      const [version, iv, body] = sealed.split('.') as [string, string, string];
      const bytes = Buffer.from(body, 'base64url');
      bytes[0] = (bytes[0] ?? 0) ^ 1;
      assert.throws(() => sealer.open(`${version}.${iv}.${bytes.toString('base64url')}`, context));
      assert.throws(() => sealer.open(sealed.slice(0, -2), context));
      const truncated = Buffer.from(body, 'base64url').subarray(0, 4).toString('base64url');
      assert.throws(() => sealer.open(`${version}.${iv}.${truncated}`, context), /too short/);
      assert.throws(() => sealer.open('v2.abc.def', context), /unknown format/);
    });

    test('a sealed value opened under another context or secret fails', () => {
      const sealed = sealer.seal('top secret', context);
      assert.throws(() => sealer.open(sealed, 'signing_keys.private_jwk_sealed'));
      assert.throws(() => new Sealer('another secret').open(sealed, context));
    });
  });

  describe('transactions', () => {
    test('a transaction that throws leaves nothing written', async () => {
      const code = uid('ORG');
      const personId = String(Math.floor(Math.random() * 1e12)).padStart(12, '0');
      const now = Date.now();
      await assert.rejects(
        ctx.db.transaction().execute(async (trx) => {
          await trx
            .insertInto('organisations')
            .values({ code, name: 'Rolled back trust', gnc: null })
            .execute();
          await trx
            .insertInto('people')
            .values({
              id: personId,
              given_name: 'Roll',
              family_name: 'Back',
              middle_names: null,
              title: null,
              display_name: null,
              email: `${personId}@example.nhs.uk`,
              id_assurance_level: 3,
              professional_ids: '{}',
              status: 'active',
              created_at: now,
              updated_at: now,
            })
            .execute();
          throw new Error('boom');
        }),
        /boom/,
      );
      assert.equal(
        await ctx.db.selectFrom('organisations').select('code').where('code', '=', code).executeTakeFirst(),
        undefined,
      );
      assert.equal(
        await ctx.db.selectFrom('people').select('id').where('id', '=', personId).executeTakeFirst(),
        undefined,
      );
    });

    if (ctx.kind === 'sqlite') {
      test('20 concurrent read-then-write transactions end with the right total (the connection mutex serialises them)', async () => {
        const code = uid('COUNTER');
        await ctx.db.insertInto('organisations').values({ code, name: '0', gnc: null }).execute();
        await Promise.all(
          Array.from({ length: 20 }, () =>
            ctx.db.transaction().execute(async (trx) => {
              const row = await trx
                .selectFrom('organisations')
                .select('name')
                .where('code', '=', code)
                .executeTakeFirstOrThrow();
              await sleep(1); // give the other transactions every chance to interleave
              await trx
                .updateTable('organisations')
                .set({ name: String(Number(row.name) + 1) })
                .where('code', '=', code)
                .execute();
            }),
          ),
        );
        const row = await ctx.db
          .selectFrom('organisations')
          .select('name')
          .where('code', '=', code)
          .executeTakeFirstOrThrow();
        assert.equal(row.name, '20');
      });
    }
  });
});
