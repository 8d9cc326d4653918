// Reading the audit trail back: filtered, newest first, in pages (by seq), and as JSON lines.
import { z } from 'zod';
import type { Db } from '../store/database.ts';

export interface StoredAuditEvent {
  seq: number;
  at: string; // ISO 8601
  type: string;
  outcome: string;
  actor: string | null;
  subject: string | null;
  orgCode: string | null;
  sourceIp: string | null;
  detail: Record<string, unknown>;
  hash: string;
}

export const AuditQuery = z.strictObject({
  since: z.iso
    .datetime({ offset: true, error: 'since must be an ISO 8601 time, like 2025-04-01T00:00:00Z' })
    .optional(),
  until: z.iso
    .datetime({ offset: true, error: 'until must be an ISO 8601 time, like 2025-04-30T23:59:59Z' })
    .optional(),
  type: z.string().trim().max(100).optional(),
  subject: z.string().trim().max(100).optional(),
  actor: z.string().trim().max(200).optional(),
  orgCode: z.string().trim().toUpperCase().max(10).optional(),
  /** Only events older than this seq (the next page of a newest-first listing). */
  beforeSeq: z.coerce.number().int().positive().optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});
export type AuditQuery = z.input<typeof AuditQuery>;

export interface AuditFilter {
  since?: number | undefined;
  until?: number | undefined;
  type?: string | undefined;
  subject?: string | undefined;
  actor?: string | undefined;
  /** Events of any of these organisations (empty list: none). */
  orgCodes?: string[] | undefined;
  beforeSeq?: number | undefined;
  afterSeq?: number | undefined;
}

function toEvent(row: {
  seq: number;
  at: number;
  type: string;
  outcome: string;
  actor: string | null;
  subject: string | null;
  org_code: string | null;
  source_ip: string | null;
  detail: string;
  hash: string;
}): StoredAuditEvent {
  let detail: Record<string, unknown> = {};
  try {
    detail = JSON.parse(row.detail) as Record<string, unknown>;
  } catch {
    detail = { unparsable: row.detail };
  }
  return {
    seq: Number(row.seq),
    at: new Date(Number(row.at)).toISOString(),
    type: row.type,
    outcome: row.outcome,
    actor: row.actor,
    subject: row.subject,
    orgCode: row.org_code,
    sourceIp: row.source_ip,
    detail,
    hash: row.hash,
  };
}

export async function findAuditEvents(
  db: Db,
  filter: AuditFilter,
  options: { limit: number; order: 'asc' | 'desc' },
): Promise<StoredAuditEvent[]> {
  if (filter.orgCodes && filter.orgCodes.length === 0) return [];
  let query = db.selectFrom('audit_events').selectAll();
  if (filter.since !== undefined) query = query.where('at', '>=', filter.since);
  if (filter.until !== undefined) query = query.where('at', '<=', filter.until);
  if (filter.type) query = query.where('type', '=', filter.type);
  if (filter.subject) query = query.where('subject', '=', filter.subject);
  if (filter.actor) query = query.where('actor', '=', filter.actor);
  if (filter.orgCodes) query = query.where('org_code', 'in', filter.orgCodes);
  if (filter.beforeSeq !== undefined) query = query.where('seq', '<', filter.beforeSeq);
  if (filter.afterSeq !== undefined) query = query.where('seq', '>', filter.afterSeq);
  const rows = await query.orderBy('seq', options.order).limit(options.limit).execute();
  return rows.map(toEvent);
}

/** Writes every matching event, oldest first, one JSON object a line. */
export async function exportAuditEvents(
  db: Db,
  filter: Omit<AuditFilter, 'afterSeq' | 'beforeSeq'>,
  write: (line: string) => void | Promise<void>,
): Promise<number> {
  let afterSeq: number | undefined;
  let count = 0;
  for (;;) {
    const page = await findAuditEvents(db, { ...filter, afterSeq }, { limit: 1000, order: 'asc' });
    for (const event of page) await write(`${JSON.stringify(event)}\n`);
    count += page.length;
    if (page.length < 1000) return count;
    afterSeq = page.at(-1)!.seq;
  }
}
