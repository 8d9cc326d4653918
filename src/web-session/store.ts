// Server-side sessions of first-party web apps (/account, the RA portal): the browser holds only a
// random 256-bit cookie; the database holds its SHA-256 and what the session knows.
import { createHash, randomBytes } from 'node:crypto';
import type { Db } from '../store/database.ts';

/** A sign-in this browser started and has not finished (OpenID request values to check on return). */
export interface PendingSignIn {
  state: string;
  nonce: string;
  verifier: string;
  returnTo: string;
  acrValues: string;
}

/** What the last ID token said about the person signed in through this session. */
export interface SignedIn {
  personId: string;
  level: number;
  amr: string[];
  acr: string;
  authTime: number;
  idToken: string;
}

export interface WebSessionData {
  pending?: PendingSignIn;
  signedIn?: SignedIn;
}

export interface WebSession {
  idHash: string;
  app: string;
  data: WebSessionData;
  lastSeenAt: number;
  expiresAt: number;
}

export const hashSessionId = (id: string) => createHash('sha256').update(id).digest('base64url');

export async function createWebSession(
  db: Db,
  input: { app: string; data: WebSessionData; ttlMs: number },
  nowMs: number = Date.now(),
): Promise<{ id: string; session: WebSession }> {
  const id = randomBytes(32).toString('base64url');
  const session: WebSession = {
    idHash: hashSessionId(id),
    app: input.app,
    data: input.data,
    lastSeenAt: nowMs,
    expiresAt: nowMs + input.ttlMs,
  };
  // Now and then, remove sessions that ended, so the table stays small without a sweeper.
  if (Math.random() < 0.05) await db.deleteFrom('web_sessions').where('expires_at', '<', nowMs).execute();
  await db
    .insertInto('web_sessions')
    .values({
      id_hash: session.idHash,
      app: input.app,
      person_id: input.data.signedIn?.personId ?? null,
      data: JSON.stringify(input.data),
      created_at: nowMs,
      last_seen_at: nowMs,
      expires_at: session.expiresAt,
    })
    .execute();
  return { id, session };
}

export async function findWebSession(
  db: Db,
  app: string,
  id: string,
  nowMs: number = Date.now(),
): Promise<WebSession | undefined> {
  if (!/^[A-Za-z0-9_-]{43}$/.test(id)) return undefined;
  const row = await db
    .selectFrom('web_sessions')
    .selectAll()
    .where('id_hash', '=', hashSessionId(id))
    .executeTakeFirst();
  if (!row || row.app !== app || row.expires_at <= nowMs) return undefined;
  return {
    idHash: row.id_hash,
    app: row.app,
    data: JSON.parse(row.data) as WebSessionData,
    lastSeenAt: row.last_seen_at,
    expiresAt: row.expires_at,
  };
}

export async function saveWebSession(
  db: Db,
  session: WebSession,
  patch: { data?: WebSessionData; expiresAt?: number },
  nowMs: number = Date.now(),
): Promise<void> {
  const data = patch.data ?? session.data;
  await db
    .updateTable('web_sessions')
    .set({
      data: JSON.stringify(data),
      person_id: data.signedIn?.personId ?? null,
      last_seen_at: nowMs,
      ...(patch.expiresAt ? { expires_at: patch.expiresAt } : {}),
    })
    .where('id_hash', '=', session.idHash)
    .execute();
  Object.assign(session, {
    data,
    lastSeenAt: nowMs,
    ...(patch.expiresAt ? { expiresAt: patch.expiresAt } : {}),
  });
}

export async function deleteWebSession(db: Db, idHash: string): Promise<void> {
  await db.deleteFrom('web_sessions').where('id_hash', '=', idHash).execute();
}
