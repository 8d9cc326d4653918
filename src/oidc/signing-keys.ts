// Signing keys: generated on first start, private halves sealed at rest, rotated by
// `care-identity keys rotate`. A rotated key stays published (not used to sign) until every
// token it signed has expired, so relying parties that cache the JWKS keep verifying.
import { createHash, generateKeyPair as generateKeyPairCallback, type JsonWebKey } from 'node:crypto';
import { promisify } from 'node:util';
import { sql } from 'kysely';
import { type Db, isPostgres } from '../store/database.ts';
import type { Sealer } from '../store/sealer.ts';

const generateKeyPair = promisify(generateKeyPairCallback);

export type KeyType = 'RSA' | 'EC';
const KEY_TYPES: KeyType[] = ['RSA', 'EC'];
const SEAL_CONTEXT = 'signing_keys.private_jwk_sealed';

/** RFC 7638 thumbprint, used as the key id. */
export function thumbprint(jwk: JsonWebKey): string {
  const members =
    jwk.kty === 'RSA'
      ? { e: jwk.e, kty: jwk.kty, n: jwk.n }
      : { crv: jwk.crv, kty: jwk.kty, x: jwk.x, y: jwk.y };
  return createHash('sha256').update(JSON.stringify(members)).digest('base64url');
}

interface NewKey {
  type: KeyType;
  kid: string;
  publicJwk: JsonWebKey;
  privateJwk: JsonWebKey;
}

async function newKey(type: KeyType): Promise<NewKey> {
  const { privateKey, publicKey } =
    type === 'RSA'
      ? await generateKeyPair('rsa', { modulusLength: 2048 })
      : await generateKeyPair('ec', { namedCurve: 'P-256' });
  const publicJwk = publicKey.export({ format: 'jwk' });
  const kid = thumbprint(publicJwk);
  return {
    type,
    kid,
    publicJwk: { ...publicJwk, kid, use: 'sig' },
    privateJwk: { ...privateKey.export({ format: 'jwk' }), kid, use: 'sig' },
  };
}

async function insertKey(db: Db, sealer: Sealer, key: NewKey, now: number): Promise<void> {
  await db
    .insertInto('signing_keys')
    .values({
      kid: key.kid,
      alg: key.type,
      public_jwk: JSON.stringify(key.publicJwk),
      private_jwk_sealed: sealer.seal(JSON.stringify(key.privateJwk), SEAL_CONTEXT),
      created_at: now,
      retired_at: null,
    })
    .execute();
}

async function hasCurrentKey(db: Db, type: KeyType): Promise<boolean> {
  const current = await db
    .selectFrom('signing_keys')
    .select('kid')
    .where('alg', '=', type)
    .where('retired_at', 'is', null)
    .executeTakeFirst();
  return current !== undefined;
}

// Serialises key changes across nodes: on PostgreSQL a table lock that conflicts with itself and with
// writers; on SQLite the store's connection mutex and `begin immediate` already serialise transactions.
async function lockSigningKeys(trx: Db): Promise<void> {
  if (isPostgres(trx)) await sql`lock table signing_keys in share row exclusive mode`.execute(trx);
}

/** Creates the first key of each type if there is none yet. Safe to run on many nodes at once. */
export async function ensureSigningKeys(db: Db, sealer: Sealer): Promise<void> {
  for (const type of KEY_TYPES) {
    if (await hasCurrentKey(db, type)) continue;
    const key = await newKey(type); // generated outside the transaction: it takes a while
    await db.transaction().execute(async (trx) => {
      await lockSigningKeys(trx);
      if (!(await hasCurrentKey(trx, type))) await insertKey(trx, sealer, key, Date.now());
    });
  }
}

/** Retires the current keys and creates new ones; returns the new key ids. */
export async function rotateSigningKeys(db: Db, sealer: Sealer): Promise<string[]> {
  const keys = await Promise.all(KEY_TYPES.map(newKey));
  return db.transaction().execute(async (trx) => {
    await lockSigningKeys(trx);
    const now = Date.now();
    await trx.updateTable('signing_keys').set({ retired_at: now }).where('retired_at', 'is', null).execute();
    for (const key of keys) await insertKey(trx, sealer, key, now);
    return keys.map((key) => key.kid);
  });
}

export interface KeyListing {
  kid: string;
  type: string;
  createdAt: number;
  retiredAt: number | null;
}

export async function listSigningKeys(db: Db): Promise<KeyListing[]> {
  const rows = await db.selectFrom('signing_keys').selectAll().orderBy('created_at', 'desc').execute();
  return rows.map((r) => ({ kid: r.kid, type: r.alg, createdAt: r.created_at, retiredAt: r.retired_at }));
}

/**
 * The private JWKS for the engine: current keys first (they sign), then retired keys still inside
 * their grace period (published for verification only). Keys past the grace period are dropped.
 */
export async function loadSigningJwks(
  db: Db,
  sealer: Sealer,
  graceMs: number,
): Promise<{ keys: JsonWebKey[] }> {
  const rows = await db
    .selectFrom('signing_keys')
    .selectAll()
    .where((eb) => eb.or([eb('retired_at', 'is', null), eb('retired_at', '>', Date.now() - graceMs)]))
    .orderBy('created_at', 'desc')
    .execute();
  rows.sort((a, b) => Number(a.retired_at !== null) - Number(b.retired_at !== null));
  return { keys: rows.map((r) => JSON.parse(sealer.open(r.private_jwk_sealed, SEAL_CONTEXT)) as JsonWebKey) };
}
