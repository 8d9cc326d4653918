// What an RA actor may do today, organisation by organisation: read from their role assignments in
// force on that date (ended and future ones give nothing), through the rules in permissions.ts.
import { baselineActivities } from '../directory/national-rbac.ts';
import { activeRoleAssignments } from '../directory/positions.ts';
import { isUniqueId } from '../directory/unique-id.ts';
import type { Db } from '../store/database.ts';
import {
  type Grant,
  grantFor,
  type RaAction,
  type RaRole,
  raRoles,
  rolesFromAssignment,
} from './permissions.ts';

export interface RaCapabilities {
  personId: string;
  /** RA roles held, by ODS code of the organisation served. Empty: not RA staff today. */
  organisations: Map<string, RaRole[]>;
}

export async function raCapabilities(db: Db, personId: string, today: string): Promise<RaCapabilities> {
  const organisations = new Map<string, RaRole[]>();
  if (!isUniqueId(personId)) return { personId, organisations };
  const person = await db
    .selectFrom('people')
    .select(['status'])
    .where('id', '=', personId)
    .executeTakeFirst();
  // A suspended person keeps their assignments on record but exercises none of them.
  if (person?.status !== 'active') return { personId, organisations };
  for (const assignment of await activeRoleAssignments(db, personId, today)) {
    const roles = rolesFromAssignment(assignment.jobRoleCode, [
      ...baselineActivities(assignment.jobRoleCode),
      ...assignment.activityCodes,
    ]);
    if (roles.length === 0) continue;
    const held = new Set([...(organisations.get(assignment.orgCode) ?? []), ...roles]);
    if (held.has('ra-agent-advanced')) held.delete('ra-agent');
    organisations.set(
      assignment.orgCode,
      raRoles.filter((role) => held.has(role)),
    );
  }
  return { personId, organisations };
}

/** The actor's grant for an action in one organisation. */
export function grantIn(capabilities: RaCapabilities, action: RaAction, orgCode: string): Grant {
  return grantFor(capabilities.organisations.get(orgCode) ?? [], action);
}

/** Organisations where the actor has at least the given grant for the action. */
export function organisationsFor(capabilities: RaCapabilities, action: RaAction): string[] {
  return [...capabilities.organisations.keys()].filter((org) => grantIn(capabilities, action, org) !== 'no');
}
