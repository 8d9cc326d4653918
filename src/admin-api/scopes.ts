// OAuth scopes of the administration API, and the client metadata that names the RA actor a
// client acts for. Granted only through client credentials, to clients registered with them.

export const adminScopes = {
  'ra:people': 'register people, search for duplicates, record identity checks, upload photos',
  'ra:positions': 'create positions, assign them, request and approve assignments',
  'ra:authenticators': 'issue registration links; list, suspend, reinstate, revoke and unlock authenticators',
  'audit:read': 'search the audit trail (RA Managers)',
} as const;

export type AdminScope = keyof typeof adminScopes;
export const adminScopeNames = Object.keys(adminScopes) as AdminScope[];

/** Client metadata: the person id of the registered RA staff member the client acts for. */
export const RA_ACTOR_METADATA = 'ra_actor';
