// Authenticator records shared by every method: status, throttling counters and last use.
// Kind-specific data (sealed secrets, public keys) is a JSON document owned by each method.
import { randomUUID } from 'node:crypto';
import type { Db } from '../store/database.ts';

export interface AuthenticatorRecord<Data = unknown> {
  id: string;
  personId: string;
  kind: string;
  label: string;
  status: 'pending' | 'active' | 'suspended' | 'revoked';
  data: Data;
  rawData: string;
  failedAttempts: number;
  lockedUntil: number | null;
  lastUsedAt: number | null;
  createdAt: number;
}

type Row = {
  id: string;
  person_id: string;
  kind: string;
  label: string;
  status: string;
  data: string;
  failed_attempts: number;
  locked_until: number | null;
  last_used_at: number | null;
  created_at: number;
};

function toRecord<Data>(row: Row): AuthenticatorRecord<Data> {
  return {
    id: row.id,
    personId: row.person_id,
    kind: row.kind,
    label: row.label,
    status: row.status as AuthenticatorRecord['status'],
    data: JSON.parse(row.data) as Data,
    rawData: row.data,
    failedAttempts: row.failed_attempts,
    lockedUntil: row.locked_until,
    lastUsedAt: row.last_used_at,
    createdAt: row.created_at,
  };
}

export async function createAuthenticator(
  db: Db,
  input: {
    personId: string;
    kind: string;
    label: string;
    status: AuthenticatorRecord['status'];
    data: object;
  },
): Promise<string> {
  const id = randomUUID();
  await db
    .insertInto('authenticators')
    .values({
      id,
      person_id: input.personId,
      kind: input.kind,
      label: input.label,
      status: input.status,
      data: JSON.stringify(input.data),
      failed_attempts: 0,
      locked_until: null,
      last_used_at: null,
      created_at: Date.now(),
    })
    .execute();
  return id;
}

export async function findAuthenticator<Data>(
  db: Db,
  id: string,
): Promise<AuthenticatorRecord<Data> | undefined> {
  const row = await db.selectFrom('authenticators').selectAll().where('id', '=', id).executeTakeFirst();
  return row ? toRecord<Data>(row) : undefined;
}

export async function listAuthenticators<Data>(
  db: Db,
  personId: string,
  filter: { kind?: string; status?: AuthenticatorRecord['status'] } = {},
): Promise<AuthenticatorRecord<Data>[]> {
  let query = db.selectFrom('authenticators').selectAll().where('person_id', '=', personId);
  if (filter.kind) query = query.where('kind', '=', filter.kind);
  if (filter.status) query = query.where('status', '=', filter.status);
  const rows = await query.orderBy('created_at').execute();
  return rows.map((row) => toRecord<Data>(row));
}

/** Records a failed attempt and the throttle it earned. */
export async function recordFailedAttempt(db: Db, id: string, lockedUntil: number | null): Promise<void> {
  await db
    .updateTable('authenticators')
    .set((eb) => ({ failed_attempts: eb('failed_attempts', '+', 1), locked_until: lockedUntil }))
    .where('id', '=', id)
    .execute();
}

/**
 * Records a successful use, replacing the data only if nobody else changed it since it was read
 * (the one-time-code guarantee under concurrency). Returns false when another request won.
 */
export async function recordSuccessfulUse(
  db: Db,
  record: AuthenticatorRecord<unknown>,
  newData: object,
  nowMs: number,
): Promise<boolean> {
  const result = await db
    .updateTable('authenticators')
    .set({ data: JSON.stringify(newData), failed_attempts: 0, locked_until: null, last_used_at: nowMs })
    .where('id', '=', record.id)
    .where('data', '=', record.rawData)
    .where('status', '=', 'active')
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

export async function updateAuthenticator(
  db: Db,
  id: string,
  patch: { status?: AuthenticatorRecord['status']; data?: object; label?: string; failedAttempts?: number },
): Promise<void> {
  await db
    .updateTable('authenticators')
    .set({
      ...(patch.status ? { status: patch.status } : {}),
      ...(patch.data ? { data: JSON.stringify(patch.data) } : {}),
      ...(patch.label ? { label: patch.label } : {}),
      ...(patch.failedAttempts !== undefined
        ? { failed_attempts: patch.failedAttempts, locked_until: null }
        : {}),
    })
    .where('id', '=', id)
    .execute();
}
