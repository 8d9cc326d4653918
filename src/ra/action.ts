// How every RA service runs: work out what the actor may do today, do the change in one
// transaction with its audit event (both or neither), then notify people once it is committed.
// A refusal is itself audited.
import type { Transaction } from 'kysely';
import { appendAuditEvent, recordAuditEvent } from '../audit/audit-log.ts';
import type { WebAuthnSettings } from '../authenticators/webauthn/settings.ts';
import { todayInLondon } from '../directory/today.ts';
import type { AuthenticatorNotice } from '../notifications/messages.ts';
import type { Notifier } from '../notifications/notifier.ts';
import type { Db } from '../store/database.ts';
import type { Database } from '../store/schema.ts';
import { grantIn, type RaCapabilities, raCapabilities } from './capabilities.ts';
import { asRaError, forbidden, notFound } from './errors.ts';
import type { Grant, RaAction } from './permissions.ts';

/** Who is acting: an RA staff member in the portal, or an API client acting for one. */
export interface Actor {
  personId: string;
  sourceIp?: string | null;
  /** `portal`, or `api:<client_id>`: recorded with each audit event. */
  via?: string;
}

export interface RaPolicy {
  publicUrl: string;
  registrationLinkMinutes: number;
  photoMaxBytes: number;
  /** Failures at which an authenticator stays locked until an RA unlocks it (config lockout.*). */
  maxConsecutiveFailures: number;
}

export interface RaDependencies {
  db: Db;
  notifier: Notifier;
  policy: RaPolicy;
  /** The clock, for tests; epoch ms. */
  now?: () => number;
  /** Trust anchors etc., to name a WebAuthn credential's kind (passkey, Windows Hello, security key). */
  webauthn?: WebAuthnSettings;
}

export interface ActionScope {
  /** The open transaction (directory functions called with it join it, see joinable()). */
  db: Db;
  capabilities: RaCapabilities;
  now: number;
  today: string;
  /** The actor's grant for the action in the organisation; refuses (403) when 'no'. */
  authorise(action: RaAction, orgCode: string): Grant;
  /**
   * The organisation through which the actor may act on the person: one the person belongs to
   * where the actor holds the action. 404 when the person is not visible to the actor at all.
   */
  authoriseForPerson(action: RaAction, personId: string): Promise<string>;
}

export interface ActionOutcome<T> {
  result: T;
  subject?: string | null;
  orgCode?: string | null;
  detail?: Record<string, unknown>;
  notices?: AuthenticatorNotice[];
}

/**
 * Directory functions open their own transaction; Kysely refuses nested ones. Inside an RA action
 * they must join the action's transaction so everything commits together: this view of the
 * transaction runs `transaction().execute(fn)` as fn(itself).
 */
export function joinable(trx: Transaction<Database>): Db {
  const view: Db = new Proxy(trx, {
    get(target, property) {
      if (property === 'transaction') {
        return () => ({ execute: <T>(fn: (inner: Db) => Promise<T>) => fn(view) });
      }
      const value = Reflect.get(target, property, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  }) as unknown as Db;
  return view;
}

export async function personOrgCodes(db: Db, personId: string): Promise<string[]> {
  const rows = await db
    .selectFrom('org_memberships')
    .select('org_code')
    .where('person_id', '=', personId)
    .execute();
  return rows.map((r) => r.org_code);
}

export async function runAction<T>(
  deps: RaDependencies,
  actor: Actor,
  type: string,
  work: (scope: ActionScope) => Promise<ActionOutcome<T>>,
): Promise<T> {
  const now = deps.now?.() ?? Date.now();
  const today = todayInLondon(now);
  const capabilities = await raCapabilities(deps.db, actor.personId, today);
  // What the audit event says if the action is refused part-way.
  const known: { subject: string | null; orgCode: string | null; action: RaAction | null } = {
    subject: null,
    orgCode: null,
    action: null,
  };
  const via = actor.via ?? 'portal';
  let outcome: ActionOutcome<T>;
  try {
    outcome = await deps.db.transaction().execute(async (trx) => {
      const db = joinable(trx);
      const scope: ActionScope = {
        db,
        capabilities,
        now,
        today,
        authorise(action, orgCode) {
          known.action = action;
          known.orgCode = orgCode;
          const grant = grantIn(capabilities, action, orgCode);
          if (grant === 'no') throw forbidden();
          return grant;
        },
        async authoriseForPerson(action, personId) {
          known.action = action;
          known.subject = personId;
          const person = await db
            .selectFrom('people')
            .select('id')
            .where('id', '=', personId)
            .executeTakeFirst();
          const orgs = person ? await personOrgCodes(db, personId) : [];
          const visible = orgs.filter((org) => grantIn(capabilities, 'view_person', org) !== 'no');
          if (visible.length === 0) {
            throw notFound('There is no person with this id in the organisations you serve', 'personId');
          }
          const allowed = visible.find((org) => grantIn(capabilities, action, org) !== 'no');
          known.orgCode = allowed ?? visible[0]!;
          if (!allowed) throw forbidden();
          return allowed;
        },
      };
      const done = await work(scope);
      await appendAuditEvent(
        trx,
        {
          type,
          outcome: 'success',
          actor: actor.personId,
          subject: done.subject ?? null,
          orgCode: done.orgCode ?? null,
          sourceIp: actor.sourceIp ?? null,
          detail: { via, ...done.detail },
        },
        now,
      );
      return done;
    });
  } catch (error) {
    const raError = asRaError(error);
    if (raError?.code === 'forbidden') {
      await recordAuditEvent(deps.db, {
        type,
        outcome: 'refused',
        actor: actor.personId,
        subject: known.subject,
        orgCode: known.orgCode,
        sourceIp: actor.sourceIp ?? null,
        detail: { via, action: known.action },
      });
    }
    throw raError ?? error;
  }
  for (const notice of outcome.notices ?? []) await deps.notifier.authenticatorNotice(notice);
  return outcome.result;
}
