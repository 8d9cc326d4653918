// One-time enrolment links for non-smartcard authenticators: 256 random bits, stored only as a
// hash, single use, short-lived (NIST 800-63B-4 §4.1.2.1 external binding codes).
import { createHash, randomBytes } from 'node:crypto';
import type { Db } from '../store/database.ts';

/**
 * What a one-time link can set up: /enrol/:token serves Microsoft Authenticator itself and the
 * three WebAuthn intents (src/authenticators/webauthn/registration.ts); the RA services issue the same.
 */
export const enrolmentKinds = ['password-totp', 'passkey', 'windows-hello', 'security-key'] as const;
export type EnrolmentKind = (typeof enrolmentKinds)[number];

export function isEnrolmentKind(value: unknown): value is EnrolmentKind {
  return typeof value === 'string' && (enrolmentKinds as readonly string[]).includes(value);
}

export interface IssuedEnrolmentLink {
  token: string;
  path: string;
  expiresAt: number;
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('base64url');
}

export async function issueEnrolmentLink(
  db: Db,
  input: { personId: string; kind: string; createdBy: string | null; ttlMs: number },
  nowMs: number = Date.now(),
): Promise<IssuedEnrolmentLink> {
  const token = randomBytes(32).toString('base64url');
  const expiresAt = nowMs + input.ttlMs;
  await db
    .insertInto('enrolment_tokens')
    .values({
      token_hash: hashToken(token),
      person_id: input.personId,
      kind: input.kind,
      expires_at: expiresAt,
      used_at: null,
      created_by: input.createdBy,
      created_at: nowMs,
    })
    .execute();
  return { token, path: `/enrol/${token}`, expiresAt };
}

export interface ValidEnrolmentLink {
  tokenHash: string;
  personId: string;
  kind: string;
}

export async function findUsableEnrolmentLink(
  db: Db,
  token: string,
  nowMs: number = Date.now(),
): Promise<ValidEnrolmentLink | undefined> {
  if (!/^[A-Za-z0-9_-]{43}$/.test(token)) return undefined;
  const row = await db
    .selectFrom('enrolment_tokens')
    .selectAll()
    .where('token_hash', '=', hashToken(token))
    .executeTakeFirst();
  if (!row || row.used_at !== null || row.expires_at <= nowMs) return undefined;
  return { tokenHash: row.token_hash, personId: row.person_id, kind: row.kind };
}

/** Marks the link used; false if it was used (or expired) meanwhile. */
export async function consumeEnrolmentLink(
  db: Db,
  tokenHash: string,
  nowMs: number = Date.now(),
): Promise<boolean> {
  const result = await db
    .updateTable('enrolment_tokens')
    .set({ used_at: nowMs })
    .where('token_hash', '=', tokenHash)
    .where('used_at', 'is', null)
    .where('expires_at', '>', nowMs)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/** Deletes links that expired more than a day ago (kept that long to explain "already used"). */
export async function sweepExpiredEnrolmentLinks(db: Db, nowMs: number = Date.now()): Promise<void> {
  await db
    .deleteFrom('enrolment_tokens')
    .where('expires_at', '<', nowMs - 24 * 3600_000)
    .execute();
}
