// Persists the engine's models (sessions, interactions, codes, tokens, grants, replay detection)
// in the shared store, so a restart loses nothing and several nodes can share one database.
// Clients are read from the clients table, which the CLI and admin API manage.
import { CompiledQuery } from 'kysely';
import { type Adapter, type AdapterPayload, errors } from 'oidc-provider';
import type { Db } from '../store/database.ts';
import type { Sealer } from '../store/sealer.ts';
import { engineClientMetadata } from './clients.ts';

const CLIENT_CACHE_MS = 5_000;

// Only these records die with their grant (as in the engine's own memory adapter). An
// Interaction also carries a grant id, but revoking that grant (say, when another person's session
// ends on a shared terminal) must not destroy the sign-in in progress.
const GRANT_BOUND_MODELS = new Set([
  'AccessToken',
  'AuthorizationCode',
  'RefreshToken',
  'DeviceCode',
  'BackchannelAuthenticationRequest',
]);

/** PostgreSQL text cannot hold U+0000; no identifier legitimately contains it. */
function isStorableKey(value: string): boolean {
  return !value.includes('\u0000');
}

type LookupColumn = 'id' | 'uid' | 'user_code';
type PayloadRow = { payload: string; expires_at: number | null; consumed_at: number | null };

export function createAdapterFactory(db: Db, sealer: Sealer) {
  // The lookups run several times per token or UserInfo request: compile their SQL once
  // (measured: building a query through Kysely costs about as much as running it).
  const lookups = new Map<LookupColumn, string>();
  const lookupSql = (column: LookupColumn): string => {
    let text = lookups.get(column);
    if (!text) {
      text = db
        .selectFrom('oidc_payloads')
        .select(['payload', 'expires_at', 'consumed_at'])
        .where('model', '=', '')
        .where(column, '=', '')
        .compile().sql;
      lookups.set(column, text);
    }
    return text;
  };

  const clientCache = new Map<string, { at: number; payload: AdapterPayload | undefined }>();

  class ClientAdapter implements Adapter {
    async find(id: string): Promise<AdapterPayload | undefined> {
      if (!isStorableKey(id)) return undefined;
      const cached = clientCache.get(id);
      if (cached && Date.now() - cached.at < CLIENT_CACHE_MS) return cached.payload;
      const row = await db
        .selectFrom('clients')
        .select('metadata')
        .where('client_id', '=', id)
        .executeTakeFirst();
      const payload = row ? (engineClientMetadata(id, row.metadata, sealer) as AdapterPayload) : undefined;
      clientCache.set(id, { at: Date.now(), payload });
      return payload;
    }
    async upsert(): Promise<void> {
      throw new Error('clients are managed with `care-identity client`');
    }
    async findByUserCode(): Promise<undefined> {
      return undefined;
    }
    async findByUid(): Promise<undefined> {
      return undefined;
    }
    async consume(): Promise<void> {}
    async destroy(): Promise<void> {}
    async revokeByGrantId(): Promise<void> {}
  }

  class PayloadAdapter implements Adapter {
    readonly #model: string;

    constructor(model: string) {
      this.#model = model;
    }

    async upsert(id: string, payload: AdapterPayload, expiresIn: number): Promise<void> {
      const row = {
        model: this.#model,
        id,
        payload: JSON.stringify(payload),
        grant_id: GRANT_BOUND_MODELS.has(this.#model) ? (payload.grantId ?? null) : null,
        uid: payload.uid ?? null,
        user_code: payload.userCode ?? null,
        expires_at: expiresIn ? Date.now() + expiresIn * 1000 : null,
        consumed_at: null,
      };
      await db
        .insertInto('oidc_payloads')
        .values(row)
        .onConflict((oc) =>
          oc.columns(['model', 'id']).doUpdateSet({
            payload: row.payload,
            grant_id: row.grant_id,
            uid: row.uid,
            user_code: row.user_code,
            expires_at: row.expires_at,
          }),
        )
        .execute();
    }

    async #findWhere(column: LookupColumn, value: string): Promise<AdapterPayload | undefined> {
      if (!isStorableKey(value)) return undefined;
      const { rows } = await db.executeQuery<PayloadRow>(
        CompiledQuery.raw(lookupSql(column), [this.#model, value]),
      );
      const row = rows[0];
      if (!row || (row.expires_at !== null && row.expires_at <= Date.now())) return undefined;
      const payload = JSON.parse(row.payload) as AdapterPayload;
      if (row.consumed_at !== null) payload.consumed = Math.floor(row.consumed_at / 1000);
      return payload;
    }

    find(id: string) {
      return this.#findWhere('id', id);
    }

    findByUid(uid: string) {
      return this.#findWhere('uid', uid);
    }

    findByUserCode(userCode: string) {
      return this.#findWhere('user_code', userCode);
    }

    // Atomic: of two concurrent exchanges of one code, exactly one wins; the loser revokes the grant.
    async consume(id: string): Promise<void> {
      const result = await db
        .updateTable('oidc_payloads')
        .set({ consumed_at: Date.now() })
        .where('model', '=', this.#model)
        .where('id', '=', id)
        .where('consumed_at', 'is', null)
        .returning('grant_id')
        .executeTakeFirst();
      if (!result) {
        const row = await db
          .selectFrom('oidc_payloads')
          .select('grant_id')
          .where('model', '=', this.#model)
          .where('id', '=', id)
          .executeTakeFirst();
        if (row?.grant_id) await this.revokeByGrantId(row.grant_id);
        throw new errors.InvalidGrant(`${this.#model} already consumed`);
      }
    }

    async destroy(id: string): Promise<void> {
      await db.deleteFrom('oidc_payloads').where('model', '=', this.#model).where('id', '=', id).execute();
    }

    async revokeByGrantId(grantId: string): Promise<void> {
      await db.deleteFrom('oidc_payloads').where('grant_id', '=', grantId).execute();
    }
  }

  return function adapterFor(model: string): Adapter {
    return model === 'Client' ? new ClientAdapter() : new PayloadAdapter(model);
  };
}

/** Deletes expired engine records; run periodically by each node (idempotent). */
export async function sweepExpiredPayloads(db: Db): Promise<number> {
  const result = await db.deleteFrom('oidc_payloads').where('expires_at', '<', Date.now()).executeTakeFirst();
  return Number(result.numDeletedRows);
}
