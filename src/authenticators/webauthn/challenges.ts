// Server-side WebAuthn challenges: 256 random bits, bound to what they were issued for (an
// interaction, a web session, an enrolment link), short-lived, and deleted on first use whatever
// the outcome, so a response can never be replayed.
import { randomBytes } from 'node:crypto';
import type { Db } from '../../store/database.ts';

export type ChallengePurpose = 'authenticate' | 'register';

export async function issueChallenge(
  db: Db,
  input: {
    purpose: ChallengePurpose;
    binding: string;
    personId: string | null;
    userHandle?: string;
    ttlMs: number;
  },
  nowMs: number = Date.now(),
): Promise<string> {
  const challenge = randomBytes(32).toString('base64url');
  // Expired challenges are removed now and then, so the table stays small without a sweeper.
  if (Math.random() < 0.05)
    await db.deleteFrom('webauthn_challenges').where('expires_at', '<', nowMs).execute();
  await db
    .insertInto('webauthn_challenges')
    .values({
      challenge,
      purpose: input.purpose,
      binding: input.binding,
      person_id: input.personId,
      user_handle: input.userHandle ?? null,
      expires_at: nowMs + input.ttlMs,
    })
    .execute();
  return challenge;
}

/**
 * Takes the challenge out of the store. Returns its record only if it was still there, unexpired,
 * and issued for this purpose and binding; a challenge presented anywhere else is burnt all the same.
 */
export async function consumeChallenge(
  db: Db,
  input: { challenge: string; purpose: ChallengePurpose; binding: string },
  nowMs: number = Date.now(),
): Promise<{ personId: string | null; userHandle: string | null } | undefined> {
  if (!/^[A-Za-z0-9_-]{20,100}$/.test(input.challenge)) return undefined;
  const row = await db
    .selectFrom('webauthn_challenges')
    .selectAll()
    .where('challenge', '=', input.challenge)
    .executeTakeFirst();
  if (!row) return undefined;
  const deleted = await db
    .deleteFrom('webauthn_challenges')
    .where('challenge', '=', input.challenge)
    .executeTakeFirst();
  if (Number(deleted.numDeletedRows) !== 1) return undefined; // another request took it first
  if (row.purpose !== input.purpose || row.binding !== input.binding || row.expires_at <= nowMs)
    return undefined;
  return { personId: row.person_id, userHandle: row.user_handle };
}
