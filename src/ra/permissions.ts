// Registration Authority roles and what each may do, as data (contract §16.2). Who holds an RA role
// is read from their role assignments (national RBAC positions) in force today; each power is
// scoped to the organisation of the assignment that gave it.

export const raRoles = [
  'ra-manager',
  'ra-agent-advanced',
  'ra-agent',
  'sponsor',
  'id-checker',
  'local-smartcard-administrator',
] as const;
export type RaRole = (typeof raRoles)[number];

export const raRoleNames: Record<RaRole, string> = {
  'ra-manager': 'RA Manager',
  'ra-agent-advanced': 'RA Agent (Advanced)',
  'ra-agent': 'RA Agent',
  sponsor: 'Sponsor',
  'id-checker': 'ID Checker',
  'local-smartcard-administrator': 'Local Smartcard Administrator',
};

/**
 * How a role assignment makes its holder an RA role: by its job role, or by an activity in its
 * baseline or granted on top. Activities count only as listed, never through what they include
 * (B1300 includes B0267, but a sponsor is not an ID checker: §16.2).
 *
 * RA Agent (Advanced) and Local Smartcard Administrator have no published code; Care Identity
 * uses national activities that describe them: B0274 Perform RA Activities (Advanced) on an
 * R5090 RA Agent role, and B0263 Unlock Smartcard.
 */
export interface RaRoleRule {
  role: RaRole;
  jobRoles?: readonly string[];
  /** With jobRoles: the assignment must also carry one of these activities. */
  activities?: readonly string[];
}

export const raRoleRules: readonly RaRoleRule[] = [
  { role: 'ra-manager', jobRoles: ['R5080', 'R5072'] },
  { role: 'ra-agent-advanced', jobRoles: ['R5090'], activities: ['B0274'] },
  { role: 'ra-agent', jobRoles: ['R5090'] },
  { role: 'sponsor', activities: ['B1300'] },
  { role: 'id-checker', activities: ['B0267'] },
  { role: 'local-smartcard-administrator', activities: ['B0263'] },
];

export const raActions = [
  'view_person',
  'create_profile',
  'verify_identity',
  'upload_photo',
  'create_position',
  'manage_assignable_positions',
  'assign_position',
  'request_position',
  'approve_position_request',
  'issue_smartcard',
  'unlock_smartcard',
  'renew_certificate_before_expiry',
  'renew_certificate_after_expiry',
  'repair_smartcard',
  'cancel_smartcard',
  'issue_authenticator',
  'list_authenticators',
  'suspend_authenticator',
  'revoke_authenticator',
  'unlock_authenticator',
  'search_audit',
] as const;
export type RaAction = (typeof raActions)[number];

/**
 * yes: allowed; assignable: allowed for positions marked assignable, others only by request;
 * no: refused.
 */
export type Grant = 'yes' | 'assignable' | 'no';

type Row = Record<RaRole, Grant>;
const row = (
  ram: Grant,
  raaAdvanced: Grant,
  raa: Grant,
  sponsor: Grant,
  idChecker: Grant,
  lsa: Grant,
): Row => ({
  'ra-manager': ram,
  'ra-agent-advanced': raaAdvanced,
  'ra-agent': raa,
  sponsor,
  'id-checker': idChecker,
  'local-smartcard-administrator': lsa,
});

/** The activity matrix (contract §16.2, CIM user-guide index); columns RAM, RAA(A), RAA, S, IDC, LSA. */
export const activityMatrix: Readonly<Record<RaAction, Row>> = {
  view_person: row('yes', 'yes', 'yes', 'yes', 'yes', 'yes'),
  create_profile: row('yes', 'yes', 'yes', 'no', 'yes', 'no'),
  verify_identity: row('yes', 'yes', 'yes', 'no', 'yes', 'no'),
  upload_photo: row('yes', 'yes', 'yes', 'no', 'yes', 'no'),
  create_position: row('yes', 'yes', 'no', 'no', 'no', 'no'),
  manage_assignable_positions: row('yes', 'yes', 'no', 'no', 'no', 'no'),
  assign_position: row('yes', 'yes', 'yes', 'assignable', 'no', 'no'),
  request_position: row('yes', 'yes', 'yes', 'yes', 'no', 'no'),
  approve_position_request: row('yes', 'yes', 'yes', 'no', 'no', 'no'),
  issue_smartcard: row('yes', 'yes', 'yes', 'no', 'no', 'no'),
  unlock_smartcard: row('yes', 'yes', 'yes', 'yes', 'no', 'yes'),
  renew_certificate_before_expiry: row('yes', 'yes', 'yes', 'yes', 'no', 'yes'),
  renew_certificate_after_expiry: row('yes', 'yes', 'yes', 'no', 'no', 'no'),
  repair_smartcard: row('yes', 'yes', 'yes', 'no', 'no', 'no'),
  cancel_smartcard: row('yes', 'yes', 'yes', 'no', 'no', 'no'),
  // Non-smartcard authenticators: issued by RAM and RAA(A) (§16.2); lost or stolen ones can be
  // stopped by any RA agent; unlocking follows the smartcard unlock column.
  issue_authenticator: row('yes', 'yes', 'no', 'no', 'no', 'no'),
  list_authenticators: row('yes', 'yes', 'yes', 'yes', 'no', 'yes'),
  suspend_authenticator: row('yes', 'yes', 'yes', 'no', 'no', 'no'),
  revoke_authenticator: row('yes', 'yes', 'yes', 'no', 'no', 'no'),
  unlock_authenticator: row('yes', 'yes', 'yes', 'yes', 'no', 'yes'),
  search_audit: row('yes', 'no', 'no', 'no', 'no', 'no'),
};

const strength: Record<Grant, number> = { no: 0, assignable: 1, yes: 2 };

/** The widest grant any of the roles gives for the action. */
export function grantFor(roles: Iterable<RaRole>, action: RaAction): Grant {
  let best: Grant = 'no';
  for (const role of roles) {
    const grant = activityMatrix[action][role];
    if (strength[grant] > strength[best]) best = grant;
  }
  return best;
}

/** RA roles an assignment (job role + its activities) confers. */
export function rolesFromAssignment(jobRoleCode: string, activityCodes: Iterable<string>): RaRole[] {
  const activities = new Set(activityCodes);
  const roles = new Set<RaRole>();
  for (const rule of raRoleRules) {
    if (rule.jobRoles && !rule.jobRoles.includes(jobRoleCode)) continue;
    if (rule.activities && !rule.activities.some((code) => activities.has(code))) continue;
    roles.add(rule.role);
  }
  // RA Agent (Advanced) holds every power of an RA agent; list only the higher role.
  if (roles.has('ra-agent-advanced')) roles.delete('ra-agent');
  return raRoles.filter((role) => roles.has(role));
}
