// Liveness (the process answers), readiness (the database answers) and Prometheus metrics.
import Router from '@koa/router';
import { sql } from 'kysely';
import type { Registry } from 'prom-client';
import type { Db } from '../store/database.ts';

export function healthRoutes(db: Db, registry: Registry): Router {
  const router = new Router();
  router.get('/healthz', (ctx) => {
    ctx.body = { status: 'ok' };
  });
  router.get('/readyz', async (ctx) => {
    try {
      await sql`select 1`.execute(db);
      ctx.body = { status: 'ready' };
    } catch {
      ctx.status = 503;
      ctx.body = { status: 'database unavailable' };
    }
  });
  router.get('/metrics', async (ctx) => {
    ctx.type = registry.contentType;
    ctx.body = await registry.metrics();
  });
  return router;
}
