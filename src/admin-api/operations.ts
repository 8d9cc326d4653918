// Every administration API operation as data: method, path, scope, the zod schema of its body (the
// RA service's own), and which service call it makes. The router and the OpenAPI document are both
// built from this table, so they cannot drift apart.
import { z } from 'zod';
import { AuditQuery } from '../audit/search.ts';
import type { Actor } from '../ra/action.ts';
import { AuthenticatorRef, IssueLinkInput } from '../ra/authenticators.ts';
import { DuplicateSearchInput, photoTypes, RegisterPersonInput, VerifyIdentityInput } from '../ra/people.ts';
import {
  AssignPositionInput,
  CreatePositionInput,
  DecideRequestInput,
  EndAssignmentInput,
  RequestPositionInput,
  SetAssignableInput,
} from '../ra/positions.ts';
import type { RaServices } from '../ra/services.ts';
import type { AdminScope } from './scopes.ts';

export interface CallInput {
  actor: Actor;
  params: Record<string, string>;
  /** The JSON body with the path parameters merged in (path wins). */
  body: Record<string, unknown>;
  query: Record<string, string>;
  raw?: { contentType: string; bytes: Buffer };
}

export interface Operation {
  id: string;
  method: 'get' | 'post' | 'put' | 'patch';
  /** Koa-style path under /admin/api/v1, e.g. /people/:personId. */
  path: string;
  scope: AdminScope;
  summary: string;
  /** Schema of the JSON body (with path parameters, which the document leaves out of the body). */
  body?: z.ZodType;
  /** Schema of the query string. */
  query?: z.ZodType;
  /** A raw body of these media types instead of JSON. */
  raw?: readonly string[];
  status: 200 | 201;
  call(ra: RaServices, input: CallInput): Promise<unknown>;
}

// The services validate everything again; the casts only hand the raw JSON over.
type Any = never;

const authenticatorChange = (
  verb: 'suspend' | 'reinstate' | 'revoke' | 'unlock',
  summary: string,
  call: (ra: RaServices) => (actor: Actor, input: Any) => Promise<unknown>,
): Operation => ({
  id: `${verb}Authenticator`,
  method: 'post',
  path: `/people/:personId/authenticators/:authenticatorId/${verb}`,
  scope: 'ra:authenticators',
  summary,
  body: AuthenticatorRef,
  status: 200,
  call: (ra, { actor, body }) => call(ra)(actor, body as Any),
});

export const operations: Operation[] = [
  {
    id: 'searchDuplicates',
    method: 'post',
    path: '/people/duplicate-search',
    scope: 'ra:people',
    summary: 'Search the whole directory for possible duplicates (name, date of birth, email, NI number)',
    body: DuplicateSearchInput,
    status: 200,
    call: async (ra, { actor, body }) => ({ matches: await ra.searchDuplicates(actor, body as Any) }),
  },
  {
    id: 'registerPerson',
    method: 'post',
    path: '/people',
    scope: 'ra:people',
    summary: 'Register a person in an organisation (restricted until their identity is verified)',
    body: RegisterPersonInput,
    status: 201,
    call: (ra, { actor, body }) => ra.registerPerson(actor, body as Any),
  },
  {
    id: 'getPerson',
    method: 'get',
    path: '/people/:personId',
    scope: 'ra:people',
    summary: 'A person in one of the organisations the actor serves',
    status: 200,
    call: (ra, { actor, params }) => ra.getPerson(actor, params['personId']!),
  },
  {
    id: 'verifyIdentity',
    method: 'post',
    path: '/people/:personId/identity-verifications',
    scope: 'ra:people',
    summary: 'Record identity checks with three documents (type and checks made; no images)',
    body: VerifyIdentityInput,
    status: 201,
    call: (ra, { actor, body }) => ra.verifyIdentity(actor, body as Any),
  },
  {
    id: 'uploadPhoto',
    method: 'put',
    path: '/people/:personId/photo',
    scope: 'ra:people',
    summary: "Upload the person's photo (JPEG or PNG, size limit ra.photoMaxBytes)",
    raw: Object.keys(photoTypes),
    status: 200,
    call: (ra, { actor, params, raw }) =>
      ra.uploadPhoto(actor, {
        personId: params['personId']!,
        contentType: raw!.contentType,
        bytes: raw!.bytes,
      }),
  },
  {
    id: 'listPositions',
    method: 'get',
    path: '/organisations/:orgCode/positions',
    scope: 'ra:positions',
    summary: 'Positions of an organisation',
    status: 200,
    call: async (ra, { actor, params }) => ({ positions: await ra.listPositions(actor, params['orgCode']!) }),
  },
  {
    id: 'createPosition',
    method: 'post',
    path: '/positions',
    scope: 'ra:positions',
    summary: 'Create a position: a national RBAC job role, extra activities, workgroups, and its approval',
    body: CreatePositionInput,
    status: 201,
    call: (ra, { actor, body }) => ra.createPosition(actor, body as Any),
  },
  {
    id: 'setPositionAssignable',
    method: 'patch',
    path: '/positions/:positionId',
    scope: 'ra:positions',
    summary: 'Mark a position assignable by sponsors, or not',
    body: SetAssignableInput,
    status: 200,
    call: (ra, { actor, body }) => ra.setAssignable(actor, body as Any),
  },
  {
    id: 'assignPosition',
    method: 'post',
    path: '/people/:personId/positions',
    scope: 'ra:positions',
    summary: 'Assign a position to a person, with optional start and end dates',
    body: AssignPositionInput,
    status: 201,
    call: (ra, { actor, body }) => ra.assignPosition(actor, body as Any),
  },
  {
    id: 'endAssignment',
    method: 'post',
    path: '/role-assignments/:personRoleId/end',
    scope: 'ra:positions',
    summary: 'End a role assignment on a date',
    body: EndAssignmentInput,
    status: 200,
    call: (ra, { actor, body }) => ra.endAssignment(actor, body as Any),
  },
  {
    id: 'requestPosition',
    method: 'post',
    path: '/position-requests',
    scope: 'ra:positions',
    summary: 'Request a position for a person (sponsors), for an RA agent to approve',
    body: RequestPositionInput,
    status: 201,
    call: (ra, { actor, body }) => ra.requestPosition(actor, body as Any),
  },
  {
    id: 'listPositionRequests',
    method: 'get',
    path: '/organisations/:orgCode/position-requests',
    scope: 'ra:positions',
    summary: 'Pending position requests of an organisation',
    status: 200,
    call: async (ra, { actor, params }) => ({ requests: await ra.listRequests(actor, params['orgCode']!) }),
  },
  {
    id: 'decidePositionRequest',
    method: 'post',
    path: '/position-requests/:requestId/decision',
    scope: 'ra:positions',
    summary: 'Approve (assigning the position) or reject a position request',
    body: DecideRequestInput,
    status: 200,
    call: (ra, { actor, body }) => ra.decideRequest(actor, body as Any),
  },
  {
    id: 'issueRegistrationLink',
    method: 'post',
    path: '/people/:personId/registration-links',
    scope: 'ra:authenticators',
    summary: 'Issue a one-time registration link for a non-smartcard authenticator (shown once)',
    body: IssueLinkInput,
    status: 201,
    call: (ra, { actor, body }) => ra.issueRegistrationLink(actor, body as Any),
  },
  {
    id: 'listAuthenticators',
    method: 'get',
    path: '/people/:personId/authenticators',
    scope: 'ra:authenticators',
    summary: "A person's authenticators with their level and last use",
    status: 200,
    call: async (ra, { actor, params }) => ({
      authenticators: await ra.listAuthenticators(actor, params['personId']!),
    }),
  },
  authenticatorChange(
    'suspend',
    'Suspend an authenticator (the person is emailed)',
    (ra) => ra.suspendAuthenticator,
  ),
  authenticatorChange('reinstate', 'Reinstate a suspended authenticator', (ra) => ra.reinstateAuthenticator),
  authenticatorChange(
    'revoke',
    'Revoke an authenticator for good (the person is emailed)',
    (ra) => ra.revokeAuthenticator,
  ),
  authenticatorChange('unlock', 'Clear the lockout after failed attempts', (ra) => ra.unlockAuthenticator),
  {
    id: 'searchAudit',
    method: 'get',
    path: '/audit-events',
    scope: 'audit:read',
    summary: "Audit events of the RA Manager's organisations, newest first",
    query: AuditQuery,
    status: 200,
    call: async (ra, { actor, query }) => ({ events: await ra.searchAudit(actor, query as Any) }),
  },
];

/** Path parameters of a Koa-style path. */
export function pathParameters(path: string): string[] {
  return [...path.matchAll(/:(\w+)/g)].map((m) => m[1]!);
}

export const ErrorBody = z.object({
  error: z.string(),
  message: z.string(),
  fields: z.array(z.object({ field: z.string(), message: z.string() })).optional(),
});
