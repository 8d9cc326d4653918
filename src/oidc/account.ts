// Resolves accounts for the engine: directory claims, plus the facts of the sign-in that the
// token was issued from (level, selected role), found through the token's session uid.
import type { Account, KoaContextWithOIDC } from 'oidc-provider';
import { errors } from 'oidc-provider';
import { loadPersonClaims } from '../directory/claims.ts';
import { todayInLondon } from '../directory/today.ts';
import { findSignInContext } from '../journeys/sign-in-context.ts';
import type { Db } from '../store/database.ts';
import { asksForRole } from './claims.ts';

interface TokenLike {
  kind?: string;
  sessionUid?: string;
}

export function createFindAccount(db: Db, realm: string | undefined) {
  return async function findAccount(
    _ctx: KoaContextWithOIDC,
    sub: string,
    token?: unknown,
  ): Promise<Account | undefined> {
    const source = token as TokenLike | undefined;
    const personClaims = await loadPersonClaims(db, sub, todayInLondon());
    if (!personClaims) return undefined;
    const context = source?.sessionUid ? await findSignInContext(db, source.sessionUid) : undefined;
    if (source?.sessionUid && (!context || context.personId !== sub)) {
      // The IdP session behind this code or token has ended: nothing may be released from it.
      const message = 'the sign-in session behind this grant has ended';
      throw source.kind === 'AccessToken'
        ? new errors.InvalidToken(message)
        : new errors.InvalidGrant(message);
    }
    return {
      accountId: sub,
      async claims(use, scope) {
        const claims: Record<string, unknown> = {
          ...personClaims,
          sub,
          id_assurance_level: String(personClaims['idassurancelevel'] ?? '0'),
        };
        if (context) claims['authentication_assurance_level'] = String(context.level);
        if (context && asksForRole(scope) && context.selectedRoleId) {
          claims['selected_roleid'] = context.selectedRoleId;
        }
        if (use === 'id_token') {
          claims['tokenName'] = 'id_token';
          claims['tokenType'] = 'JWTToken';
          if (realm) claims['realm'] = realm;
        }
        return claims as { sub: string };
      },
    };
  };
}
