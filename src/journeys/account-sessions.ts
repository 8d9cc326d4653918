// "Sign out everywhere" (ASVS 7.4.3, 7.4.5): ends every IdP session of one person on every node and
// device, and stops what relying parties were given. The engine's sessions, grants, codes and
// tokens are rows of `oidc_payloads` (src/oidc/adapter.ts); the levels of those sessions live in
// `sign_in_contexts`; first-party web apps (/account, the RA portal) keep `web_sessions`. All go in
// one transaction. Relying parties registered for back-channel logout are then told, best effort.
import type Provider from 'oidc-provider';
import type { Db } from '../store/database.ts';

// Engine records that belong to a person (their payload carries accountId).
const PERSONAL_MODELS = [
  'Session',
  'Grant',
  'AuthorizationCode',
  'AccessToken',
  'RefreshToken',
  'DeviceCode',
  'BackchannelAuthenticationRequest',
];

export interface EndedSessions {
  /** IdP sessions ended. */
  sessions: number;
  /** Grants revoked (with their codes and tokens). */
  grants: number;
  /** Codes and tokens deleted. */
  tokens: number;
  webSessions: number;
  /** Back-channel logout: clients told, and clients that could not be reached. */
  backchannel: { notified: string[]; failed: string[] };
}

interface Authorizations {
  [clientId: string]: { sid?: string; grantId?: string };
}

interface PersonalRow {
  model: string;
  id: string;
  accountId: unknown;
  grantId: unknown;
  authorizations: Authorizations;
}

async function personalRows(db: Db, personId: string): Promise<PersonalRow[]> {
  // A LIKE narrows the scan; the parsed accountId decides (an id cannot widen it to someone else).
  const rows = await db
    .selectFrom('oidc_payloads')
    .select(['model', 'id', 'payload'])
    .where('model', 'in', PERSONAL_MODELS)
    .where('payload', 'like', `%"accountId":${JSON.stringify(personId)}%`)
    .execute();
  return rows
    .map((row) => {
      const payload = JSON.parse(row.payload) as {
        accountId?: unknown;
        grantId?: unknown;
        authorizations?: Authorizations;
      };
      return {
        model: row.model,
        id: row.id,
        accountId: payload.accountId,
        grantId: payload.grantId,
        authorizations: payload.authorizations ?? {},
      };
    })
    .filter((row) => row.accountId === personId);
}

async function tellRelyingParties(
  provider: Provider,
  personId: string,
  sessions: PersonalRow[],
): Promise<EndedSessions['backchannel']> {
  const notified: string[] = [];
  const failed: string[] = [];
  const calls: Promise<void>[] = [];
  for (const session of sessions) {
    for (const [clientId, authorization] of Object.entries(session.authorizations)) {
      calls.push(
        (async () => {
          const client = await provider.Client.find(clientId).catch(() => undefined);
          if (!client?.backchannelLogoutUri) return;
          try {
            await (
              client as unknown as { backchannelLogout(sub: string, sid?: string): Promise<void> }
            ).backchannelLogout(personId, authorization.sid);
            notified.push(clientId);
          } catch {
            failed.push(clientId);
          }
        })(),
      );
    }
  }
  await Promise.all(calls);
  return { notified: [...new Set(notified)].sort(), failed: [...new Set(failed)].sort() };
}

/** Ends every session of the person and revokes every grant; returns what was ended. */
export async function endEverySession(db: Db, provider: Provider, personId: string): Promise<EndedSessions> {
  const ended = await db.transaction().execute(async (trx) => {
    const rows = await personalRows(trx, personId);
    const sessions = rows.filter((row) => row.model === 'Session');
    const grantIds = new Set(rows.filter((row) => row.model === 'Grant').map((row) => row.id));
    for (const row of rows) if (typeof row.grantId === 'string') grantIds.add(row.grantId);
    for (const session of sessions) {
      for (const { grantId } of Object.values(session.authorizations)) if (grantId) grantIds.add(grantId);
    }
    let tokens = 0;
    if (grantIds.size > 0) {
      const deleted = await trx
        .deleteFrom('oidc_payloads')
        .where('grant_id', 'in', [...grantIds])
        .executeTakeFirst();
      tokens += Number(deleted.numDeletedRows);
    }
    for (const row of rows) {
      const deleted = await trx
        .deleteFrom('oidc_payloads')
        .where('model', '=', row.model)
        .where('id', '=', row.id)
        .executeTakeFirst();
      if (row.model !== 'Session' && row.model !== 'Grant') tokens += Number(deleted.numDeletedRows);
    }
    await trx.deleteFrom('sign_in_contexts').where('person_id', '=', personId).execute();
    const web = await trx.deleteFrom('web_sessions').where('person_id', '=', personId).executeTakeFirst();
    return {
      sessions,
      counts: {
        sessions: sessions.length,
        grants: rows.filter((row) => row.model === 'Grant').length,
        tokens,
        webSessions: Number(web.numDeletedRows),
      },
    };
  });
  const backchannel = await tellRelyingParties(provider, personId, ended.sessions);
  return { ...ended.counts, backchannel };
}
