// The "first-party web app session" mechanism: a server-side session keyed by a random cookie
// (`__Host-` over https), signed in through Care Identity's own OpenID flow, with the level the ID
// token reported lapsing on the same clocks as the IdP's own sessions (src/assurance). A page asks
// for a level with `requireSignIn`; too low a level sends the browser to the IdP again with
// acr_values (a step-up), and brings it back where it was.
import type { Context } from 'koa';
import * as client from 'openid-client';
import type { Level } from '../assurance/policy.ts';
import { effectiveLevel } from '../assurance/session-lifetime.ts';
import { recordAuditEvent } from '../audit/audit-log.ts';
import { getCookie, setCookie } from '../server/cookies.ts';
import { PageError } from '../server/page-error.ts';
import type { Services } from '../server/services.ts';
import { type FirstPartyApp, firstPartyClient } from './first-party-client.ts';
import {
  createWebSession,
  deleteWebSession,
  findWebSession,
  type SignedIn,
  saveWebSession,
  type WebSession,
} from './store.ts';

export interface SignedInSession {
  session: WebSession;
  person: SignedIn;
  /** The level now, after lapse; at least the level asked for. */
  level: Level;
}

export interface WebSessions {
  /** The signed-in person at `minLevel` or above, or undefined after redirecting to sign in. */
  requireSignIn(ctx: Context, minLevel?: Level): Promise<SignedInSession | undefined>;
  /** The same check without redirecting (for form posts and script calls). */
  signedIn(ctx: Context, minLevel?: Level): Promise<SignedInSession | undefined>;
  /** The OpenID callback: checks the response, stores what the ID token says, goes back. */
  callback(ctx: Context): Promise<void>;
  signOut(ctx: Context): Promise<void>;
}

const PENDING_TTL_MS = 30 * 60_000;

function safeReturnTo(path: string | undefined, fallback: string): string {
  return path?.startsWith('/') && !path.startsWith('//') && !path.includes('\\') ? path : fallback;
}

export function webSessions(services: Services, app: FirstPartyApp & { home: string }): WebSessions {
  const { db, config } = services;
  const cookiePolicy = { secure: config.publicUrl.startsWith('https://') };
  const cookie = `care_${app.name}`;
  const configuration = firstPartyClient(services, app);
  const sessionTtlMs = Math.max(config.assurance.aal2MaxAge, config.assurance.aal3MaxAge) * 1000;

  async function current(ctx: Context): Promise<WebSession | undefined> {
    const id = getCookie(ctx, cookiePolicy, cookie);
    return id ? findWebSession(db, app.name, id) : undefined;
  }

  async function startSignIn(ctx: Context, minLevel: Level): Promise<void> {
    const config = await configuration();
    const verifier = client.randomPKCECodeVerifier();
    const pending = {
      state: client.randomState(),
      nonce: client.randomNonce(),
      verifier,
      returnTo: safeReturnTo(ctx.method === 'GET' ? ctx.originalUrl : undefined, app.home),
      acrValues: minLevel >= 3 ? 'AAL3_ANY' : 'AAL2_OR_AAL3_ANY',
    };
    const existing = await current(ctx);
    // A new session for every sign-in: the cookie value never outlives a change of who is signed in.
    if (existing) await deleteWebSession(db, existing.idHash);
    const { id } = await createWebSession(db, { app: app.name, data: { pending }, ttlMs: PENDING_TTL_MS });
    setCookie(ctx, cookiePolicy, cookie, id);
    const url = client.buildAuthorizationUrl(config, {
      redirect_uri: `${services.config.publicUrl}${app.callbackPath}`,
      scope: app.scope,
      state: pending.state,
      nonce: pending.nonce,
      code_challenge: await client.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      acr_values: pending.acrValues,
      max_age: String(sessionTtlMs / 1000),
    });
    ctx.status = 303;
    ctx.redirect(url.href);
  }

  async function signedIn(ctx: Context, minLevel: Level): Promise<SignedInSession | undefined> {
    const session = await current(ctx);
    const person = session?.data.signedIn;
    if (!session || !person) return undefined;
    const now = Date.now();
    const level = effectiveLevel(
      { level: person.level, authenticatedAt: person.authTime, lastSeenAt: session.lastSeenAt },
      config.assurance,
      now,
    );
    if (level === 0 || level < minLevel) return undefined;
    await saveWebSession(db, session, {}, now);
    return { session, person, level };
  }

  return {
    signedIn: (ctx, minLevel = 2) => signedIn(ctx, minLevel),

    async requireSignIn(ctx, minLevel = 2) {
      const found = await signedIn(ctx, minLevel);
      if (found) return found;
      await startSignIn(ctx, minLevel);
      return undefined;
    },

    async callback(ctx) {
      const session = await current(ctx);
      const pending = session?.data.pending;
      if (!session || !pending) {
        throw new PageError(400, 'Your sign-in has expired', `Go to ${app.home} and sign in again.`);
      }
      const config = await configuration();
      let tokens: Awaited<ReturnType<typeof client.authorizationCodeGrant>>;
      try {
        const url = new URL(ctx.originalUrl, services.config.publicUrl);
        tokens = await client.authorizationCodeGrant(config, url, {
          pkceCodeVerifier: pending.verifier,
          expectedState: pending.state,
          expectedNonce: pending.nonce,
          maxAge: sessionTtlMs / 1000,
        });
      } catch (error) {
        await deleteWebSession(db, session.idHash);
        const denied = (error as { error?: string }).error === 'access_denied';
        throw new PageError(
          denied ? 403 : 400,
          denied ? 'You did not sign in' : 'Sign-in could not be completed',
          `Go to ${app.home} to try again.`,
        );
      }
      const claims = tokens.claims()!;
      const signedIn: SignedIn = {
        personId: claims.sub,
        level: Number(claims['authentication_assurance_level'] ?? 0),
        amr: (claims['amr'] as string[] | undefined) ?? [],
        acr: String(claims['acr'] ?? ''),
        authTime: Number(claims.auth_time ?? 0) * 1000,
        idToken: tokens.id_token ?? '',
      };
      await saveWebSession(db, session, { data: { signedIn }, expiresAt: Date.now() + sessionTtlMs });
      await recordAuditEvent(db, {
        type: 'web_session_started',
        outcome: 'success',
        actor: signedIn.personId,
        subject: signedIn.personId,
        sourceIp: ctx.ip,
        detail: { app: app.name, level: signedIn.level, amr: signedIn.amr },
      });
      ctx.status = 303;
      ctx.redirect(safeReturnTo(pending.returnTo, app.home));
    },

    async signOut(ctx) {
      const session = await current(ctx);
      setCookie(ctx, cookiePolicy, cookie, null);
      const idToken = session?.data.signedIn?.idToken;
      if (session) await deleteWebSession(db, session.idHash);
      ctx.status = 303;
      if (!idToken) return ctx.redirect(app.signedOutPath);
      // Also end the IdP session, as the person expects from "sign out" on a shared computer.
      const url = client.buildEndSessionUrl(await configuration(), {
        id_token_hint: idToken,
        post_logout_redirect_uri: `${services.config.publicUrl}${app.signedOutPath}`,
      });
      ctx.redirect(url.href);
    },
  };
}
