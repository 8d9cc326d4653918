// Server-rendered pages: Nunjucks with the NHS design system's templates and macros.
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Context } from 'koa';
import nunjucks from 'nunjucks';

const here = dirname(fileURLToPath(import.meta.url));
export const viewsDirectory = join(here, '..', 'views');
export const nhsukDist = join(here, '..', '..', 'node_modules', 'nhsuk-frontend', 'dist');

export type Render = (
  ctx: Context,
  template: string,
  data?: Record<string, unknown>,
  status?: number,
) => void;

export function createRenderer(options: {
  serviceName: string;
  csrfToken: (ctx: Context) => string;
}): Render {
  const env = new nunjucks.Environment(new nunjucks.FileSystemLoader([viewsDirectory, nhsukDist]), {
    autoescape: true,
    throwOnUndefined: false,
    noCache: false,
  });
  return (ctx, template, data = {}, status = 200) => {
    ctx.status = status;
    ctx.type = 'text/html; charset=utf-8';
    ctx.set('Cache-Control', 'no-store');
    ctx.body = env.render(template, {
      serviceName: options.serviceName,
      cspNonce: ctx.state['cspNonce'],
      csrfToken: options.csrfToken(ctx),
      assetPath: '/assets',
      ...data,
    });
  };
}
