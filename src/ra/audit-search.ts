// Audit search for RA Managers: events of the organisations they manage, and no others.
import { AuditQuery, findAuditEvents, type StoredAuditEvent } from '../audit/search.ts';
import { type Actor, type RaDependencies, runAction } from './action.ts';
import { organisationsFor } from './capabilities.ts';
import { forbidden, invalidFields } from './errors.ts';

export function auditServices(deps: RaDependencies) {
  return {
    searchAudit(actor: Actor, input: AuditQuery): Promise<StoredAuditEvent[]> {
      return runAction(deps, actor, 'ra_audit_searched', async (scope) => {
        const parsed = AuditQuery.safeParse(input);
        if (!parsed.success) throw invalidFields(parsed.error);
        const query = parsed.data;
        const managed = organisationsFor(scope.capabilities, 'search_audit');
        if (query.orgCode) scope.authorise('search_audit', query.orgCode);
        else if (managed.length === 0) throw forbidden('Only RA Managers can search the audit trail');
        const orgCodes = query.orgCode ? [query.orgCode] : managed;
        const events = await findAuditEvents(
          scope.db,
          {
            since: query.since ? Date.parse(query.since) : undefined,
            until: query.until ? Date.parse(query.until) : undefined,
            type: query.type,
            subject: query.subject,
            actor: query.actor,
            orgCodes,
            beforeSeq: query.beforeSeq,
          },
          { limit: query.limit, order: 'desc' },
        );
        return {
          result: events,
          orgCode: orgCodes.length === 1 ? orgCodes[0]! : null,
          detail: { orgCodes, results: events.length, ...(query.type ? { type: query.type } : {}) },
        };
      });
    },
  };
}
