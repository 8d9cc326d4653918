// The audit trail for RA Managers (contract §16, security §1.8): events of the organisations they
// manage, searched by date, type, subject and actor, and exported as JSON lines. A read-only GET
// form, so a search can be bookmarked and exported with the same filters.
import Router from '@koa/router';
import type { Context } from 'koa';
import type { StoredAuditEvent } from '../audit/search.ts';
import { isCalendarDate } from '../directory/positions.ts';
import type { RaError } from '../ra/errors.ts';
import { PageError } from '../server/page-error.ts';
import { dateParts, isoDate } from './dates.ts';
import { addError, attempt, type FormErrors, formErrors, noErrors } from './form-errors.ts';
import { nav, orgsFor } from './page-model.ts';
import type { Portal, Staff } from './portal.ts';

const PAGE = 200;
const EXPORT_PAGES = 50;

interface Filters {
  values: Record<string, unknown>;
  query: Record<string, string | number>;
  errors: FormErrors;
}

function readFilters(ctx: Context, managed: string[]): Filters {
  const q = ctx.query as Record<string, string | string[] | undefined>;
  const one = (name: string) => {
    const value = q[name];
    return (Array.isArray(value) ? value[0] : value)?.trim() ?? '';
  };
  const form: Record<string, string> = {};
  for (const part of ['day', 'month', 'year']) {
    for (const name of ['from', 'to']) form[`${name}[${part}]`] = one(`${name}[${part}]`);
  }
  const values = {
    from: dateParts(form, 'from'),
    to: dateParts(form, 'to'),
    orgCode: one('orgCode'),
    type: one('type'),
    subject: one('subject'),
    actor: one('actor'),
  };
  const errors = noErrors();
  const query: Record<string, string | number> = {};
  const from = isoDate(values.from);
  const to = isoDate(values.to);
  if (from !== undefined) {
    if (isCalendarDate(from)) query['since'] = `${from}T00:00:00Z`;
    else addError(errors, 'from-day', 'Enter a real date for "from", like 1 4 2025');
  }
  if (to !== undefined) {
    if (isCalendarDate(to)) query['until'] = `${to}T23:59:59.999Z`;
    else addError(errors, 'to-day', 'Enter a real date for "to", like 30 4 2025');
  }
  if (from && to && to < from) addError(errors, 'to-day', '"To" must be the same as or after "from"');
  if (values.orgCode && !managed.includes(values.orgCode)) {
    addError(errors, 'orgCode', 'Choose an organisation you manage');
  }
  for (const key of ['orgCode', 'type', 'subject', 'actor'] as const)
    if (values[key]) query[key] = values[key];
  return { values, query, errors };
}

const ids = {
  since: 'from-day',
  until: 'to-day',
  orgCode: 'orgCode',
  type: 'type',
  subject: 'subject',
  actor: 'actor',
};

export function auditRoutes(portal: Portal): Router {
  const router = new Router();
  const { ra, services } = portal;
  const { render } = services;

  function managedBy(staff: Staff): string[] {
    const managed = orgsFor(staff, 'search_audit');
    if (managed.length === 0) {
      throw new PageError(403, 'You cannot do this', 'Only RA Managers can search the audit trail.');
    }
    return managed;
  }

  function show(
    ctx: Context,
    staff: Staff,
    managed: string[],
    filters: Filters,
    found?: StoredAuditEvent[],
    error?: RaError,
  ) {
    const errors = error ? formErrors(error, ids, 'type') : filters.errors;
    const search = new URLSearchParams(ctx.querystring);
    render(
      ctx,
      'ra/audit.njk',
      {
        title: 'Search the audit trail',
        nav: nav(staff, '/ra/audit'),
        values: filters.values,
        organisations: [
          { value: '', text: 'All you manage' },
          ...managed.map((code) => ({
            value: code,
            text: code,
            selected: filters.values['orgCode'] === code,
          })),
        ],
        events: found,
        more: found?.length === PAGE,
        exportHref: `/ra/audit/export.jsonl${search.size ? `?${search}` : ''}`,
        ...errors,
      },
      errors.errors.length ? 400 : 200,
    );
  }

  router.get('/ra/audit', async (ctx) => {
    const staff = await portal.page(ctx);
    if (!staff) return;
    const managed = managedBy(staff);
    const filters = readFilters(ctx, managed);
    // The first visit shows the form and the latest events.
    if (filters.errors.errors.length) return show(ctx, staff, managed, filters);
    const outcome = await attempt(() => ra.searchAudit(staff.actor, { ...filters.query, limit: PAGE }));
    if (!outcome.ok) return show(ctx, staff, managed, filters, undefined, outcome.error);
    show(ctx, staff, managed, filters, outcome.value);
  });

  router.get('/ra/audit/export.jsonl', async (ctx) => {
    const staff = await portal.page(ctx);
    if (!staff) return;
    const managed = managedBy(staff);
    const filters = readFilters(ctx, managed);
    if (filters.errors.errors.length) return show(ctx, staff, managed, filters);
    const events: StoredAuditEvent[] = [];
    let beforeSeq: number | undefined;
    for (let page = 0; page < EXPORT_PAGES; page++) {
      const outcome = await attempt(() =>
        ra.searchAudit(staff.actor, { ...filters.query, limit: 500, ...(beforeSeq ? { beforeSeq } : {}) }),
      );
      if (!outcome.ok) return show(ctx, staff, managed, filters, undefined, outcome.error);
      events.push(...outcome.value);
      if (outcome.value.length < 500) break;
      beforeSeq = outcome.value.at(-1)!.seq;
    }
    // Oldest first, one JSON object a line, as `care-identity audit export` writes them.
    ctx.set('Cache-Control', 'no-store');
    ctx.set('Content-Disposition', 'attachment; filename="audit-events.jsonl"');
    ctx.type = 'application/jsonl; charset=utf-8';
    ctx.body = events
      .reverse()
      .map((event) => `${JSON.stringify(event)}\n`)
      .join('');
  });

  return router;
}
