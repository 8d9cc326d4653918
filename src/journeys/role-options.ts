// The roles a person can pick from (contract §11): their active national RBAC roles, each shown
// as the job role name with its organisation.
import { loadPersonClaims, type NrbacRoleClaim, type UserOrgClaim } from '../directory/claims.ts';
import { todayInLondon } from '../directory/today.ts';
import type { Db } from '../store/database.ts';

export interface RoleOption {
  value: string;
  text: string;
  hint: string;
  searchText: string;
}

function lastRoleNamePart(roleName: string): string {
  const parts = roleName.split('":"');
  return (parts.at(-1) ?? roleName).replaceAll('"', '');
}

export async function roleOptions(db: Db, personId: string): Promise<RoleOption[]> {
  const claims = await loadPersonClaims(db, personId, todayInLondon());
  if (!claims) return [];
  const roles = (claims['nhsid_nrbac_roles'] ?? []) as NrbacRoleClaim[];
  const orgs = (claims['nhsid_user_orgs'] ?? []) as UserOrgClaim[];
  return roles.map((role) => {
    const orgName = orgs.find((o) => o.org_code === role.org_code)?.org_name ?? role.org_code;
    const name = lastRoleNamePart(role.role_name);
    const hint = `${orgName} (${role.org_code}) · ${role.role_code.split(':').at(-1)}`;
    return { value: role.person_roleid, text: name, hint, searchText: `${name} ${hint}`.toLowerCase() };
  });
}
