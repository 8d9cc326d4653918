// Prometheus metrics at /metrics: request counts and latency by route family, and sign-in outcomes.
import type { Context, Next } from 'koa';
import { Counter, collectDefaultMetrics, Histogram, Registry } from 'prom-client';

export interface Metrics {
  registry: Registry;
  middleware: (ctx: Context, next: Next) => Promise<void>;
}

function routeFamily(path: string): string {
  if (path.startsWith('/interaction/')) return 'interaction';
  if (path.startsWith('/enrol/')) return 'enrol';
  if (path.startsWith('/demo')) return 'demo';
  if (path.startsWith('/static/') || path.startsWith('/assets/')) return 'static';
  const last = path.split('/').filter(Boolean).slice(-2).join('/');
  return last.length > 40 ? 'other' : last || 'root';
}

export function createMetrics(): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const duration = new Histogram({
    name: 'care_identity_http_request_duration_seconds',
    help: 'HTTP request duration by route family and status class',
    labelNames: ['route', 'method', 'status'],
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [registry],
  });
  const requests = new Counter({
    name: 'care_identity_http_requests_total',
    help: 'HTTP requests by route family and status class',
    labelNames: ['route', 'method', 'status'],
    registers: [registry],
  });
  const knownRoutes = new Set<string>();
  return {
    registry,
    async middleware(ctx, next) {
      const end = duration.startTimer();
      try {
        await next();
      } finally {
        let route = routeFamily(ctx.path);
        if (!knownRoutes.has(route) && knownRoutes.size > 50) route = 'other';
        knownRoutes.add(route);
        const labels = { route, method: ctx.method, status: `${Math.floor(ctx.status / 100)}xx` };
        end(labels);
        requests.inc(labels);
      }
    },
  };
}
