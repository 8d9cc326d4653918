// Append-only audit trail. Each event's hash covers the previous event's hash and its own
// content, so an edited or deleted event breaks the chain from that point on.
import { createHash } from 'node:crypto';
import { sql, type Transaction } from 'kysely';
import { type Db, isPostgres } from '../store/database.ts';
import type { Database } from '../store/schema.ts';

export interface AuditEvent {
  type: string;
  outcome: 'success' | 'failure' | 'refused';
  actor?: string | null;
  subject?: string | null;
  orgCode?: string | null;
  sourceIp?: string | null;
  detail?: Record<string, unknown>;
}

export const GENESIS_HASH = '0'.repeat(64);

export function eventHash(
  prevHash: string,
  row: {
    at: number;
    type: string;
    outcome: string;
    actor: string | null;
    subject: string | null;
    org_code: string | null;
    source_ip: string | null;
    detail: string;
  },
): string {
  const canonical = JSON.stringify([
    prevHash,
    row.at,
    row.type,
    row.outcome,
    row.actor,
    row.subject,
    row.org_code,
    row.source_ip,
    row.detail,
  ]);
  return createHash('sha256').update(canonical).digest('hex');
}

export async function recordAuditEvent(db: Db, event: AuditEvent, nowMs: number = Date.now()): Promise<void> {
  await db.transaction().execute((trx) => appendAuditEvent(trx, event, nowMs));
}

/**
 * Extends the chain inside the caller's transaction, so an action and its audit event commit or
 * roll back together. On PostgreSQL the chain lock is held until that transaction ends.
 */
export async function appendAuditEvent(
  trx: Transaction<Database>,
  event: AuditEvent,
  nowMs: number = Date.now(),
): Promise<void> {
  // One writer at a time extends the chain (SQLite serialises on its own).
  if (isPostgres(trx)) await sql`select pg_advisory_xact_lock(7316001)`.execute(trx);
  const last = await trx
    .selectFrom('audit_events')
    .select('hash')
    .orderBy('seq', 'desc')
    .limit(1)
    .executeTakeFirst();
  const row = {
    at: nowMs,
    type: event.type,
    outcome: event.outcome,
    actor: event.actor ?? null,
    subject: event.subject ?? null,
    org_code: event.orgCode ?? null,
    source_ip: event.sourceIp ?? null,
    detail: JSON.stringify(event.detail ?? {}),
  };
  const prevHash = last?.hash ?? GENESIS_HASH;
  await trx
    .insertInto('audit_events')
    .values({ ...row, prev_hash: prevHash, hash: eventHash(prevHash, row) })
    .execute();
}
