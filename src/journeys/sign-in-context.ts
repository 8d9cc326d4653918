// What the last ceremony in an IdP session achieved, keyed by the engine's session uid (the
// `sid`). Facts live here rather than in the engine's session so that levels, timeouts and the
// selected role can be read by every node, and at token time through the code's session uid.
import type { Db } from '../store/database.ts';

export interface SignInContext {
  sessionUid: string;
  personId: string;
  level: number;
  methods: string[];
  authenticatorId: string | null;
  authenticatedAt: number;
  lastSeenAt: number;
  selectedRoleId: string | null;
  roleSelected: boolean;
}

export interface CompletedCeremony {
  personId: string;
  level: number;
  methods: string[];
  authenticatorId: string | null;
  authenticatedAt: number;
}

export async function findSignInContext(db: Db, sessionUid: string): Promise<SignInContext | undefined> {
  const row = await db
    .selectFrom('sign_in_contexts')
    .selectAll()
    .where('session_uid', '=', sessionUid)
    .executeTakeFirst();
  if (!row) return undefined;
  return {
    sessionUid: row.session_uid,
    personId: row.person_id,
    level: row.level,
    methods: JSON.parse(row.methods) as string[],
    authenticatorId: row.authenticator_id,
    authenticatedAt: row.authenticated_at,
    lastSeenAt: row.last_seen_at,
    selectedRoleId: row.selected_role_id,
    roleSelected: row.role_selected === 1,
  };
}

/** Records a ceremony. A role picked earlier in the same session by the same person is kept. */
export async function recordCeremony(db: Db, sessionUid: string, ceremony: CompletedCeremony): Promise<void> {
  const values = {
    person_id: ceremony.personId,
    level: ceremony.level,
    methods: JSON.stringify(ceremony.methods),
    authenticator_id: ceremony.authenticatorId,
    authenticated_at: ceremony.authenticatedAt,
    last_seen_at: ceremony.authenticatedAt,
  };
  await db.transaction().execute(async (trx) => {
    const existing = await trx
      .selectFrom('sign_in_contexts')
      .select('person_id')
      .where('session_uid', '=', sessionUid)
      .executeTakeFirst();
    if (!existing) {
      await trx
        .insertInto('sign_in_contexts')
        .values({ session_uid: sessionUid, ...values, selected_role_id: null, role_selected: 0 })
        .execute();
      return;
    }
    const samePerson = existing.person_id === ceremony.personId;
    await trx
      .updateTable('sign_in_contexts')
      .set(samePerson ? values : { ...values, selected_role_id: null, role_selected: 0 })
      .where('session_uid', '=', sessionUid)
      .execute();
  });
}

export async function recordRoleChoice(db: Db, sessionUid: string, roleId: string | null): Promise<void> {
  await db
    .updateTable('sign_in_contexts')
    .set({ selected_role_id: roleId, role_selected: 1 })
    .where('session_uid', '=', sessionUid)
    .execute();
}

export async function touchSignInContext(db: Db, sessionUid: string, nowMs: number): Promise<void> {
  await db
    .updateTable('sign_in_contexts')
    .set({ last_seen_at: nowMs })
    .where('session_uid', '=', sessionUid)
    .execute();
}

export async function endSignInContext(db: Db, sessionUid: string): Promise<void> {
  await db.deleteFrom('sign_in_contexts').where('session_uid', '=', sessionUid).execute();
}

/** Deletes contexts of sessions unused for longer than a session can live. */
export async function sweepStaleSignInContexts(db: Db, olderThanMs: number): Promise<void> {
  await db.deleteFrom('sign_in_contexts').where('last_seen_at', '<', olderThanMs).execute();
}
