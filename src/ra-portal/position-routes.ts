// Positions in the portal (contract §16.4): an organisation's positions, creating one with its
// approval, assigning or requesting one for a person, ending an assignment, and deciding requests.
import Router from '@koa/router';
import type { Context } from 'koa';
import { listJobRoles } from '../directory/national-rbac.ts';
import { grantIn } from '../ra/capabilities.ts';
import type { RaPerson } from '../ra/people.ts';
import type { Position } from '../ra/positions.ts';
import { readForm } from '../server/form-body.ts';
import { PageError } from '../server/page-error.ts';
import { type DateParts, dateFromForm, dateParts, longDate, partsOf, when } from './dates.ts';
import { addError, attempt, type FormErrors, formErrors, load, noErrors } from './form-errors.ts';
import { can, nav, orgsFor } from './page-model.ts';
import type { Portal, Staff } from './portal.ts';

const text = (form: Record<string, string>, name: string) => (form[name] ?? '').trim();

const notServed = () =>
  new PageError(404, 'Page not found', 'There is no such organisation among those you serve.');

function approvalText(p: Position): string {
  const { approvedBy, approvedOn, reference } = p.approval;
  return `By ${approvedBy} on ${longDate(approvedOn)}${reference ? ` (${reference})` : ''}`;
}

type Mode = 'assign' | 'request';

export function positionRoutes(portal: Portal): Router {
  const router = new Router();
  const { ra, services } = portal;
  const { render, csrf } = services;

  function orgParam(ctx: Context, staff: Staff): string {
    const code = String(ctx.params['org'] ?? '').toUpperCase();
    if (!staff.capabilities.organisations.has(code)) throw notServed();
    return code;
  }

  // ---- an organisation's positions ----

  router.get('/ra/organisations/:org/positions', async (ctx) => {
    const staff = await portal.page(ctx);
    if (!staff) return;
    const orgCode = orgParam(ctx, staff);
    const positions = await load(() => ra.listPositions(staff.actor, orgCode));
    render(ctx, 'ra/positions.njk', {
      title: `Positions in ${orgCode}`,
      nav: nav(staff),
      back: '/ra',
      orgCode,
      canCreate: can(staff, 'create_position', [orgCode]),
      positions: positions.map((p) => ({ ...p, jobRole: p.jobRoleCode, approval: approvalText(p) })),
    });
  });

  function showCreate(
    ctx: Context,
    staff: Staff,
    orgCode: string,
    values: Record<string, unknown>,
    errors: FormErrors,
    status = 200,
  ) {
    render(
      ctx,
      'ra/create-position.njk',
      {
        title: `Create a position in ${orgCode}`,
        nav: nav(staff),
        back: `/ra/organisations/${orgCode}/positions`,
        orgCode,
        canAssignable: can(staff, 'manage_assignable_positions', [orgCode]),
        jobRoles: [
          { value: '', text: 'Choose a job role' },
          ...listJobRoles().map((r) => ({
            value: r.code,
            text: `${r.name} (${r.code})`,
            selected: values['jobRoleCode'] === r.code,
          })),
        ],
        values: { approvedOn: {}, ...values },
        ...errors,
      },
      status,
    );
  }

  router.get('/ra/organisations/:org/positions/new', async (ctx) => {
    const staff = await portal.page(ctx);
    if (!staff) return;
    const orgCode = orgParam(ctx, staff);
    if (!can(staff, 'create_position', [orgCode])) throw forbidden();
    showCreate(ctx, staff, orgCode, {}, noErrors());
  });

  router.post('/ra/organisations/:org/positions/new', async (ctx) => {
    const form = await readForm(ctx);
    csrf.verify(ctx, form['csrf']);
    const staff = await portal.post(ctx);
    const orgCode = orgParam(ctx, staff);
    const values = {
      name: text(form, 'name'),
      jobRoleCode: text(form, 'jobRoleCode'),
      activityCodes: text(form, 'activityCodes'),
      workgroups: form['workgroups'] ?? '',
      assignable: form['assignable'] === 'yes',
      approvedBy: text(form, 'approvedBy'),
      approvedOn: dateParts(form, 'approvedOn'),
      reference: text(form, 'reference'),
    };
    const errors = noErrors();
    if (!values.jobRoleCode) addError(errors, 'jobRoleCode', 'Choose the job role');
    const workgroups: { code: string; name: string }[] = [];
    for (const line of values.workgroups
      .split(/\r?\n/)
      .map((l) => l.trim())
      .filter(Boolean)) {
      const match = /^(\S+)\s+(.+)$/.exec(line);
      if (!match) {
        addError(errors, 'workgroups', 'Write each workgroup as its code, a space, then its name');
        break;
      }
      workgroups.push({ code: match[1]!, name: match[2]! });
    }
    const approvedOn = dateFromForm(form, 'approvedOn');
    if (!approvedOn) addError(errors, 'approvedOn-day', 'Enter the date the position was approved');
    if (errors.errors.length) return showCreate(ctx, staff, orgCode, values, errors, 400);
    const outcome = await attempt(() =>
      ra.createPosition(staff.actor, {
        orgCode,
        name: values.name,
        jobRoleCode: values.jobRoleCode,
        activityCodes: values.activityCodes.split(/[\s,]+/).filter(Boolean),
        workgroups,
        assignable: values.assignable,
        approval: {
          approvedBy: values.approvedBy,
          approvedOn: approvedOn!,
          ...(values.reference ? { reference: values.reference } : {}),
        },
      }),
    );
    if (!outcome.ok) {
      const ids = {
        name: 'name',
        jobRoleCode: 'jobRoleCode',
        activityCodes: 'activityCodes',
        workgroups: 'workgroups',
        'approval.approvedBy': 'approvedBy',
        'approval.approvedOn': 'approvedOn-day',
        'approval.reference': 'reference',
        approval: 'approvedBy',
      };
      return showCreate(ctx, staff, orgCode, values, formErrors(outcome.error, ids, 'name'), 400);
    }
    ctx.status = 303;
    ctx.redirect(`/ra/organisations/${orgCode}/positions`);
  });

  // ---- assign or request a position for a person ----

  async function positionsFor(staff: Staff, person: RaPerson, mode: Mode) {
    const action = mode === 'assign' ? 'assign_position' : 'request_position';
    const shown: Position[] = [];
    for (const org of person.organisations) {
      const grant = grantIn(staff.capabilities, action, org);
      if (grant === 'no') continue;
      const positions = await load(() => ra.listPositions(staff.actor, org));
      // Sponsors assign only positions marked assignable; they request the others.
      shown.push(...positions.filter((p) => grant === 'yes' || p.assignable));
    }
    return shown;
  }

  async function showAssign(
    ctx: Context,
    staff: Staff,
    person: RaPerson,
    mode: Mode,
    values: { positionId?: string; startDate: DateParts; endDate: DateParts; reason?: string },
    errors: FormErrors,
    status = 200,
  ) {
    const positions = await positionsFor(staff, person, mode);
    render(
      ctx,
      'ra/assign.njk',
      {
        title: `${mode === 'assign' ? 'Assign' : 'Request'} a position for ${person.givenName} ${person.familyName}`,
        nav: nav(staff),
        back: `/ra/people/${person.id}`,
        mode,
        action: `/ra/people/${person.id}/${mode}`,
        submit: mode === 'assign' ? 'Assign position' : 'Send request',
        hint:
          mode === 'request' ? 'An RA agent of the organisation approves or rejects the request.' : undefined,
        positions: positions.map((p) => ({
          value: p.id,
          text: `${p.name} (${p.orgCode})`,
          hint: {
            text: `${p.jobRoleCode}${p.activityCodes.length ? ` with ${p.activityCodes.join(', ')}` : ''}`,
          },
          checked: values.positionId === p.id,
        })),
        values,
        ...errors,
      },
      status,
    );
  }

  for (const mode of ['assign', 'request'] as const) {
    router.get(`/ra/people/:id/${mode}`, async (ctx) => {
      const staff = await portal.page(ctx);
      if (!staff) return;
      const person = await load(() => ra.getPerson(staff.actor, ctx.params['id']!));
      await showAssign(
        ctx,
        staff,
        person,
        mode,
        { startDate: partsOf(''), endDate: partsOf('') },
        noErrors(),
      );
    });

    router.post(`/ra/people/:id/${mode}`, async (ctx) => {
      const form = await readForm(ctx);
      csrf.verify(ctx, form['csrf']);
      const staff = await portal.post(ctx);
      const id = ctx.params['id']!;
      const values = {
        positionId: text(form, 'positionId'),
        startDate: dateParts(form, 'startDate'),
        endDate: dateParts(form, 'endDate'),
        reason: text(form, 'reason'),
      };
      const again = async (errors: FormErrors) => {
        const person = await load(() => ra.getPerson(staff.actor, id));
        await showAssign(ctx, staff, person, mode, values, errors, 400);
      };
      if (!values.positionId) return again(addError(noErrors(), 'positionId', 'Choose a position'));
      const input = {
        personId: id,
        positionId: values.positionId,
        startDate: dateFromForm(form, 'startDate') ?? null,
        endDate: dateFromForm(form, 'endDate') ?? null,
      };
      const outcome = await attempt<unknown>(() =>
        mode === 'assign'
          ? ra.assignPosition(staff.actor, input)
          : ra.requestPosition(staff.actor, {
              ...input,
              ...(values.reason ? { reason: values.reason } : {}),
            }),
      );
      if (!outcome.ok) {
        const ids = {
          startDate: 'startDate-day',
          endDate: 'endDate-day',
          positionId: 'positionId',
          reason: 'reason',
        };
        return again(formErrors(outcome.error, ids, 'positionId'));
      }
      ctx.status = 303;
      ctx.redirect(`/ra/people/${id}`);
    });
  }

  // ---- end an assignment ----

  async function assignmentOf(staff: Staff, personId: string, personRoleId: string) {
    const record = await load(() => ra.personRecord(staff.actor, personId));
    const assignment = record.assignments.find((a) => a.personRoleId === personRoleId);
    if (!assignment) throw new PageError(404, 'Page not found', 'This person has no such position.');
    return { person: record.person, assignment };
  }

  function showEnd(
    ctx: Context,
    staff: Staff,
    found: Awaited<ReturnType<typeof assignmentOf>>,
    endDate: DateParts,
    errors: FormErrors,
    status = 200,
  ) {
    render(
      ctx,
      'ra/end-assignment.njk',
      {
        title: `End ${found.assignment.positionName ?? found.assignment.jobRoleName}`,
        nav: nav(staff),
        back: `/ra/people/${found.person.id}`,
        ...found,
        values: { endDate },
        ...errors,
      },
      status,
    );
  }

  router.get('/ra/people/:id/assignments/:roleId/end', async (ctx) => {
    const staff = await portal.page(ctx);
    if (!staff) return;
    const found = await assignmentOf(staff, ctx.params['id']!, ctx.params['roleId']!);
    showEnd(ctx, staff, found, partsOf(new Date().toISOString().slice(0, 10)), noErrors());
  });

  router.post('/ra/people/:id/assignments/:roleId/end', async (ctx) => {
    const form = await readForm(ctx);
    csrf.verify(ctx, form['csrf']);
    const staff = await portal.post(ctx);
    const found = await assignmentOf(staff, ctx.params['id']!, ctx.params['roleId']!);
    const endDate = dateFromForm(form, 'endDate');
    if (!endDate) {
      return showEnd(
        ctx,
        staff,
        found,
        dateParts(form, 'endDate'),
        addError(noErrors(), 'endDate-day', 'Enter the last day in the position'),
        400,
      );
    }
    const outcome = await attempt(() =>
      ra.endAssignment(staff.actor, { personRoleId: found.assignment.personRoleId, endDate }),
    );
    if (!outcome.ok) {
      return showEnd(
        ctx,
        staff,
        found,
        dateParts(form, 'endDate'),
        formErrors(outcome.error, { endDate: 'endDate-day' }, 'endDate-day'),
        400,
      );
    }
    ctx.status = 303;
    ctx.redirect(`/ra/people/${found.person.id}`);
  });

  // ---- requests waiting for an RA agent ----

  async function showRequests(ctx: Context, staff: Staff, errors: FormErrors, status = 200) {
    const orgs = orgsFor(staff, 'approve_position_request');
    if (orgs.length === 0) throw forbidden();
    const rows = [];
    for (const org of orgs) {
      const [requests, positions] = await Promise.all([
        load(() => ra.listRequests(staff.actor, org)),
        load(() => ra.listPositions(staff.actor, org)),
      ]);
      for (const r of requests) {
        const person = await load(() => ra.getPerson(staff.actor, r.personId)).catch(() => undefined);
        rows.push({
          ...r,
          personName: person ? `${person.givenName} ${person.familyName}` : r.personId,
          positionName: positions.find((p) => p.id === r.positionId)?.name ?? r.positionId,
          dates: `${longDate(r.startDate, 'From today')} to ${longDate(r.endDate, 'no end date')}`,
          requested: when(r.requestedAt),
        });
      }
    }
    render(
      ctx,
      'ra/requests.njk',
      {
        title: 'Position requests',
        nav: nav(staff, '/ra/requests'),
        width: 'full',
        requests: rows,
        ...errors,
      },
      status,
    );
  }

  router.get('/ra/requests', async (ctx) => {
    const staff = await portal.page(ctx);
    if (staff) await showRequests(ctx, staff, noErrors());
  });

  router.post('/ra/requests/:id', async (ctx) => {
    const form = await readForm(ctx);
    csrf.verify(ctx, form['csrf']);
    const staff = await portal.post(ctx);
    const decision = form['decision'];
    if (decision !== 'approve' && decision !== 'reject') {
      return showRequests(ctx, staff, addError(noErrors(), 'requests', 'Choose approve or reject'), 400);
    }
    const outcome = await attempt(() =>
      ra.decideRequest(staff.actor, { requestId: ctx.params['id']!, approve: decision === 'approve' }),
    );
    if (!outcome.ok) return showRequests(ctx, staff, formErrors(outcome.error, {}, 'requests'), 400);
    ctx.status = 303;
    ctx.redirect('/ra/requests');
  });

  return router;
}

function forbidden() {
  return new PageError(
    403,
    'You cannot do this',
    'None of your Registration Authority roles allows this here.',
  );
}
