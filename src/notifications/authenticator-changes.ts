// Telling a person about a change to their own authenticators outside the RA service layer (their
// own account pages, an RA's one-time link, a cloned-key suspension at sign-in): NIST 800-63B-4
// §4.1.2.1 and §4.4 ask that the subscriber be notified through an independent channel. The email
// goes after the change is stored; whether it was sent or only logged is itself audited. Nothing
// here ever fails the change that caused it.
import type { Logger } from 'pino';
import { recordAuditEvent } from '../audit/audit-log.ts';
import { findPersonById } from '../directory/people.ts';
import type { Db } from '../store/database.ts';
import type { AuthenticatorNoticeKind } from './messages.ts';
import type { Notifier } from './notifier.ts';

export interface ChangeNotificationDependencies {
  db: Db;
  notifier: Notifier;
  logger: Pick<Logger, 'warn'>;
}

export interface AuthenticatorChange {
  personId: string;
  notice: AuthenticatorNoticeKind;
  authenticatorId: string;
  /** How the person knows it, e.g. "Blue key (security key)". */
  authenticatorLabel: string;
  /** Who made the change, as the person would know them, e.g. "you, from your account". */
  by: string;
  sourceIp?: string | null;
}

export type NotificationResult = 'sent' | 'logged' | 'no-address';

/** "Blue key (security key)", or just the kind when the name is the kind's own. */
export function describeAuthenticator(name: string, kindLabel: string): string {
  return name.trim().toLowerCase() === kindLabel.trim().toLowerCase()
    ? kindLabel
    : `${name} (${kindLabel.replace(/^./, (c) => c.toLowerCase())})`;
}

export async function notifyAuthenticatorChange(
  deps: ChangeNotificationDependencies,
  change: AuthenticatorChange,
  nowMs: number = Date.now(),
): Promise<NotificationResult> {
  let result: NotificationResult = 'no-address';
  try {
    const person = await findPersonById(deps.db, change.personId);
    if (person?.email) {
      result = await deps.notifier.authenticatorNotice({
        kind: change.notice,
        to: person.email,
        personName: `${person.givenName} ${person.familyName}`,
        authenticatorLabel: change.authenticatorLabel,
        at: nowMs,
        by: change.by,
      });
    }
  } catch (error) {
    // The notifier itself never rejects; this is the directory read failing.
    deps.logger.warn({ err: error, notice: change.notice }, 'notification could not be prepared');
    result = 'logged';
  }
  try {
    await recordAuditEvent(deps.db, {
      type: 'person_notified',
      outcome: result === 'sent' ? 'success' : 'failure',
      actor: 'system',
      subject: change.personId,
      sourceIp: change.sourceIp ?? null,
      detail: {
        channel: 'email',
        notice: change.notice,
        authenticator_id: change.authenticatorId,
        delivery: result,
      },
    });
  } catch (error) {
    deps.logger.warn({ err: error, notice: change.notice }, 'notification audit write failed');
  }
  return result;
}
