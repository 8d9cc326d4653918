// Mounts the administration API under /admin/api/v1: bearer authentication, scope check, zod
// validation of the body, then the RA service. Every error is JSON with its status; an unexpected
// one is a 500 with a reference, logged, and nothing is half-written (the services use transactions).
import { randomUUID } from 'node:crypto';
import Router from '@koa/router';
import type { Context } from 'koa';
import type Provider from 'oidc-provider';
import type { Logger } from 'pino';
import { asRaError, invalidFields } from '../ra/errors.ts';
import type { RaServices } from '../ra/services.ts';
import { authenticate, requireScope } from './auth.ts';
import { ApiError, readJsonObject, readRaw, sendError } from './http.ts';
import { API_PREFIX, openApiDocument } from './openapi.ts';
import { type Operation, operations } from './operations.ts';

export interface AdminApiDependencies {
  ra: RaServices;
  provider: Provider;
  logger: Pick<Logger, 'error'>;
  /** Largest photo accepted (config ra.photoMaxBytes). */
  photoMaxBytes: number;
}

const raErrorCodes = {
  invalid_input: 'invalid_request',
  forbidden: 'forbidden',
  not_found: 'not_found',
  conflict: 'conflict',
} as const;

function queryObject(ctx: Context): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of new URLSearchParams(ctx.querystring)) if (!(key in out)) out[key] = value;
  return out;
}

async function handle(deps: AdminApiDependencies, operation: Operation, ctx: Context): Promise<void> {
  const caller = await authenticate(deps.provider, ctx);
  requireScope(caller, operation.scope);
  const params = Object.fromEntries(Object.entries(ctx.params as Record<string, string>));
  let body: Record<string, unknown> = {};
  let raw: { contentType: string; bytes: Buffer } | undefined;
  if (operation.raw) raw = await readRaw(ctx, operation.raw, deps.photoMaxBytes + 1);
  else if (operation.body) {
    body = { ...(await readJsonObject(ctx)), ...params };
    const parsed = operation.body.safeParse(body);
    if (!parsed.success) throw invalidFields(parsed.error);
  }
  const query = queryObject(ctx);
  if (operation.query) {
    const parsed = operation.query.safeParse(query);
    if (!parsed.success) throw invalidFields(parsed.error);
  }
  const result = await operation.call(deps.ra, {
    actor: caller.actor,
    params,
    body,
    query,
    ...(raw ? { raw } : {}),
  });
  ctx.status = operation.status;
  ctx.set('Cache-Control', 'no-store');
  ctx.body = result;
}

export function adminApiRoutes(deps: AdminApiDependencies, issuer: string, tokenEndpoint: string): Router {
  const router = new Router({ prefix: API_PREFIX });
  const document = openApiDocument(issuer, tokenEndpoint);

  // Errors of every route under the prefix (including unknown paths) come out as JSON.
  router.use(async (ctx, next) => {
    try {
      await next();
      if (ctx.status === 404 && ctx.body === undefined) {
        throw new ApiError(404, 'not_found', 'There is no such administration API endpoint');
      }
    } catch (error) {
      const raError = asRaError(error);
      if (error instanceof ApiError) return sendError(ctx, error);
      if (raError) {
        return sendError(
          ctx,
          new ApiError(raError.status, raErrorCodes[raError.code], raError.message, raError.fields),
        );
      }
      const reference = randomUUID();
      deps.logger.error({ err: error, reference, path: ctx.path }, 'administration API error');
      sendError(ctx, new ApiError(500, 'server_error', `Something went wrong; quote reference ${reference}`));
    }
  });

  router.get('/openapi.json', (ctx) => {
    ctx.body = document;
  });
  for (const operation of operations) {
    router[operation.method](operation.path, (ctx) => handle(deps, operation, ctx));
  }
  // Anything else under the prefix: a JSON 404 rather than the HTML error page.
  router.all('/{*rest}', () => {
    throw new ApiError(404, 'not_found', 'There is no such administration API endpoint');
  });
  return router;
}
