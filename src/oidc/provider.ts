// The OpenID provider: a certified engine (oidc-provider) configured for the CIS2 contract.
// Everything protocol-shaped is the engine's; Care Identity supplies storage, accounts,
// the assurance policy, and the pages.
import Provider, { type Configuration, type ErrorOut, errors, type KoaContextWithOIDC } from 'oidc-provider';
import { adminScopeNames, RA_ACTOR_METADATA } from '../admin-api/scopes.ts';
import { supportedAcrValues } from '../assurance/policy.ts';
import type { LifetimePolicy } from '../assurance/session-lifetime.ts';
import { recordAuditEvent } from '../audit/audit-log.ts';
import type { Config } from '../config/schema.ts';
import {
  endSignInContext,
  recordCeremony,
  recordRoleChoice,
  touchSignInContext,
} from '../journeys/sign-in-context.ts';
import type { Db } from '../store/database.ts';
import type { Sealer } from '../store/sealer.ts';
import { createFindAccount } from './account.ts';
import { createAdapterFactory } from './adapter.ts';
import { claimsConfiguration, supportedScopes } from './claims.ts';
import { createInteractionPolicy } from './interaction-policy.ts';
import { issuerFor, pathProfiles } from './paths.ts';
import type { CareIdentityResult } from './request-assurance.ts';

export interface ProviderPages {
  renderError(ctx: KoaContextWithOIDC, out: ErrorOut, error: Error): Promise<void>;
  logoutSource(ctx: KoaContextWithOIDC, form: string): Promise<void>;
  postLogoutSuccessSource(ctx: KoaContextWithOIDC): Promise<void>;
}

export interface ProviderDependencies {
  config: Config;
  db: Db;
  sealer: Sealer;
  jwks: { keys: object[] };
  cookieKeys: string[];
  pages: ProviderPages;
}

const MAX_CLIENT_ASSERTION_LIFETIME = 600;

export function lifetimePolicy(config: Config): LifetimePolicy {
  return config.assurance;
}

export function createProvider({
  config,
  db,
  sealer,
  jwks,
  cookieKeys,
  pages,
}: ProviderDependencies): Provider {
  const issuer = issuerFor(config.publicUrl, config.pathProfile);
  const secure = config.publicUrl.startsWith('https://');
  const lifetimes = lifetimePolicy(config);
  const realm = config.pathProfile === 'cis2' ? '/NHSIdentity/Healthcare' : undefined;

  const configuration: Configuration = {
    adapter: createAdapterFactory(db, sealer),
    findAccount: createFindAccount(db, realm),
    jwks: jwks as Configuration['jwks'],
    routes: pathProfiles[config.pathProfile].routes,
    // Administration API scopes are listed so the engine grants them only to clients registered with them.
    scopes: [...supportedScopes, ...adminScopeNames],
    claims: claimsConfiguration(),
    acrValues: supportedAcrValues,
    responseTypes: ['code'],
    clientAuthMethods: ['private_key_jwt', 'client_secret_post', 'client_secret_basic', 'client_secret_jwt'],
    enabledJWA: {
      clientAuthSigningAlgValues: ['RS256', 'RS512', 'PS256', 'ES256', 'HS256', 'HS512'],
      idTokenSigningAlgValues: ['RS256', 'PS256', 'ES256'],
      userinfoSigningAlgValues: ['RS256', 'PS256', 'ES256'],
    },
    clientDefaults: {
      grant_types: ['authorization_code'],
      response_types: ['code'],
      id_token_signed_response_alg: config.tokens.signingAlg,
      token_endpoint_auth_method: 'private_key_jwt',
    },
    extraClientMetadata: {
      properties: ['minimum_aal', 'pkce_required', 'client_name', RA_ACTOR_METADATA],
      validator(_ctx, key, value) {
        if (key === 'minimum_aal' && value !== undefined && value !== 2 && value !== 3) {
          throw new errors.InvalidClientMetadata('minimum_aal must be 2 or 3');
        }
        if (key === 'pkce_required' && value !== undefined && typeof value !== 'boolean') {
          throw new errors.InvalidClientMetadata('pkce_required must be true or false');
        }
        if (
          key === RA_ACTOR_METADATA &&
          value !== undefined &&
          !(typeof value === 'string' && /^\d{12}$/.test(value))
        ) {
          throw new errors.InvalidClientMetadata(
            `${RA_ACTOR_METADATA} must be the 12-digit id of an RA staff member`,
          );
        }
      },
    },
    pkce: {
      // Required unless a client is registered with the CIS2 compatibility switch turned off.
      required: (_ctx, client) => client.metadata()['pkce_required'] !== false,
    },
    features: {
      devInteractions: { enabled: false },
      claimsParameter: { enabled: false },
      userinfo: { enabled: true },
      jwtUserinfo: { enabled: true },
      revocation: { enabled: true },
      introspection: { enabled: true },
      // The administration API's clients (src/admin-api) get tokens this way.
      clientCredentials: { enabled: true },
      backchannelLogout: { enabled: true },
      rpInitiatedLogout: {
        enabled: true,
        logoutSource: pages.logoutSource,
        postLogoutSuccessSource: pages.postLogoutSuccessSource,
      },
    },
    interactions: {
      policy: createInteractionPolicy(db, lifetimes),
      url: (_ctx, interaction) => `/interaction/${interaction.uid}`,
    },
    // Relying parties registered here are first-party (CIS2 asks no consent): the grant covers what
    // the client may ask for, recorded the first time and extended as requests need.
    async loadExistingGrant(ctx) {
      const { client, session } = ctx.oidc;
      if (!client || !session?.accountId) return undefined;
      const grantId = session.grantIdFor(client.clientId);
      let grant = grantId ? await ctx.oidc.provider.Grant.find(grantId) : undefined;
      if (!grant)
        grant = new ctx.oidc.provider.Grant({ accountId: session.accountId, clientId: client.clientId });
      const allowed = new Set((client.scope ?? supportedScopes.join(' ')).split(' '));
      const wanted = [...ctx.oidc.requestParamScopes].filter((s) => allowed.has(s));
      if (wanted.some((s) => !grant.getOIDCScope().split(' ').includes(s)) || !grantId) {
        grant.addOIDCScope(wanted.join(' '));
        await grant.save();
      }
      return grant;
    },
    issueRefreshToken: async (_ctx, client) => client.grantTypeAllowed('refresh_token'),
    async assertJwtClientAuthClaimsAndHeader(_ctx, claims) {
      const now = Math.floor(Date.now() / 1000);
      if (typeof claims['exp'] !== 'number' || claims['exp'] > now + MAX_CLIENT_ASSERTION_LIFETIME) {
        throw new errors.InvalidClientAuth('JWT is not valid: exp must be at most 10 minutes ahead');
      }
      if (typeof claims['jti'] !== 'string')
        throw new errors.InvalidClientAuth('JWT is not valid: jti is required');
    },
    renderError: pages.renderError,
    cookies: {
      names: secure
        ? {
            session: '__Host-care_session',
            interaction: '__Secure-care_interaction',
            resume: '__Secure-care_resume',
          }
        : { session: 'care_session', interaction: 'care_interaction', resume: 'care_resume' },
      long: { httpOnly: true, sameSite: 'lax', secure, signed: true },
      short: { httpOnly: true, sameSite: 'lax', secure, signed: true },
      keys: cookieKeys,
    },
    ttl: {
      AccessToken: config.tokens.accessTokenTtl,
      AuthorizationCode: config.tokens.authorizationCodeTtl,
      IdToken: config.tokens.idTokenTtl,
      RefreshToken: config.tokens.refreshTokenTtl,
      Interaction: config.tokens.interactionTtl,
      Session: config.tokens.sessionTtl,
      Grant: config.tokens.sessionTtl,
      BackchannelAuthenticationRequest: 600,
      ClientCredentials: config.tokens.accessTokenTtl,
      DeviceCode: 600,
    },
    allowOmittingSingleRegisteredRedirectUri: false,
    // The engine refuses outgoing requests to private and loopback addresses (SSRF protection).
    // Relying parties the operator names on private networks (HSCN) are let through.
    fetch: (url, options) => {
      const host = new URL(url).hostname.replace(/^\[|\]$/g, '');
      if (config.outboundPrivateHosts.includes(host)) {
        const { dispatcher: _ssrfGuard, ...rest } = options as RequestInit & { dispatcher?: unknown };
        return globalThis.fetch(url, rest);
      }
      return globalThis.fetch(url, options);
    },
    conformIdTokenClaims: true,
  };

  const provider = new Provider(issuer, configuration);
  provider.proxy = config.trustProxy;
  // CIS2 ID tokens always carry `sid` (contract §7.1, §12.3); the engine otherwise adds it only for
  // clients registered for session-bound back-channel logout.
  Object.defineProperty(provider.Client.prototype, 'includeSid', { value: () => true });

  // After the engine has handled a request, bind what the pages decided to the engine's session.
  provider.use(async (ctx, next) => {
    await next();
    const oidc = (ctx as KoaContextWithOIDC).oidc;
    if (oidc?.route === 'token' && ctx.status === 200) await auditTokenIssue(db, ctx as KoaContextWithOIDC);
    if (!oidc?.session?.uid) return;
    const uid = oidc.session.uid;
    if (oidc.route === 'resume') {
      const result = oidc.result as { careIdentity?: CareIdentityResult } | undefined;
      const ceremony = result?.careIdentity?.ceremony;
      if (ceremony && oidc.session.accountId === ceremony.personId) await recordCeremony(db, uid, ceremony);
      const role = result?.careIdentity?.role;
      if (role) await recordRoleChoice(db, uid, role.id);
    }
    if (
      (oidc.route === 'authorization' || oidc.route === 'resume') &&
      ctx.status < 400 &&
      oidc.session.accountId
    ) {
      await touchSignInContext(db, uid, Date.now());
    }
    const destroyed = (oidc.session as unknown as { destroyed?: boolean }).destroyed;
    if (oidc.route === 'end_session_confirm' && destroyed) await endSignInContext(db, uid);
  });

  return provider;
}

/** Every successful token response is audited: which client, for whom, by which grant. */
async function auditTokenIssue(db: Db, ctx: KoaContextWithOIDC): Promise<void> {
  const { oidc } = ctx;
  const entities = oidc.entities as { AccessToken?: { accountId?: string; scope?: string } };
  const clientId = oidc.client?.clientId ?? null;
  await recordAuditEvent(db, {
    type: 'token_issued',
    outcome: 'success',
    actor: clientId,
    subject: entities.AccessToken?.accountId ?? null,
    sourceIp: ctx.ip,
    detail: {
      client_id: clientId,
      grant_type: oidc.params?.['grant_type'],
      scope: entities.AccessToken?.scope,
    },
  });
}
