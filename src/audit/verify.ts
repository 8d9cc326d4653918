// Walks the hash chain of the audit trail from the first event. Each event must name the previous
// event's hash and hash to its own: an edited event fails the second test, a deleted one makes the
// next event's prev_hash point at nothing. (Removing the newest events leaves a shorter chain that
// is still whole: compare the head with an exported copy to catch that.)
import type { Db } from '../store/database.ts';
import { eventHash, GENESIS_HASH } from './audit-log.ts';

export type ChainBreak =
  | { kind: 'edited'; seq: number }
  | {
      kind: 'deleted' /** The first event after the gap. */;
      seq: number /** The last event before it. */;
      afterSeq: number | null;
    };

export interface ChainReport {
  ok: boolean;
  events: number;
  /** Hash of the newest event checked: keep it elsewhere to detect removal of the newest events. */
  headHash: string;
  headSeq: number | null;
  firstBreak?: ChainBreak;
}

const PAGE = 1000;

export function describeBreak(problem: ChainBreak): string {
  return problem.kind === 'edited'
    ? `audit event ${problem.seq} was edited (its content no longer matches its hash)`
    : `audit events were deleted between ${problem.afterSeq ?? 'the start'} and ${problem.seq} (event ${problem.seq} follows a missing event)`;
}

export async function verifyAuditChain(db: Db): Promise<ChainReport> {
  let prevHash = GENESIS_HASH;
  let prevSeq: number | null = null;
  let events = 0;
  for (;;) {
    let query = db.selectFrom('audit_events').selectAll().orderBy('seq').limit(PAGE);
    if (prevSeq !== null) query = query.where('seq', '>', prevSeq);
    const rows = await query.execute();
    for (const row of rows) {
      const seq = Number(row.seq);
      if (row.prev_hash !== prevHash) {
        // A row whose own hash is also wrong was edited in place (prev_hash included). Otherwise the
        // row before it is gone, or, when the sequence has no gap there, that row was rewritten
        // together with its hash.
        const selfConsistent = eventHash(row.prev_hash, row) === row.hash;
        const firstBreak: ChainBreak = !selfConsistent
          ? { kind: 'edited', seq }
          : prevSeq !== null && seq === prevSeq + 1
            ? { kind: 'edited', seq: prevSeq }
            : { kind: 'deleted', seq, afterSeq: prevSeq };
        return { ok: false, events, headHash: prevHash, headSeq: prevSeq, firstBreak };
      }
      if (eventHash(row.prev_hash, row) !== row.hash) {
        return {
          ok: false,
          events,
          headHash: prevHash,
          headSeq: prevSeq,
          firstBreak: { kind: 'edited', seq },
        };
      }
      prevHash = row.hash;
      prevSeq = seq;
      events += 1;
    }
    if (rows.length < PAGE) return { ok: true, events, headHash: prevHash, headSeq: prevSeq };
  }
}
