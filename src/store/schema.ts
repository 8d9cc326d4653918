// Row shapes of every table, as Kysely sees them. Times are epoch milliseconds unless named *_date.
import type { Generated } from 'kysely';

export interface PeopleTable {
  id: string; // 12-digit unique user id (the `sub`)
  given_name: string;
  family_name: string;
  middle_names: string | null;
  title: string | null;
  display_name: string | null;
  email: string; // stored lower-case
  id_assurance_level: number;
  professional_ids: string; // JSON object: gmc_id, nmc_id, ...
  status: string; // active | suspended
  created_at: number;
  updated_at: number;
}

/** Columns migration 003 adds to `people` (apart, so rows built as PeopleTable stay valid inserts). */
export interface PeopleRaColumns {
  date_of_birth: Generated<string | null>; // YYYY-MM-DD
  ni_number: Generated<string | null>; // National Insurance number, upper-case, no spaces
  identity_status: Generated<string | null>; // null (outside the RA) | unverified | migrated | verified
}

export interface OrganisationsTable {
  code: string; // ODS code
  name: string;
  gnc: string | null;
}

export interface OrgMembershipsTable {
  person_orgid: string;
  person_id: string;
  org_code: string;
}

export interface RoleAssignmentsTable {
  person_roleid: string;
  person_orgid: string;
  person_id: string;
  org_code: string;
  job_role_code: string; // national RBAC R code
  activity_codes: string; // JSON array of extra B codes
  workgroups: string; // JSON array of { code, name }
  start_date: string | null; // YYYY-MM-DD
  end_date: string | null;
  created_at: number;
}

/** Columns migration 003 adds to `role_assignments`. */
export interface RoleAssignmentsRaColumns {
  position_id: Generated<string | null>; // the RA position it came from
  assigned_by: Generated<string | null>; // person id of the RA actor
}

export interface ClientsTable {
  client_id: string;
  metadata: string; // JSON client metadata (oidc-provider shape plus Care Identity extensions)
  created_at: number;
  updated_at: number;
}

export interface SigningKeysTable {
  kid: string;
  alg: string;
  public_jwk: string;
  private_jwk_sealed: string; // AES-256-GCM sealed private JWK
  created_at: number;
  retired_at: number | null; // when a newer key took over; published until retired_at + max token life
}

export interface OidcPayloadsTable {
  model: string;
  id: string;
  payload: string;
  grant_id: string | null;
  uid: string | null;
  user_code: string | null;
  expires_at: number | null;
  consumed_at: number | null;
}

export interface AuthenticatorsTable {
  id: string;
  person_id: string;
  kind: string; // password-totp | webauthn | ...
  label: string;
  status: string; // active | suspended | revoked
  data: string; // JSON, kind-specific; secrets inside are sealed
  failed_attempts: number;
  locked_until: number | null;
  last_used_at: number | null;
  created_at: number;
}

export interface EnrolmentTokensTable {
  token_hash: string;
  person_id: string;
  kind: string;
  expires_at: number;
  used_at: number | null;
  created_by: string | null;
  created_at: number;
}

export interface SignInContextsTable {
  session_uid: string; // the engine's session uid (also the `sid` claim)
  person_id: string;
  level: number; // AAL achieved by the most recent ceremony
  methods: string; // JSON array of amr values of that ceremony
  authenticator_id: string | null;
  authenticated_at: number;
  last_seen_at: number;
  selected_role_id: string | null;
  role_selected: number; // 1 once the person picked (or was given) a role in this session
}

export interface AuditEventsTable {
  seq: Generated<number>;
  at: number;
  type: string;
  outcome: string;
  actor: string | null;
  subject: string | null;
  org_code: string | null;
  source_ip: string | null;
  detail: string;
  prev_hash: string;
  hash: string;
}

export interface PersonPhotosTable {
  person_id: string;
  content_type: string;
  data: string; // base64
  size: number;
  sha256: string;
  uploaded_by: string;
  uploaded_at: number;
}

export interface IdentityVerificationsTable {
  id: string;
  person_id: string;
  org_code: string;
  checked_by: string; // person id of the ID checker
  checked_on: string; // YYYY-MM-DD
  method: string; // face-to-face | video
  documents: string; // JSON array of { type, checks } (never images)
  id_assurance_level: number;
  created_at: number;
}

export interface PositionsTable {
  id: string;
  org_code: string;
  name: string;
  job_role_code: string;
  activity_codes: string; // JSON array of extra B codes
  workgroups: string; // JSON array of { code, name }
  assignable: number; // 1: sponsors may assign it directly
  approval: string; // JSON { approvedBy, approvedOn, reference }
  created_by: string;
  created_at: number;
  updated_at: number;
}

export interface PositionRequestsTable {
  id: string;
  position_id: string;
  person_id: string;
  org_code: string;
  start_date: string | null;
  end_date: string | null;
  reason: string | null;
  status: string; // pending | approved | rejected
  requested_by: string;
  requested_at: number;
  decided_by: string | null;
  decided_at: number | null;
  person_roleid: string | null;
}

export interface WebauthnCredentialsTable {
  credential_id: string; // base64url, as the browser reports it
  authenticator_id: string;
  person_id: string;
  user_handle: string; // base64url WebAuthn user.id (random, per person)
  created_at: number;
}

export interface WebauthnChallengesTable {
  challenge: string; // base64url, single use
  purpose: string; // authenticate | register
  binding: string; // what it was issued to: an interaction, a web session, an enrolment link
  person_id: string | null;
  user_handle: string | null; // registration: the user.id the options carried
  expires_at: number;
}

export interface WebSessionsTable {
  id_hash: string; // SHA-256 of the cookie value
  app: string; // which first-party app (account, ra, ...)
  person_id: string | null;
  data: string; // JSON: sign-in in progress, or the signed-in person's level, amr and times
  created_at: number;
  last_seen_at: number;
  expires_at: number;
}

export interface Database {
  people: PeopleTable & PeopleRaColumns;
  organisations: OrganisationsTable;
  org_memberships: OrgMembershipsTable;
  role_assignments: RoleAssignmentsTable & RoleAssignmentsRaColumns;
  clients: ClientsTable;
  signing_keys: SigningKeysTable;
  oidc_payloads: OidcPayloadsTable;
  authenticators: AuthenticatorsTable;
  enrolment_tokens: EnrolmentTokensTable;
  sign_in_contexts: SignInContextsTable;
  audit_events: AuditEventsTable;
  webauthn_credentials: WebauthnCredentialsTable;
  webauthn_challenges: WebauthnChallengesTable;
  web_sessions: WebSessionsTable;
  person_photos: PersonPhotosTable;
  identity_verifications: IdentityVerificationsTable;
  positions: PositionsTable;
  position_requests: PositionRequestsTable;
}
