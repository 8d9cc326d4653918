// NIST 800-63B-4 §5.1: no fallback from https to http. A node whose public URL is https answers a
// request that reached it over plain http (as its proxy reports) with a redirect to the https
// address for reads, and a refusal for anything else, before any cookie could be set.
import type { Context, Next } from 'koa';

export function requireHttps(publicUrl: string) {
  return async (ctx: Context, next: Next) => {
    if (ctx.secure) return next();
    ctx.set('Cache-Control', 'no-store');
    if (ctx.method === 'GET' || ctx.method === 'HEAD') {
      ctx.status = 308;
      ctx.set('Location', `${publicUrl}${ctx.url}`);
      return;
    }
    ctx.status = 400;
    ctx.type = 'text/plain; charset=utf-8';
    ctx.body = 'This service is only available over https.';
  };
}
