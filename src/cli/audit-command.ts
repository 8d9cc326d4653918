// care-identity audit verify | export: check the audit trail's hash chain, or write it out as JSON
// lines for archiving or a SIEM.

import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { z } from 'zod';
import { exportAuditEvents } from '../audit/search.ts';
import { describeBreak, verifyAuditChain } from '../audit/verify.ts';
import { parse, print, UsageError } from './args.ts';
import type { CommandContext } from './context.ts';

export const auditUsage = `care-identity audit verify
  care-identity audit export [--since ISO-TIME] [--org ODS] [--out FILE]`;

/** Returns the exit code: 0 when the chain is whole, 1 when verify finds a break. */
export async function auditCommand(args: string[], context: CommandContext): Promise<number> {
  const [action, ...rest] = args;
  if (action === 'verify') {
    parse(rest, {});
    const report = await verifyAuditChain(context.db);
    if (report.ok) {
      print(`audit trail intact: ${report.events} events, head ${report.headSeq ?? '-'} ${report.headHash}`);
      return 0;
    }
    print(`audit trail BROKEN: ${describeBreak(report.firstBreak!)}`);
    print(`${report.events} events before it verified`);
    return 1;
  }
  if (action === 'export') {
    const { values } = parse(rest, {
      since: { type: 'string' },
      org: { type: 'string' },
      out: { type: 'string' },
    });
    let since: number | undefined;
    if (values.since !== undefined) {
      if (!z.iso.datetime({ offset: true }).or(z.iso.date()).safeParse(values.since).success) {
        throw new UsageError(
          '--since must be an ISO 8601 date or time, like 2025-04-01 or 2025-04-01T09:00:00Z',
        );
      }
      since = Date.parse(values.since);
    }
    const org = values.org?.trim().toUpperCase();
    if (org !== undefined && !/^[A-Z0-9]{3,10}$/.test(org)) throw new UsageError('--org must be an ODS code');
    const out = values.out ? createWriteStream(values.out, { flags: 'wx' }) : undefined;
    const count = await exportAuditEvents(
      context.db,
      { since, ...(org ? { orgCodes: [org] } : {}) },
      async (line) => {
        if (!out) return void process.stdout.write(line);
        if (!out.write(line)) await once(out, 'drain');
      },
    );
    if (out) {
      out.end();
      await once(out, 'finish');
      process.stderr.write(`exported ${count} events to ${values.out}\n`);
    }
    return 0;
  }
  throw new UsageError(auditUsage);
}
