// The CIS2 claims of a person, computed from the directory (contract §9.1-§9.3), and which scope
// releases which of them. Runs on every token and UserInfo request: three independent queries, sent
// together.
import type { Db } from '../store/database.ts';
import { DirectoryError } from './errors.ts';
import {
  baselineActivities,
  findActivity,
  findJobRole,
  roleCodeString,
  roleNameString,
} from './national-rbac.ts';
import { professionalIdKeys, toPerson } from './people.ts';
import { isCalendarDate, parseActivityCodes, parseWorkgroups } from './positions.ts';
import { isUniqueId } from './unique-id.ts';

/** Claims released by each scope (contract §9.1). `openid` claims are the ID token's; not listed here. */
export const scopeClaims: Record<string, string[]> = {
  profile: ['name', 'family_name', 'given_name', 'uid'],
  email: ['email'],
  nhsperson: ['nhsid_useruid', 'title', 'idassurancelevel', 'initials', 'middle_names', 'display_name'],
  associatedorgs: ['nhsid_user_orgs'],
  nationalrbacaccess: ['nhsid_nrbac_roles'],
  professionalmemberships: [...professionalIdKeys],
  organisationalmemberships: ['nhsid_org_memberships', 'nhsid_org_roles'],
};

export interface UserOrgClaim {
  org_name: string;
  org_code: string;
}

export interface NrbacRoleClaim {
  person_orgid: string;
  person_roleid: string;
  org_code: string;
  role_name: string;
  role_code: string;
  activities: string[];
  activity_codes: string[];
  workgroups?: string[];
  workgroups_codes?: string[];
}

export interface OrgMembershipClaim {
  person_orgid: string;
  org_name: string;
  org_code: string;
  gnc?: string;
}

export interface OrgRoleClaim {
  person_orgid: string;
  org_name: string;
  org_code: string;
}

/** Initials of the given and middle names, e.g. Ada Jane Example -> "AJ" (contract §9.3). */
export function initialsOf(givenName: string, middleNames: string | null): string {
  return [givenName, middleNames ?? '']
    .join(' ')
    .split(/\s+/)
    .filter(Boolean)
    .map((part) => part[0]!.toUpperCase())
    .join('');
}

function roleClaim(row: {
  person_roleid: string;
  person_orgid: string;
  org_code: string;
  job_role_code: string;
  activity_codes: string;
  workgroups: string;
}): NrbacRoleClaim | undefined {
  // assignRole only accepts known roles; a code dropped from the reference data since is left out
  // rather than sent malformed.
  if (!findJobRole(row.job_role_code)) return undefined;
  const activities: string[] = [];
  const activityCodes: string[] = [];
  for (const code of new Set([
    ...baselineActivities(row.job_role_code),
    ...parseActivityCodes(row.activity_codes),
  ])) {
    const activity = findActivity(code);
    if (!activity) continue;
    activities.push(activity.name);
    activityCodes.push(activity.code);
  }
  const claim: NrbacRoleClaim = {
    person_orgid: row.person_orgid,
    person_roleid: row.person_roleid,
    org_code: row.org_code,
    role_name: roleNameString(row.job_role_code),
    role_code: roleCodeString(row.job_role_code),
    activities,
    activity_codes: activityCodes,
  };
  const workgroups = parseWorkgroups(row.workgroups);
  if (workgroups.length > 0) {
    claim.workgroups = workgroups.map((group) => group.name);
    claim.workgroups_codes = workgroups.map((group) => group.code);
  }
  return claim;
}

/**
 * Every claim of the person as of `today` (YYYY-MM-DD, the date in England), as one flat object;
 * undefined when there is no such person. Optional strings (title, middle names, professional ids)
 * are left out when empty; the list claims are always arrays. Roles count only while active on
 * `today`. A suspended person has no claims at all, so nothing is released about them.
 */
export async function loadPersonClaims(
  db: Db,
  personId: string,
  today: string,
): Promise<Record<string, unknown> | undefined> {
  if (!isCalendarDate(today)) {
    throw new DirectoryError('invalid_input', 'Today must be a date written YYYY-MM-DD', 'today');
  }
  if (!isUniqueId(personId)) return undefined;

  const [personRow, roleRows, membershipRows] = await Promise.all([
    db.selectFrom('people').selectAll().where('id', '=', personId).executeTakeFirst(),
    db
      .selectFrom('role_assignments as r')
      .innerJoin('organisations as o', 'o.code', 'r.org_code')
      .select([
        'r.person_roleid',
        'r.person_orgid',
        'r.org_code',
        'r.job_role_code',
        'r.activity_codes',
        'r.workgroups',
        'o.name as org_name',
      ])
      .where('r.person_id', '=', personId)
      .where((eb) => eb.or([eb('r.start_date', 'is', null), eb('r.start_date', '<=', today)]))
      .where((eb) => eb.or([eb('r.end_date', 'is', null), eb('r.end_date', '>=', today)]))
      .orderBy('r.created_at')
      .orderBy('r.person_roleid')
      .execute(),
    db
      .selectFrom('org_memberships as m')
      .innerJoin('organisations as o', 'o.code', 'm.org_code')
      .select(['m.person_orgid', 'm.org_code', 'o.name as org_name', 'o.gnc'])
      .where('m.person_id', '=', personId)
      .orderBy('o.name')
      .orderBy('m.org_code')
      .execute(),
  ]);
  if (!personRow) return undefined;
  const person = toPerson(personRow);
  if (person.status !== 'active') return undefined;

  const nrbacRoles: NrbacRoleClaim[] = [];
  const userOrgs = new Map<string, UserOrgClaim>();
  const orgsWithRole = new Set<string>();
  for (const row of roleRows) {
    const claim = roleClaim(row);
    if (!claim) continue;
    nrbacRoles.push(claim);
    orgsWithRole.add(row.person_orgid);
    if (!userOrgs.has(row.org_code))
      userOrgs.set(row.org_code, { org_name: row.org_name, org_code: row.org_code });
  }

  const orgMemberships: OrgMembershipClaim[] = [];
  const orgRoles: OrgRoleClaim[] = [];
  for (const row of membershipRows) {
    const membership: OrgMembershipClaim = {
      person_orgid: row.person_orgid,
      org_name: row.org_name,
      org_code: row.org_code,
    };
    if (row.gnc) membership.gnc = row.gnc;
    orgMemberships.push(membership);
    if (orgsWithRole.has(row.person_orgid)) {
      orgRoles.push({ person_orgid: row.person_orgid, org_name: row.org_name, org_code: row.org_code });
    }
  }

  const claims: Record<string, unknown> = {
    sub: person.id,
    uid: person.id,
    nhsid_useruid: person.id,
    name: `${person.givenName} ${person.familyName}`,
    given_name: person.givenName,
    family_name: person.familyName,
  };
  if (person.middleNames) claims['middle_names'] = person.middleNames;
  claims['initials'] = initialsOf(person.givenName, person.middleNames);
  if (person.title) claims['title'] = person.title;
  claims['display_name'] =
    person.displayName ?? [person.title, person.givenName, person.familyName].filter(Boolean).join(' ');
  claims['email'] = person.email;
  claims['idassurancelevel'] = String(person.idAssuranceLevel);
  claims['nhsid_user_orgs'] = [...userOrgs.values()];
  claims['nhsid_nrbac_roles'] = nrbacRoles;
  claims['nhsid_org_memberships'] = orgMemberships;
  claims['nhsid_org_roles'] = orgRoles;
  for (const key of professionalIdKeys) {
    const id = person.professionalIds[key];
    if (id) claims[key] = id;
  }
  return claims;
}
