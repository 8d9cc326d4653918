// Positions (contract §16.4): a national RBAC job role with extra activities and workgroups, made
// by an RA Manager or RA Agent (Advanced) in their organisation with the approval recorded, then
// assigned to people with start and end dates. Sponsors assign "assignable" positions directly and
// request the rest; RA agents approve requests. Assignments are the directory's role assignments
// (src/directory/positions.ts), so tokens show them from their start date to their end date.
import type { Selectable } from 'kysely';
import { z } from 'zod';
import { odsCode } from '../directory/organisations.ts';
import {
  AssignRoleInput,
  assignRole,
  calendarDate,
  endRoleAssignment,
  parseActivityCodes,
  parseWorkgroups,
  type RoleAssignment,
  type Workgroup,
} from '../directory/positions.ts';
import { isUniqueId, newUniqueId } from '../directory/unique-id.ts';
import type { PositionRequestsTable, PositionsTable } from '../store/schema.ts';
import { type ActionScope, type Actor, type RaDependencies, runAction } from './action.ts';
import { conflict, forbidden, invalidFields, notFound } from './errors.ts';
import { isRestricted } from './people.ts';

const id12 = (what: string) =>
  z
    .string({ error: `Enter the ${what}` })
    .trim()
    .refine(isUniqueId, { error: `A ${what} is 12 digits` });

const roleFields = AssignRoleInput.shape;

export const CreatePositionInput = z.strictObject({
  orgCode: odsCode,
  name: z
    .string({ error: 'Enter the position name' })
    .trim()
    .min(1, { error: 'Enter the position name' })
    .max(200, { error: 'The position name must be 200 characters or fewer' }),
  jobRoleCode: roleFields.jobRoleCode,
  activityCodes: roleFields.activityCodes,
  workgroups: roleFields.workgroups,
  assignable: z.boolean({ error: 'assignable must be true or false' }).default(false),
  approval: z.strictObject(
    {
      approvedBy: z
        .string({ error: 'Enter who approved the position' })
        .trim()
        .min(1, { error: 'Enter who approved the position' })
        .max(200),
      approvedOn: calendarDate,
      reference: z.string().trim().max(200).optional(),
    },
    { error: 'Record how the position was approved: approvedBy, approvedOn and an optional reference' },
  ),
});
export type CreatePositionInput = z.input<typeof CreatePositionInput>;

const datesFields = {
  startDate: calendarDate.nullish().transform((value) => value ?? null),
  endDate: calendarDate.nullish().transform((value) => value ?? null),
};
const datesInOrder = (value: { startDate: string | null; endDate: string | null }) =>
  !value.startDate || !value.endDate || value.endDate >= value.startDate;
const datesError = { error: 'The end date must be the same as or after the start date', path: ['endDate'] };

export const AssignPositionInput = z
  .strictObject({ personId: id12('person id'), positionId: id12('position id'), ...datesFields })
  .refine(datesInOrder, datesError);
export type AssignPositionInput = z.input<typeof AssignPositionInput>;

export const RequestPositionInput = z
  .strictObject({
    personId: id12('person id'),
    positionId: id12('position id'),
    ...datesFields,
    reason: z.string().trim().max(500, { error: 'The reason must be 500 characters or fewer' }).optional(),
  })
  .refine(datesInOrder, datesError);
export type RequestPositionInput = z.input<typeof RequestPositionInput>;

export const DecideRequestInput = z.strictObject({
  requestId: id12('request id'),
  approve: z.boolean({ error: 'approve must be true or false' }),
});
export type DecideRequestInput = z.input<typeof DecideRequestInput>;

export const EndAssignmentInput = z.strictObject({ personRoleId: id12('role id'), endDate: calendarDate });
export type EndAssignmentInput = z.input<typeof EndAssignmentInput>;

export const SetAssignableInput = z.strictObject({
  positionId: id12('position id'),
  assignable: z.boolean({ error: 'assignable must be true or false' }),
});

export interface Position {
  id: string;
  orgCode: string;
  name: string;
  jobRoleCode: string;
  activityCodes: string[];
  workgroups: Workgroup[];
  assignable: boolean;
  approval: { approvedBy: string; approvedOn: string; reference?: string };
  createdBy: string;
  createdAt: number;
}

export interface PositionRequest {
  id: string;
  positionId: string;
  personId: string;
  orgCode: string;
  startDate: string | null;
  endDate: string | null;
  reason: string | null;
  status: 'pending' | 'approved' | 'rejected';
  requestedBy: string;
  requestedAt: number;
  decidedBy: string | null;
  personRoleId: string | null;
}

function toPosition(row: Selectable<PositionsTable>): Position {
  return {
    id: row.id,
    orgCode: row.org_code,
    name: row.name,
    jobRoleCode: row.job_role_code,
    activityCodes: parseActivityCodes(row.activity_codes),
    workgroups: parseWorkgroups(row.workgroups),
    assignable: Number(row.assignable) === 1,
    approval: JSON.parse(row.approval) as Position['approval'],
    createdBy: row.created_by,
    createdAt: Number(row.created_at),
  };
}

function toRequest(row: Selectable<PositionRequestsTable>): PositionRequest {
  return {
    id: row.id,
    positionId: row.position_id,
    personId: row.person_id,
    orgCode: row.org_code,
    startDate: row.start_date,
    endDate: row.end_date,
    reason: row.reason,
    status: row.status as PositionRequest['status'],
    requestedBy: row.requested_by,
    requestedAt: Number(row.requested_at),
    decidedBy: row.decided_by,
    personRoleId: row.person_roleid,
  };
}

function parse<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const parsed = schema.safeParse(input);
  if (!parsed.success) throw invalidFields(parsed.error);
  return parsed.data;
}

async function loadPosition(scope: ActionScope, positionId: string): Promise<Position> {
  const row = await scope.db
    .selectFrom('positions')
    .selectAll()
    .where('id', '=', positionId)
    .executeTakeFirst();
  // A position of an organisation the actor does not serve is as good as absent.
  if (!row || !scope.capabilities.organisations.has(row.org_code)) {
    throw notFound('There is no position with this id in the organisations you serve', 'positionId');
  }
  return toPosition(row);
}

async function requireAssignablePerson(scope: ActionScope, personId: string): Promise<void> {
  await scope.authoriseForPerson('view_person', personId);
  const person = await scope.db
    .selectFrom('people')
    .select(['identity_status', 'status'])
    .where('id', '=', personId)
    .executeTakeFirstOrThrow();
  if (isRestricted(person.identity_status)) {
    throw conflict("Verify this person's identity before giving them a position", 'personId');
  }
  if (person.status !== 'active') throw conflict('This person is suspended', 'personId');
}

async function assign(
  scope: ActionScope,
  actor: Actor,
  position: Position,
  value: { personId: string; startDate: string | null; endDate: string | null },
): Promise<RoleAssignment> {
  const assignment = await assignRole(scope.db, {
    personId: value.personId,
    orgCode: position.orgCode,
    jobRoleCode: position.jobRoleCode,
    activityCodes: position.activityCodes,
    workgroups: position.workgroups,
    startDate: value.startDate,
    endDate: value.endDate,
  });
  await scope.db
    .updateTable('role_assignments')
    .set({ position_id: position.id, assigned_by: actor.personId })
    .where('person_roleid', '=', assignment.personRoleId)
    .execute();
  return assignment;
}

export function positionServices(deps: RaDependencies) {
  return {
    createPosition(actor: Actor, input: CreatePositionInput): Promise<Position> {
      return runAction(deps, actor, 'ra_position_created', async (scope) => {
        const value = parse(CreatePositionInput, input);
        scope.authorise('create_position', value.orgCode);
        if (value.assignable) scope.authorise('manage_assignable_positions', value.orgCode);
        const row: Selectable<PositionsTable> = {
          id: newUniqueId(),
          org_code: value.orgCode,
          name: value.name,
          job_role_code: value.jobRoleCode,
          activity_codes: JSON.stringify(value.activityCodes),
          workgroups: JSON.stringify(value.workgroups),
          assignable: value.assignable ? 1 : 0,
          approval: JSON.stringify(value.approval),
          created_by: actor.personId,
          created_at: scope.now,
          updated_at: scope.now,
        };
        await scope.db.insertInto('positions').values(row).execute();
        const position = toPosition(row);
        return {
          result: position,
          orgCode: value.orgCode,
          detail: { positionId: position.id, jobRoleCode: position.jobRoleCode, approval: value.approval },
        };
      });
    },

    setAssignable(actor: Actor, input: z.input<typeof SetAssignableInput>): Promise<Position> {
      return runAction(deps, actor, 'ra_position_assignable_changed', async (scope) => {
        const value = parse(SetAssignableInput, input);
        const position = await loadPosition(scope, value.positionId);
        scope.authorise('manage_assignable_positions', position.orgCode);
        await scope.db
          .updateTable('positions')
          .set({ assignable: value.assignable ? 1 : 0, updated_at: scope.now })
          .where('id', '=', position.id)
          .execute();
        return {
          result: { ...position, assignable: value.assignable },
          orgCode: position.orgCode,
          detail: { positionId: position.id, assignable: value.assignable },
        };
      });
    },

    /** Positions of one organisation the actor serves. Reading is not audited. */
    async listPositions(actor: Actor, orgCode: string): Promise<Position[]> {
      return runAction(deps, actor, 'ra_positions_listed', async (scope) => {
        const code = parse(odsCode, orgCode);
        scope.authorise('view_person', code);
        const rows = await scope.db
          .selectFrom('positions')
          .selectAll()
          .where('org_code', '=', code)
          .orderBy('name')
          .orderBy('id')
          .execute();
        return { result: rows.map(toPosition), orgCode: code };
      });
    },

    assignPosition(actor: Actor, input: AssignPositionInput): Promise<RoleAssignment> {
      return runAction(deps, actor, 'ra_position_assigned', async (scope) => {
        const value = parse(AssignPositionInput, input);
        const position = await loadPosition(scope, value.positionId);
        const grant = scope.authorise('assign_position', position.orgCode);
        if (grant === 'assignable' && !position.assignable) {
          throw forbidden(
            'This position is not assignable by sponsors: request it for an RA agent to approve',
          );
        }
        await requireAssignablePerson(scope, value.personId);
        const assignment = await assign(scope, actor, position, value);
        return {
          result: assignment,
          subject: value.personId,
          orgCode: position.orgCode,
          detail: {
            positionId: position.id,
            personRoleId: assignment.personRoleId,
            sponsor: grant === 'assignable',
          },
        };
      });
    },

    requestPosition(actor: Actor, input: RequestPositionInput): Promise<PositionRequest> {
      return runAction(deps, actor, 'ra_position_requested', async (scope) => {
        const value = parse(RequestPositionInput, input);
        const position = await loadPosition(scope, value.positionId);
        scope.authorise('request_position', position.orgCode);
        await scope.authoriseForPerson('view_person', value.personId);
        const row: Selectable<PositionRequestsTable> = {
          id: newUniqueId(),
          position_id: position.id,
          person_id: value.personId,
          org_code: position.orgCode,
          start_date: value.startDate,
          end_date: value.endDate,
          reason: value.reason ?? null,
          status: 'pending',
          requested_by: actor.personId,
          requested_at: scope.now,
          decided_by: null,
          decided_at: null,
          person_roleid: null,
        };
        await scope.db.insertInto('position_requests').values(row).execute();
        return {
          result: toRequest(row),
          subject: value.personId,
          orgCode: position.orgCode,
          detail: { requestId: row.id, positionId: position.id },
        };
      });
    },

    listRequests(actor: Actor, orgCode: string): Promise<PositionRequest[]> {
      return runAction(deps, actor, 'ra_position_requests_listed', async (scope) => {
        const code = parse(odsCode, orgCode);
        scope.authorise('approve_position_request', code);
        const rows = await scope.db
          .selectFrom('position_requests')
          .selectAll()
          .where('org_code', '=', code)
          .where('status', '=', 'pending')
          .orderBy('requested_at')
          .execute();
        return { result: rows.map(toRequest), orgCode: code };
      });
    },

    decideRequest(actor: Actor, input: DecideRequestInput): Promise<PositionRequest> {
      const value = DecideRequestInput.safeParse(input);
      const type =
        value.success && !value.data.approve
          ? 'ra_position_request_rejected'
          : 'ra_position_request_approved';
      return runAction(deps, actor, type, async (scope) => {
        if (!value.success) throw invalidFields(value.error);
        const { requestId, approve } = value.data;
        const row = await scope.db
          .selectFrom('position_requests')
          .selectAll()
          .where('id', '=', requestId)
          .executeTakeFirst();
        if (!row || !scope.capabilities.organisations.has(row.org_code)) {
          throw notFound('There is no request with this id in the organisations you serve', 'requestId');
        }
        scope.authorise('approve_position_request', row.org_code);
        if (row.status !== 'pending') throw conflict(`This request was already ${row.status}`, 'requestId');
        let personRoleId: string | null = null;
        if (approve) {
          const position = await loadPosition(scope, row.position_id);
          await requireAssignablePerson(scope, row.person_id);
          personRoleId = (
            await assign(scope, actor, position, {
              personId: row.person_id,
              startDate: row.start_date,
              endDate: row.end_date,
            })
          ).personRoleId;
        }
        // Only a still-pending request changes: of two concurrent decisions one wins.
        const updated = await scope.db
          .updateTable('position_requests')
          .set({
            status: approve ? 'approved' : 'rejected',
            decided_by: actor.personId,
            decided_at: scope.now,
            person_roleid: personRoleId,
          })
          .where('id', '=', row.id)
          .where('status', '=', 'pending')
          .executeTakeFirst();
        if (Number(updated.numUpdatedRows) !== 1)
          throw conflict('This request was decided meanwhile', 'requestId');
        return {
          result: toRequest({
            ...row,
            status: approve ? 'approved' : 'rejected',
            decided_by: actor.personId,
            decided_at: scope.now,
            person_roleid: personRoleId,
          }),
          subject: row.person_id,
          orgCode: row.org_code,
          detail: { requestId: row.id, positionId: row.position_id, personRoleId },
        };
      });
    },

    endAssignment(actor: Actor, input: EndAssignmentInput): Promise<RoleAssignment> {
      return runAction(deps, actor, 'ra_position_ended', async (scope) => {
        const value = parse(EndAssignmentInput, input);
        const row = await scope.db
          .selectFrom('role_assignments')
          .select(['person_id', 'org_code', 'position_id'])
          .where('person_roleid', '=', value.personRoleId)
          .executeTakeFirst();
        if (!row || !scope.capabilities.organisations.has(row.org_code)) {
          throw notFound(
            'There is no role assignment with this id in the organisations you serve',
            'personRoleId',
          );
        }
        const grant = scope.authorise('assign_position', row.org_code);
        if (grant === 'assignable') {
          const position = row.position_id
            ? await scope.db
                .selectFrom('positions')
                .select('assignable')
                .where('id', '=', row.position_id)
                .executeTakeFirst()
            : undefined;
          if (Number(position?.assignable) !== 1) throw forbidden('Only an RA agent can end this position');
        }
        const ended = await endRoleAssignment(scope.db, value.personRoleId, value.endDate);
        return {
          result: ended,
          subject: row.person_id,
          orgCode: row.org_code,
          detail: { personRoleId: value.personRoleId, endDate: value.endDate },
        };
      });
    },
  };
}
