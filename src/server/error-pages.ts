// Turns any error into a clear page or JSON error, never a stack trace. Unexpected errors are
// logged with a reference the person can quote.
import { randomUUID } from 'node:crypto';
import type { Context, Next } from 'koa';
import type { Logger } from 'pino';
import { PageError } from './page-error.ts';
import type { Render } from './views.ts';

export function errorPages(render: Render, logger: Logger) {
  return async (ctx: Context, next: Next) => {
    try {
      await next();
      if (ctx.status === 404 && ctx.body === undefined) {
        render(
          ctx,
          'error.njk',
          { title: 'Page not found', message: 'If you typed the web address, check it is correct.' },
          404,
        );
      }
    } catch (error) {
      if (error instanceof PageError) {
        render(ctx, 'error.njk', { title: error.title, message: error.message }, error.status);
        return;
      }
      const status = (error as { status?: number; expose?: boolean }).status;
      if (status && status >= 400 && status < 500) {
        render(
          ctx,
          'error.njk',
          { title: 'There is a problem with this request', message: 'Go back and try again.' },
          status,
        );
        return;
      }
      const reference = randomUUID();
      logger.error({ err: error, reference, path: ctx.path }, 'unexpected error');
      render(
        ctx,
        'error.njk',
        {
          title: 'Sorry, there is a problem with the service',
          message: 'Try again later.',
          detail: reference,
        },
        500,
      );
    }
  };
}
