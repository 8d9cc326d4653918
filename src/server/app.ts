// Builds the whole HTTP application: one Koa app with the engine mounted at the issuer path and
// Care Identity's pages beside it.
import { join } from 'node:path';
import Koa, { type Context, type Next } from 'koa';
import compose from 'koa-compose';
import type Provider from 'oidc-provider';
import { adminApiRoutes } from '../admin-api/routes.ts';
import { recordAuditEvent } from '../audit/audit-log.ts';
import { sweepExpiredEnrolmentLinks } from '../authenticators/enrolment-links.ts';
import type { Config } from '../config/schema.ts';
import { demoRoutes } from '../demo/demo-routes.ts';
import { accountRoutes } from '../journeys/account-routes.ts';
import { enrolmentRoutes } from '../journeys/enrolment-routes.ts';
import { sweepStaleSignInContexts } from '../journeys/sign-in-context.ts';
import { signInRoutes } from '../journeys/sign-in-routes.ts';
import { webauthnEnrolmentRoutes } from '../journeys/webauthn-enrolment-routes.ts';
import { createNotifier } from '../notifications/notifier.ts';
import { createLogger } from '../observability/logger.ts';
import { createMetrics } from '../observability/metrics.ts';
import { sweepExpiredPayloads } from '../oidc/adapter.ts';
import { issuerFor, pathProfiles } from '../oidc/paths.ts';
import { createProvider } from '../oidc/provider.ts';
import { raServicesFromConfig } from '../ra/services.ts';
import { raPortalRoutes } from '../ra-portal/routes.ts';
import type { Db } from '../store/database.ts';
import { Sealer } from '../store/sealer.ts';
import { Csrf } from './csrf.ts';
import { engineProviderPages } from './engine-pages.ts';
import { errorPages } from './error-pages.ts';
import { healthRoutes } from './health-routes.ts';
import { homeRoutes } from './home-routes.ts';
import { requireHttps } from './require-https.ts';
import { securityHeaders } from './security-headers.ts';
import type { Services } from './services.ts';
import { staticFiles } from './static-files.ts';
import { createRenderer, nhsukDist, viewsDirectory } from './views.ts';

export interface Secrets {
  keyEncryption: string;
  cookieKeys: string[];
}

export interface AppOptions {
  config: Config;
  db: Db;
  secrets: Secrets;
  jwks: { keys: object[] };
}

export interface CareIdentityApp {
  app: Koa;
  provider: Provider;
  services: Services;
  close(): void;
}

/** Runs the engine's own Koa middleware for paths under the issuer path (as koa-mount does). */
function mountProvider(provider: Provider, prefix: string) {
  const downstream = compose((provider as unknown as Koa).middleware);
  return async (ctx: Context, next: Next) => {
    const path = ctx.path;
    if (prefix && path !== prefix && !path.startsWith(`${prefix}/`)) return next();
    const inner = path.slice(prefix.length) || '/';
    ctx.mountPath = prefix || undefined;
    ctx.path = inner;
    await downstream(ctx, async () => {
      ctx.path = path;
      await next();
      ctx.path = inner;
    });
    ctx.path = path;
  };
}

export function createApp({ config, db, secrets, jwks }: AppOptions): CareIdentityApp {
  const https = config.publicUrl.startsWith('https://');
  const logger = createLogger(config.logLevel);
  const sealer = new Sealer(secrets.keyEncryption);
  const cookiePolicy = { secure: https };
  const csrf = new Csrf(secrets.cookieKeys[0]!, cookiePolicy);
  const render = createRenderer({ serviceName: 'Care Identity', csrfToken: (ctx) => csrf.token(ctx) });
  const provider = createProvider({
    config,
    db,
    sealer,
    jwks,
    cookieKeys: secrets.cookieKeys,
    pages: engineProviderPages(render),
  });
  // Back-channel logout is fire-and-forget in the engine: make failures visible and audited.
  provider.on(
    'backchannel.error',
    (_ctx, error: Error, client: { clientId: string }, accountId: string, sid: string) => {
      logger.warn({ client_id: client.clientId, err: error.message }, 'back-channel logout failed');
      recordAuditEvent(db, {
        type: 'backchannel_logout',
        outcome: 'failure',
        actor: 'system',
        subject: accountId,
        detail: { client_id: client.clientId, sid, error: error.message },
      }).catch((auditError: unknown) => logger.error({ err: auditError }, 'audit write failed'));
    },
  );
  provider.on('backchannel.success', (_ctx, client: { clientId: string }, accountId: string, sid: string) => {
    recordAuditEvent(db, {
      type: 'backchannel_logout',
      outcome: 'success',
      actor: 'system',
      subject: accountId,
      detail: { client_id: client.clientId, sid },
    }).catch((auditError: unknown) => logger.error({ err: auditError }, 'audit write failed'));
  });
  const issuer = issuerFor(config.publicUrl, config.pathProfile);
  // One notifier for the node: the RA services and the person's own pages email through it.
  const notifier = createNotifier(config.smtp, logger);
  const services: Services = { config, issuer, db, sealer, provider, render, csrf, logger, notifier };
  const metrics = createMetrics();
  // The RA service layer: the administration API and the RA portal pages share it.
  const raServices = raServicesFromConfig(config, db, logger, notifier);

  const app = new Koa({ proxy: config.trustProxy });
  app.keys = secrets.cookieKeys;
  app.silent = true;

  app.use(metrics.middleware);
  if (https) app.use(requireHttps(config.publicUrl));
  app.use(securityHeaders({ https }));
  app.use(errorPages(render, logger));
  app.use(
    staticFiles(
      {
        '/assets': join(nhsukDist, 'nhsuk', 'assets'),
        '/static/simplewebauthn': join(nhsukDist, '..', '..', '@simplewebauthn', 'browser', 'esm'),
      },
      {
        '/static/nhsuk-frontend.min.css': join(nhsukDist, 'nhsuk', 'nhsuk-frontend.min.css'),
        '/static/nhsuk-frontend.min.js': join(nhsukDist, 'nhsuk', 'nhsuk-frontend.min.js'),
        '/static/care-identity.css': join(viewsDirectory, 'static', 'care-identity.css'),
        '/static/webauthn.js': join(viewsDirectory, 'static', 'webauthn.js'),
      },
    ),
  );
  for (const router of [
    healthRoutes(db, metrics.registry),
    homeRoutes(services),
    signInRoutes(services),
    webauthnEnrolmentRoutes(services),
    accountRoutes(services),
    enrolmentRoutes(services),
    raPortalRoutes(services, raServices.ra),
    ...(config.demo ? [demoRoutes(services)] : []),
    adminApiRoutes(
      { ra: raServices.ra, provider, logger, photoMaxBytes: config.ra.photoMaxBytes },
      issuer,
      `${issuer}${pathProfiles[config.pathProfile].routes.token}`,
    ),
  ]) {
    app.use(router.routes());
    app.use(router.allowedMethods());
  }
  app.use(mountProvider(provider, pathProfiles[config.pathProfile].issuerPath));

  // Each node sweeps expired records now and then; the deletes are idempotent across nodes.
  const sweep = setInterval(() => {
    const now = Date.now();
    Promise.all([
      sweepExpiredPayloads(db),
      sweepStaleSignInContexts(db, now - config.tokens.sessionTtl * 1000),
      sweepExpiredEnrolmentLinks(db, now),
    ]).catch((error: unknown) => logger.warn({ err: error }, 'expired record sweep failed'));
  }, 10 * 60_000);
  sweep.unref();

  return {
    app,
    provider,
    services,
    close: () => {
      clearInterval(sweep);
      raServices.notifier.close();
    },
  };
}
