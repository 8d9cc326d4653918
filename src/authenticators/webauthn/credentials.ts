// WebAuthn credentials: the index from credential ID to the authenticator row, and each person's
// WebAuthn user handle (random, not personal data, the same for all their credentials).
import { randomBytes } from 'node:crypto';
import type { Db } from '../../store/database.ts';
import { type AuthenticatorRecord, listAuthenticators } from '../authenticator-store.ts';
import { KIND, type WebAuthnData } from './facts.ts';

export interface CredentialIndex {
  credentialId: string;
  authenticatorId: string;
  personId: string;
  userHandle: string;
}

export async function findCredential(db: Db, credentialId: string): Promise<CredentialIndex | undefined> {
  const row = await db
    .selectFrom('webauthn_credentials')
    .selectAll()
    .where('credential_id', '=', credentialId)
    .executeTakeFirst();
  return row
    ? {
        credentialId: row.credential_id,
        authenticatorId: row.authenticator_id,
        personId: row.person_id,
        userHandle: row.user_handle,
      }
    : undefined;
}

export async function userHandleFor(db: Db, personId: string): Promise<string> {
  const row = await db
    .selectFrom('webauthn_credentials')
    .select('user_handle')
    .where('person_id', '=', personId)
    .executeTakeFirst();
  return row?.user_handle ?? randomBytes(32).toString('base64url');
}

/** The person's WebAuthn authenticators that can be used (active). */
export async function activeCredentials(
  db: Db,
  personId: string,
): Promise<AuthenticatorRecord<WebAuthnData>[]> {
  return listAuthenticators<WebAuthnData>(db, personId, { kind: KIND, status: 'active' });
}

/** Every WebAuthn authenticator the person has that is not revoked (to exclude at registration). */
export async function registeredCredentials(
  db: Db,
  personId: string,
): Promise<AuthenticatorRecord<WebAuthnData>[]> {
  const all = await listAuthenticators<WebAuthnData>(db, personId, { kind: KIND });
  return all.filter((record) => record.status !== 'revoked');
}
