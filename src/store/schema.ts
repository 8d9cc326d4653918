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

export interface Database {
  people: PeopleTable;
  organisations: OrganisationsTable;
  org_memberships: OrgMembershipsTable;
  role_assignments: RoleAssignmentsTable;
  clients: ClientsTable;
  signing_keys: SigningKeysTable;
  oidc_payloads: OidcPayloadsTable;
  authenticators: AuthenticatorsTable;
  enrolment_tokens: EnrolmentTokensTable;
  sign_in_contexts: SignInContextsTable;
  audit_events: AuditEventsTable;
}
