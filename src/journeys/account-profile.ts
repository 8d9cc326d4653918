// What the account page shows about the person: their details, identity assurance level and the
// roles in force today (the ones relying parties see in `nhsid_nrbac_roles`).
import { findJobRole } from '../directory/national-rbac.ts';
import { findOrganisation } from '../directory/organisations.ts';
import { findPersonById, type Person } from '../directory/people.ts';
import { activeRoleAssignments } from '../directory/positions.ts';
import { todayInLondon } from '../directory/today.ts';
import type { Db } from '../store/database.ts';

export interface AccountRole {
  personRoleId: string;
  jobRoleCode: string;
  jobRoleName: string;
  orgCode: string;
  orgName: string;
  endDate: string | null;
}

export interface AccountProfile {
  person: Person;
  fullName: string;
  identityLevel: string;
  roles: AccountRole[];
}

const identityLevels: Record<number, string> = {
  0: 'Not checked',
  1: 'Level 1: your identity has not been checked',
  2: 'Level 2: your identity has been checked',
  3: 'Level 3: your identity has been checked against your documents by a Registration Authority',
};

export async function accountProfile(
  db: Db,
  personId: string,
  nowMs: number = Date.now(),
): Promise<AccountProfile | undefined> {
  const person = await findPersonById(db, personId);
  if (!person) return undefined;
  const assignments = await activeRoleAssignments(db, personId, todayInLondon(nowMs));
  const organisations = new Map<string, string>();
  const roles: AccountRole[] = [];
  for (const assignment of assignments) {
    if (!organisations.has(assignment.orgCode)) {
      const organisation = await findOrganisation(db, assignment.orgCode);
      organisations.set(assignment.orgCode, organisation?.name ?? assignment.orgCode);
    }
    roles.push({
      personRoleId: assignment.personRoleId,
      jobRoleCode: assignment.jobRoleCode,
      jobRoleName: findJobRole(assignment.jobRoleCode)?.name ?? assignment.jobRoleCode,
      orgCode: assignment.orgCode,
      orgName: organisations.get(assignment.orgCode)!,
      endDate: assignment.endDate,
    });
  }
  const fullName = [person.title, person.givenName, person.middleNames, person.familyName]
    .filter(Boolean)
    .join(' ');
  return {
    person,
    fullName,
    identityLevel: identityLevels[person.idAssuranceLevel] ?? `Level ${person.idAssuranceLevel}`,
    roles,
  };
}
