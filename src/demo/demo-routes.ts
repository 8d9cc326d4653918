// A small relying party served at /demo (demo mode only). It signs in through the real flow with
// a certified client library (openid-client, private_key_jwt, PKCE, nonce) and shows what an
// application receives: the ID token claims and UserInfo.
import { randomBytes, webcrypto } from 'node:crypto';
import Router from '@koa/router';
import type { Context } from 'koa';
import * as client from 'openid-client';
import { getCookie, setCookie } from '../server/cookies.ts';
import type { Services } from '../server/services.ts';
import { DEMO_CLIENT_ID } from './demo-client.ts';
import { demoKeyPath, loadOrCreateDemoKey } from './demo-key.ts';

const SCOPE =
  'openid profile email nhsperson associatedorgs nationalrbacaccess organisationalmemberships selectedrole';

interface DemoSession {
  idToken: string;
  claims: Record<string, unknown>;
  userinfo: Record<string, unknown>;
  at: number;
}

export function demoRoutes(services: Services): Router {
  const router = new Router({ prefix: '/demo' });
  const { config, render } = services;
  const cookies = { secure: config.publicUrl.startsWith('https://') };
  const redirectUri = `${config.publicUrl}/demo/callback`;
  const sessions = new Map<string, DemoSession>();
  let clientConfig: Promise<client.Configuration> | undefined;

  function configuration(): Promise<client.Configuration> {
    clientConfig ??= (async () => {
      const key = loadOrCreateDemoKey(demoKeyPath(config.database.sqlitePath));
      const privateKey = await webcrypto.subtle.importKey(
        'jwk',
        key.privateJwk as webcrypto.JsonWebKey,
        { name: 'ECDSA', namedCurve: 'P-256' },
        false,
        ['sign'],
      );
      const options = config.publicUrl.startsWith('http://')
        ? { execute: [client.allowInsecureRequests] }
        : {};
      return client.discovery(
        new URL(services.issuer),
        DEMO_CLIENT_ID,
        {},
        client.PrivateKeyJwt({ key: privateKey, kid: String(key.privateJwk.kid) }),
        options,
      );
    })().catch((error: unknown) => {
      clientConfig = undefined;
      throw error;
    });
    return clientConfig;
  }

  function currentSession(ctx: Context): DemoSession | undefined {
    const id = getCookie(ctx, cookies, 'care_demo');
    return id ? sessions.get(id) : undefined;
  }

  router.get('/', async (ctx) => {
    const session = currentSession(ctx);
    render(ctx, 'demo/index.njk', {
      title: 'Demo application',
      session,
      claimsJson: session ? JSON.stringify(session.claims, null, 2) : undefined,
      userinfoJson: session ? JSON.stringify(session.userinfo, null, 2) : undefined,
      error: typeof ctx.query['error'] === 'string' ? ctx.query['error'].slice(0, 200) : undefined,
    });
  });

  router.get('/login', async (ctx) => {
    const oidc = await configuration();
    const verifier = client.randomPKCECodeVerifier();
    const state = client.randomState();
    const nonce = client.randomNonce();
    const changeRole = ctx.query['change'] === 'role';
    const acr = ctx.query['acr'] === 'AAL3_ANY' ? 'AAL3_ANY' : 'AAL2_OR_AAL3_ANY';
    setCookie(ctx, cookies, 'care_demo_auth', JSON.stringify({ verifier, state, nonce }), {
      maxAgeMs: 10 * 60_000,
    });
    const url = client.buildAuthorizationUrl(oidc, {
      redirect_uri: redirectUri,
      scope: changeRole ? SCOPE.replace('selectedrole', 'changedrole') : SCOPE,
      code_challenge: await client.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state,
      nonce,
      prompt: 'login',
      max_age: '300',
      acr_values: acr,
    });
    ctx.redirect(url.href);
  });

  router.get('/callback', async (ctx) => {
    const saved = getCookie(ctx, cookies, 'care_demo_auth');
    setCookie(ctx, cookies, 'care_demo_auth', null);
    if (!saved) return ctx.redirect('/demo?error=The+sign-in+had+expired');
    if (typeof ctx.query['error'] === 'string') {
      return ctx.redirect(`/demo?error=${encodeURIComponent(ctx.query['error'])}`);
    }
    const { verifier, state, nonce } = JSON.parse(saved) as {
      verifier: string;
      state: string;
      nonce: string;
    };
    const oidc = await configuration();
    const tokens = await client.authorizationCodeGrant(
      oidc,
      new URL(ctx.href.replace(ctx.origin, config.publicUrl)),
      {
        pkceCodeVerifier: verifier,
        expectedState: state,
        expectedNonce: nonce,
        maxAge: 300,
      },
    );
    const claims = tokens.claims() as Record<string, unknown>;
    const userinfo = await client.fetchUserInfo(oidc, tokens.access_token, String(claims['sub']));
    const id = randomBytes(24).toString('base64url');
    sessions.set(id, { idToken: tokens.id_token ?? '', claims, userinfo, at: Date.now() });
    if (sessions.size > 1000) sessions.delete(sessions.keys().next().value!);
    setCookie(ctx, cookies, 'care_demo', id, { maxAgeMs: 60 * 60_000 });
    ctx.redirect('/demo');
  });

  router.get('/logout', async (ctx) => {
    const session = currentSession(ctx);
    const id = getCookie(ctx, cookies, 'care_demo');
    if (id) sessions.delete(id);
    setCookie(ctx, cookies, 'care_demo', null);
    if (!session) return ctx.redirect('/demo');
    const oidc = await configuration();
    ctx.redirect(
      client.buildEndSessionUrl(oidc, {
        id_token_hint: session.idToken,
        post_logout_redirect_uri: `${config.publicUrl}/demo`,
      }).href,
    );
  });

  return router;
}
