// A person's authenticators as the account pages show them: kind, level, name, last use, and
// what removing one would cost them.
import { type AuthenticatorKind, authenticatorKinds, type Level } from '../assurance/policy.ts';
import { type AuthenticatorRecord, listAuthenticators } from '../authenticators/authenticator-store.ts';
import { KIND as WEBAUTHN, type WebAuthnData } from '../authenticators/webauthn/facts.ts';
import type { WebAuthnSettings } from '../authenticators/webauthn/settings.ts';
import type { Db } from '../store/database.ts';
import { credentialKind } from './webauthn-credential-kind.ts';

export interface AccountAuthenticator {
  id: string;
  kind: AuthenticatorKind | null;
  kindLabel: string;
  level: Level | 0;
  name: string;
  status: string;
  lastUsedAt: number | null;
  createdAt: number;
}

function kindOf(settings: WebAuthnSettings, record: AuthenticatorRecord<unknown>): AuthenticatorKind | null {
  if (record.kind === WEBAUTHN) return credentialKind(settings, record.data as WebAuthnData);
  return Object.hasOwn(authenticatorKinds, record.kind) ? (record.kind as AuthenticatorKind) : null;
}

/** Every authenticator the person can still use or get back (not revoked), oldest first. */
export async function accountAuthenticators(
  db: Db,
  settings: WebAuthnSettings,
  personId: string,
): Promise<AccountAuthenticator[]> {
  const records = await listAuthenticators(db, personId);
  return records
    .filter((record) => record.status === 'active' || record.status === 'suspended')
    .map((record) => {
      const kind = kindOf(settings, record);
      return {
        id: record.id,
        kind,
        kindLabel: kind
          ? authenticatorKinds[kind].label.replace(/^A /, '').replace(/^./, (c) => c.toUpperCase())
          : record.kind,
        level: kind ? authenticatorKinds[kind].maxLevel : 0,
        name: record.label,
        status: record.status,
        lastUsedAt: record.lastUsedAt,
        createdAt: record.createdAt,
      };
    });
}

/** The highest level the person's active authenticators reach (NIST 800-63B-4 §4.1.2.1 binding). */
export function highestLevel(authenticators: AccountAuthenticator[]): Level | 0 {
  return authenticators
    .filter((a) => a.status === 'active')
    .reduce<Level | 0>((best, a) => Math.max(best, a.level) as Level | 0, 0);
}

/** True when removing this one lowers the best level the person can sign in at (or leaves none). */
export function isLastAtItsLevel(authenticators: AccountAuthenticator[], id: string): boolean {
  const rest = authenticators.filter((a) => a.id !== id);
  return highestLevel(rest) < highestLevel(authenticators) || highestLevel(rest) === 0;
}
