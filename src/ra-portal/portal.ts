// The RA portal's sign-in: a first-party app (`care-identity-ra`) on the shared web session, at the
// level `ra.portalMinimumLevel` asks for (AAL3 unless a demo lowers it). Every page and post works
// out who is acting and what they may do today; the services check every action again.
import type { Context } from 'koa';
import type { Level } from '../assurance/policy.ts';
import { todayInLondon } from '../directory/today.ts';
import type { Actor } from '../ra/action.ts';
import type { RaCapabilities } from '../ra/capabilities.ts';
import type { RaServices } from '../ra/services.ts';
import { PageError } from '../server/page-error.ts';
import type { Services } from '../server/services.ts';
import { type SignedInSession, type WebSessions, webSessions } from '../web-session/web-session.ts';

export const RA_CLIENT_ID = 'care-identity-ra';

export interface Staff {
  actor: Actor;
  capabilities: RaCapabilities;
  signedIn: SignedInSession;
}

export interface Portal {
  services: Services;
  ra: RaServices;
  sessions: WebSessions;
  minLevel: Level;
  /** For pages: signs in (or steps up) first; undefined when the browser was redirected. */
  page(ctx: Context): Promise<Staff | undefined>;
  /** For posts, which never redirect (they would lose what was sent). */
  post(ctx: Context): Promise<Staff>;
}

const notStaff = () =>
  new PageError(
    403,
    'You cannot use the Registration Authority portal',
    'You do not hold a Registration Authority role in any organisation today. If you think you should, ask your RA Manager.',
  );

const expired = (level: Level) =>
  new PageError(
    403,
    'Sign in again to continue',
    `Your sign-in has expired, or is not at AAL${level}, which the Registration Authority portal needs. Nothing was changed. Go back to /ra and sign in again.`,
  );

export function createPortal(services: Services, ra: RaServices): Portal {
  const minLevel = services.config.ra.portalMinimumLevel as Level;
  const sessions = webSessions(services, {
    name: 'ra',
    clientId: RA_CLIENT_ID,
    clientName: 'Care Identity Registration Authority portal',
    callbackPath: '/ra/callback',
    signedOutPath: '/ra/signed-out',
    scope: 'openid profile',
    home: '/ra',
  });

  async function staff(ctx: Context, signedIn: SignedInSession): Promise<Staff> {
    const personId = signedIn.person.personId;
    const capabilities = await ra.capabilities(personId, todayInLondon(Date.now()));
    if (capabilities.organisations.size === 0) throw notStaff();
    ctx.state['raStaff'] = true;
    return { actor: { personId, sourceIp: ctx.ip, via: 'portal' }, capabilities, signedIn };
  }

  return {
    services,
    ra,
    sessions,
    minLevel,
    async page(ctx) {
      const signedIn = await sessions.requireSignIn(ctx, minLevel);
      return signedIn ? staff(ctx, signedIn) : undefined;
    },
    async post(ctx) {
      const signedIn = await sessions.signedIn(ctx, minLevel);
      if (!signedIn) throw expired(minLevel);
      return staff(ctx, signedIn);
    },
  };
}
