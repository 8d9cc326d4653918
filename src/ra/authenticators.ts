// Non-smartcard authenticators from the RA side (contract §16.5, NIST 800-63B-4 §4): issue a
// one-time registration link, list a person's authenticators with their level and last use,
// suspend, reinstate, revoke and unlock. The person is emailed about every change.
import { z } from 'zod';
import { type AuthenticatorKind, authenticatorKinds } from '../assurance/policy.ts';
import { type AuthenticatorRecord, listAuthenticators } from '../authenticators/authenticator-store.ts';
import { issueEnrolmentLink } from '../authenticators/enrolment-links.ts';
import { KIND as WEBAUTHN, type WebAuthnData } from '../authenticators/webauthn/facts.ts';
import type { WebAuthnSettings } from '../authenticators/webauthn/settings.ts';
import { isUniqueId } from '../directory/unique-id.ts';
import { credentialKind } from '../journeys/webauthn-credential-kind.ts';
import type { AuthenticatorNoticeKind } from '../notifications/messages.ts';
import { type ActionScope, type Actor, type RaDependencies, runAction } from './action.ts';
import { conflict, invalidFields, notFound } from './errors.ts';
import { isRestricted } from './people.ts';
import type { RaAction } from './permissions.ts';

/** Kinds an RA can issue a registration link for, and what the person is told they are setting up. */
// The WebAuthn kinds are the enrolment intents of src/authenticators/webauthn (the level is still
// decided from the facts of the ceremony, not from the kind asked for).
export const registrableKinds = {
  'password-totp': 'Microsoft Authenticator',
  passkey: 'a passkey',
  'windows-hello': 'Windows Hello',
  'security-key': 'a security key',
} as const;
export type RegistrableKind = keyof typeof registrableKinds;
const kindCodes = Object.keys(registrableKinds) as [RegistrableKind, ...RegistrableKind[]];

const personId = z
  .string({ error: 'Enter the person id' })
  .trim()
  .refine(isUniqueId, { error: 'A person id is 12 digits' });

export const IssueLinkInput = z.strictObject({
  personId,
  kind: z.enum(kindCodes, { error: `The kind must be one of ${kindCodes.join(', ')}` }),
});
export type IssueLinkInput = z.input<typeof IssueLinkInput>;

export const AuthenticatorRef = z.strictObject({
  personId,
  authenticatorId: z
    .string({ error: 'Enter the authenticator id' })
    .trim()
    .min(1, { error: 'Enter the authenticator id' })
    .max(100),
});
export type AuthenticatorRef = z.input<typeof AuthenticatorRef>;

export interface IssuedLink {
  kind: RegistrableKind;
  /** The one-time link; shown to the RA once and never stored (only its hash is). */
  url: string;
  /** The same secret as a code the person can type at /enrol/<code>: 256 bits. */
  code: string;
  expiresAt: number;
}

export interface AuthenticatorSummary {
  id: string;
  kind: string;
  /** What the person would call it: a WebAuthn credential is named by the kind it shows today. */
  kindName: string;
  label: string;
  status: AuthenticatorRecord['status'];
  /** The highest AAL the authenticator can give, or null when its kind is not known here. */
  level: number | null;
  lastUsedAt: number | null;
  createdAt: number;
  failedAttempts: number;
  locked: boolean;
}

/** The assurance-policy kind of a record: WebAuthn credentials by their facts (needs the settings). */
function policyKind(record: AuthenticatorRecord, webauthn?: WebAuthnSettings): AuthenticatorKind | null {
  if (record.kind === WEBAUTHN) {
    return webauthn && record.data ? credentialKind(webauthn, record.data as WebAuthnData) : null;
  }
  return Object.hasOwn(authenticatorKinds, record.kind) ? (record.kind as AuthenticatorKind) : null;
}

function levelOf(record: AuthenticatorRecord, kind: AuthenticatorKind | null): number | null {
  const stored = (record.data as { level?: unknown } | null)?.level;
  if (typeof stored === 'number') return stored;
  return kind ? authenticatorKinds[kind].maxLevel : null;
}

function summary(
  record: AuthenticatorRecord,
  now: number,
  maxFailures: number,
  webauthn?: WebAuthnSettings,
): AuthenticatorSummary {
  const kind = policyKind(record, webauthn);
  return {
    id: record.id,
    kind: record.kind,
    kindName: kind
      ? authenticatorKinds[kind].label.replace(/^A /, '').replace(/^./, (c) => c.toUpperCase())
      : record.kind === WEBAUTHN
        ? 'WebAuthn credential'
        : record.kind,
    label: record.label,
    status: record.status,
    level: levelOf(record, kind),
    lastUsedAt: record.lastUsedAt === null ? null : Number(record.lastUsedAt),
    createdAt: Number(record.createdAt),
    failedAttempts: record.failedAttempts,
    locked:
      record.failedAttempts >= maxFailures ||
      (record.lockedUntil !== null && Number(record.lockedUntil) > now),
  };
}

function parse<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const parsed = schema.safeParse(input);
  if (!parsed.success) throw invalidFields(parsed.error);
  return parsed.data;
}

async function personContact(scope: ActionScope, id: string) {
  const row = await scope.db
    .selectFrom('people')
    .select(['email', 'given_name', 'family_name', 'status', 'identity_status'])
    .where('id', '=', id)
    .executeTakeFirstOrThrow();
  return { ...row, name: `${row.given_name} ${row.family_name}` };
}

interface Change {
  action: RaAction;
  type: string;
  notice: AuthenticatorNoticeKind;
  /** The new state, or a reason the change does not apply. */
  apply(record: AuthenticatorRecord): { status?: AuthenticatorRecord['status']; unlock?: true } | string;
}

const changes = {
  suspend: {
    action: 'suspend_authenticator',
    type: 'ra_authenticator_suspended',
    notice: 'authenticator-suspended',
    apply: (r) =>
      r.status === 'active' ? { status: 'suspended' } : `This authenticator is ${r.status}, not active`,
  },
  reinstate: {
    action: 'suspend_authenticator',
    type: 'ra_authenticator_reinstated',
    notice: 'authenticator-reinstated',
    apply: (r) =>
      r.status === 'suspended' ? { status: 'active' } : `This authenticator is ${r.status}, not suspended`,
  },
  revoke: {
    action: 'revoke_authenticator',
    type: 'ra_authenticator_revoked',
    notice: 'authenticator-removed',
    apply: (r) => (r.status === 'revoked' ? 'This authenticator is already revoked' : { status: 'revoked' }),
  },
  unlock: {
    action: 'unlock_authenticator',
    type: 'ra_authenticator_unlocked',
    notice: 'authenticator-unlocked',
    apply: (r) => {
      if (r.status === 'revoked') return 'This authenticator is revoked';
      if (r.failedAttempts === 0 && r.lockedUntil === null) return 'This authenticator is not locked';
      return { unlock: true };
    },
  },
} as const satisfies Record<string, Change>;

export type AuthenticatorChange = keyof typeof changes;

export function authenticatorServices(deps: RaDependencies) {
  function change(which: AuthenticatorChange) {
    const spec: Change = changes[which];
    return (actor: Actor, input: AuthenticatorRef): Promise<AuthenticatorSummary> =>
      runAction(deps, actor, spec.type, async (scope) => {
        const value = parse(AuthenticatorRef, input);
        const orgCode = await scope.authoriseForPerson(spec.action, value.personId);
        const row = await scope.db
          .selectFrom('authenticators')
          .select('id')
          .where('id', '=', value.authenticatorId)
          .where('person_id', '=', value.personId)
          .executeTakeFirst();
        const [record] = row
          ? (await listAuthenticators(scope.db, value.personId)).filter((r) => r.id === row.id)
          : [];
        if (!record) throw notFound('This person has no authenticator with this id', 'authenticatorId');
        const next = spec.apply(record);
        if (typeof next === 'string') throw conflict(next, 'authenticatorId');
        // The status it was read with must still hold: of two concurrent changes one wins.
        const updated = await scope.db
          .updateTable('authenticators')
          .set({
            ...(next.status ? { status: next.status } : {}),
            ...(next.unlock ? { failed_attempts: 0, locked_until: null } : {}),
          })
          .where('id', '=', record.id)
          .where('status', '=', record.status)
          .executeTakeFirst();
        if (Number(updated.numUpdatedRows) !== 1)
          throw conflict('This authenticator changed meanwhile', 'authenticatorId');
        const after: AuthenticatorRecord = {
          ...record,
          ...(next.status ? { status: next.status } : {}),
          ...(next.unlock ? { failedAttempts: 0, lockedUntil: null } : {}),
        };
        const person = await personContact(scope, value.personId);
        return {
          result: summary(after, scope.now, deps.policy.maxConsecutiveFailures, deps.webauthn),
          subject: value.personId,
          orgCode,
          detail: { authenticatorId: record.id, kind: record.kind, from: record.status, to: after.status },
          notices: [
            {
              kind: spec.notice,
              to: person.email,
              personName: person.name,
              authenticatorLabel: record.label,
              at: scope.now,
              by: 'your Registration Authority',
            },
          ],
        };
      });
  }

  return {
    issueRegistrationLink(actor: Actor, input: IssueLinkInput): Promise<IssuedLink> {
      return runAction(deps, actor, 'ra_registration_link_issued', async (scope) => {
        const value = parse(IssueLinkInput, input);
        const orgCode = await scope.authoriseForPerson('issue_authenticator', value.personId);
        const person = await personContact(scope, value.personId);
        if (isRestricted(person.identity_status)) {
          throw conflict("Verify this person's identity before issuing an authenticator", 'personId');
        }
        if (person.status !== 'active') throw conflict('This person is suspended', 'personId');
        const link = await issueEnrolmentLink(
          scope.db,
          {
            personId: value.personId,
            kind: value.kind,
            createdBy: actor.personId,
            ttlMs: deps.policy.registrationLinkMinutes * 60_000,
          },
          scope.now,
        );
        return {
          result: {
            kind: value.kind,
            url: `${deps.policy.publicUrl}${link.path}`,
            code: link.token,
            expiresAt: link.expiresAt,
          },
          subject: value.personId,
          orgCode,
          // Never the link itself: it is a bearer secret.
          detail: { kind: value.kind, expiresAt: link.expiresAt },
          notices: [
            {
              kind: 'registration-link-issued',
              to: person.email,
              personName: person.name,
              authenticatorLabel: registrableKinds[value.kind],
              at: scope.now,
              by: 'your Registration Authority',
            },
          ],
        };
      });
    },

    listAuthenticators(actor: Actor, id: string): Promise<AuthenticatorSummary[]> {
      return runAction(deps, actor, 'ra_authenticators_listed', async (scope) => {
        const value = parse(personId, id);
        const orgCode = await scope.authoriseForPerson('list_authenticators', value);
        const records = await listAuthenticators(scope.db, value);
        return {
          result: records.map((r) =>
            summary(r, scope.now, deps.policy.maxConsecutiveFailures, deps.webauthn),
          ),
          subject: value,
          orgCode,
        };
      });
    },

    suspendAuthenticator: change('suspend'),
    reinstateAuthenticator: change('reinstate'),
    revokeAuthenticator: change('revoke'),
    unlockAuthenticator: change('unlock'),
  };
}
