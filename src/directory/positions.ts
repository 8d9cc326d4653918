// Role assignments (an RA granting a person a national RBAC job role at an organisation, with any
// extra activities and workgroups, between optional start and end dates; contract §10, §16.4) and
// the organisation memberships (`person_orgid`) they hang from.
import type { Selectable } from 'kysely';
import { z } from 'zod';
import type { Db } from '../store/database.ts';
import type { RoleAssignmentsTable } from '../store/schema.ts';
import { DirectoryError, invalidInput } from './errors.ts';
import { findActivity, findJobRole } from './national-rbac.ts';
import { odsCode } from './organisations.ts';
import { isUniqueId, newUniqueId } from './unique-id.ts';

export interface Workgroup {
  code: string;
  name: string;
}

export interface RoleAssignment {
  personRoleId: string;
  personOrgId: string;
  personId: string;
  orgCode: string;
  jobRoleCode: string;
  /** Activities granted on top of the job role's baseline. */
  activityCodes: string[];
  workgroups: Workgroup[];
  startDate: string | null;
  endDate: string | null;
  createdAt: number;
}

export function isCalendarDate(value: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) return false;
  const date = new Date(`${value}T00:00:00Z`);
  return !Number.isNaN(date.getTime()) && date.toISOString().slice(0, 10) === value;
}

/** A calendar date written YYYY-MM-DD. */
export const calendarDate = z
  .string({ error: 'Enter the date as YYYY-MM-DD' })
  .trim()
  .refine(isCalendarDate, { error: 'Enter a real date as YYYY-MM-DD, like 2025-04-01' });

const personId = z
  .string({ error: 'Enter the person id' })
  .trim()
  .refine(isUniqueId, { error: 'A person id is 12 digits' });

const jobRoleCode = z
  .string({ error: 'Enter a job role code' })
  .trim()
  .toUpperCase()
  .refine((code) => findJobRole(code) !== undefined, {
    error: 'Enter a national RBAC job role code this directory knows, like R8000',
  });

const activityCode = z
  .string({ error: 'Enter an activity code' })
  .trim()
  .toUpperCase()
  .refine((code) => findActivity(code) !== undefined, {
    error: 'Enter national RBAC activity codes this directory knows, like B0825',
  });

const workgroup = z.object({
  code: z
    .string({ error: 'Enter the workgroup code' })
    .trim()
    .regex(/^\d{1,20}$/, { error: 'A workgroup code is a number of up to 20 digits' }),
  name: z
    .string({ error: 'Enter the workgroup name' })
    .trim()
    .min(1, { error: 'Enter the workgroup name' })
    .max(100, { error: 'A workgroup name must be 100 characters or fewer' }),
});

export const AssignRoleInput = z
  .object({
    personId,
    orgCode: odsCode,
    jobRoleCode,
    activityCodes: z
      .array(activityCode, { error: 'Activity codes must be a list' })
      .max(200, { error: 'Grant no more than 200 extra activities' })
      .default([])
      .transform((codes) => [...new Set(codes)]),
    workgroups: z
      .array(workgroup, { error: 'Workgroups must be a list' })
      .max(100, { error: 'Add no more than 100 workgroups' })
      .default([])
      .refine((groups) => new Set(groups.map((g) => g.code)).size === groups.length, {
        error: 'Each workgroup may only be listed once',
      }),
    startDate: calendarDate.nullish().transform((value) => value ?? null),
    endDate: calendarDate.nullish().transform((value) => value ?? null),
  })
  .refine((value) => !value.startDate || !value.endDate || value.endDate >= value.startDate, {
    error: 'The end date must be the same as or after the start date',
    path: ['endDate'],
  });
export type AssignRoleInput = z.input<typeof AssignRoleInput>;

function parseJsonArray(json: string): unknown[] {
  try {
    const value: unknown = JSON.parse(json);
    return Array.isArray(value) ? value : [];
  } catch {
    return [];
  }
}

export function parseActivityCodes(json: string): string[] {
  return parseJsonArray(json).filter((code): code is string => typeof code === 'string');
}

export function parseWorkgroups(json: string): Workgroup[] {
  return parseJsonArray(json).flatMap((item) => {
    const group = item as Partial<Workgroup> | null;
    return group && typeof group.code === 'string' && typeof group.name === 'string'
      ? [{ code: group.code, name: group.name }]
      : [];
  });
}

export function toRoleAssignment(row: Selectable<RoleAssignmentsTable>): RoleAssignment {
  return {
    personRoleId: row.person_roleid,
    personOrgId: row.person_orgid,
    personId: row.person_id,
    orgCode: row.org_code,
    jobRoleCode: row.job_role_code,
    activityCodes: parseActivityCodes(row.activity_codes),
    workgroups: parseWorkgroups(row.workgroups),
    startDate: row.start_date,
    endDate: row.end_date,
    createdAt: Number(row.created_at),
  };
}

/**
 * Gives a person a job role at an organisation. The person's membership of the organisation
 * (`person_orgid`) is created with the first role there and reused after; both rows are written in
 * one transaction, so a failure leaves nothing behind.
 */
export async function assignRole(db: Db, input: AssignRoleInput): Promise<RoleAssignment> {
  const parsed = AssignRoleInput.safeParse(input);
  if (!parsed.success) throw invalidInput(parsed.error);
  const value = parsed.data;

  return db.transaction().execute(async (trx) => {
    const person = await trx
      .selectFrom('people')
      .select('id')
      .where('id', '=', value.personId)
      .executeTakeFirst();
    if (!person) {
      throw new DirectoryError('not_found', 'There is no person with this id in the directory', 'personId');
    }
    const org = await trx
      .selectFrom('organisations')
      .select('code')
      .where('code', '=', value.orgCode)
      .executeTakeFirst();
    if (!org) throw new DirectoryError('not_found', 'There is no organisation with this ODS code', 'orgCode');

    // Insert-if-absent, then read: safe when two assignments for the same organisation race.
    await trx
      .insertInto('org_memberships')
      .values({ person_orgid: newUniqueId(), person_id: value.personId, org_code: value.orgCode })
      .onConflict((oc) => oc.columns(['person_id', 'org_code']).doNothing())
      .execute();
    const membership = await trx
      .selectFrom('org_memberships')
      .select('person_orgid')
      .where('person_id', '=', value.personId)
      .where('org_code', '=', value.orgCode)
      .executeTakeFirstOrThrow();

    const row: Selectable<RoleAssignmentsTable> = {
      person_roleid: newUniqueId(),
      person_orgid: membership.person_orgid,
      person_id: value.personId,
      org_code: value.orgCode,
      job_role_code: value.jobRoleCode,
      activity_codes: JSON.stringify(value.activityCodes),
      workgroups: JSON.stringify(value.workgroups),
      start_date: value.startDate,
      end_date: value.endDate,
      created_at: Date.now(),
    };
    await trx.insertInto('role_assignments').values(row).execute();
    return toRoleAssignment(row);
  });
}

/**
 * Ends a role assignment on the given date (it stays active through that day). An end date can be
 * brought forward but not pushed later once set: that would bring an ended role back.
 */
export async function endRoleAssignment(
  db: Db,
  personRoleId: string,
  endDate: string,
): Promise<RoleAssignment> {
  const parsedDate = calendarDate.safeParse(endDate);
  if (!parsedDate.success) throw invalidInput(parsedDate.error);
  const date = parsedDate.data;
  if (!isUniqueId(personRoleId)) {
    throw new DirectoryError('not_found', 'There is no role assignment with this id', 'personRoleId');
  }
  return db.transaction().execute(async (trx) => {
    const current = await trx
      .selectFrom('role_assignments')
      .selectAll()
      .where('person_roleid', '=', personRoleId)
      .executeTakeFirst();
    if (!current) {
      throw new DirectoryError('not_found', 'There is no role assignment with this id', 'personRoleId');
    }
    if (current.start_date && date < current.start_date) {
      throw new DirectoryError(
        'invalid_input',
        `The end date must be the same as or after the start date (${current.start_date})`,
        'endDate',
      );
    }
    if (current.end_date && current.end_date < date) {
      throw new DirectoryError('conflict', `This role already ended on ${current.end_date}`, 'endDate');
    }
    await trx
      .updateTable('role_assignments')
      .set({ end_date: date })
      .where('person_roleid', '=', personRoleId)
      .execute();
    return toRoleAssignment({ ...current, end_date: date });
  });
}

/** Every role assignment the person has had, current or not, oldest first. */
export async function listRoleAssignments(db: Db, personId: string): Promise<RoleAssignment[]> {
  const rows = await db
    .selectFrom('role_assignments')
    .selectAll()
    .where('person_id', '=', personId)
    .orderBy('created_at')
    .orderBy('person_roleid')
    .execute();
  return rows.map(toRoleAssignment);
}

function requireToday(today: string): string {
  if (!isCalendarDate(today)) {
    throw new DirectoryError('invalid_input', 'Today must be a date written YYYY-MM-DD', 'today');
  }
  return today;
}

/** The person's assignments in force on `today` (YYYY-MM-DD): started (or no start) and not ended. */
export async function activeRoleAssignments(
  db: Db,
  personId: string,
  today: string,
): Promise<RoleAssignment[]> {
  const date = requireToday(today);
  const rows = await db
    .selectFrom('role_assignments')
    .selectAll()
    .where('person_id', '=', personId)
    .where((eb) => eb.or([eb('start_date', 'is', null), eb('start_date', '<=', date)]))
    .where((eb) => eb.or([eb('end_date', 'is', null), eb('end_date', '>=', date)]))
    .orderBy('created_at')
    .orderBy('person_roleid')
    .execute();
  return rows.map(toRoleAssignment);
}
