// Emails the person about a change to their authenticators made by a page (their account, an RA's
// one-time link, a cloned-key suspension at sign-in), through src/notifications. Awaited so the
// notice and its audit event are written before the page answers; never throws.
import type { Context } from 'koa';
import { type AuthenticatorKind, authenticatorKinds } from '../assurance/policy.ts';
import {
  describeAuthenticator,
  type NotificationResult,
  notifyAuthenticatorChange,
} from '../notifications/authenticator-changes.ts';
import type { AuthenticatorNoticeKind } from '../notifications/messages.ts';
import type { Services } from '../server/services.ts';

/** "Passkey", "Security key", "Windows Hello", "Microsoft Authenticator". */
export function kindName(kind: AuthenticatorKind | string | null): string {
  if (kind === 'password-totp') return 'Microsoft Authenticator';
  if (kind && Object.hasOwn(authenticatorKinds, kind)) {
    return authenticatorKinds[kind as AuthenticatorKind].label
      .replace(/^A /, '')
      .replace(/^./, (c) => c.toUpperCase());
  }
  return 'Sign-in method';
}

export interface PageChange {
  personId: string;
  notice: AuthenticatorNoticeKind;
  authenticatorId: string;
  /** The person's name for it. */
  name: string;
  kind: AuthenticatorKind | string | null;
  by: string;
}

export type NotifyChange = (ctx: Context, change: PageChange) => Promise<NotificationResult>;

export function authenticatorNotices(services: Pick<Services, 'db' | 'notifier' | 'logger'>): NotifyChange {
  const deps = { db: services.db, notifier: services.notifier, logger: services.logger };
  return (ctx, change) =>
    notifyAuthenticatorChange(deps, {
      personId: change.personId,
      notice: change.notice,
      authenticatorId: change.authenticatorId,
      authenticatorLabel: describeAuthenticator(change.name, kindName(change.kind)),
      by: change.by,
      sourceIp: ctx.ip,
    });
}
