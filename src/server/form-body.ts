// Reads an application/x-www-form-urlencoded body with a size limit. Repeated fields keep the
// first value; every value is a string.
import type { Context } from 'koa';
import { PageError } from './page-error.ts';

const DEFAULT_LIMIT = 16 * 1024;

export async function readForm(ctx: Context, limit = DEFAULT_LIMIT): Promise<Record<string, string>> {
  const type = ctx.get('content-type').split(';')[0]?.trim().toLowerCase();
  if (type !== 'application/x-www-form-urlencoded') {
    throw new PageError(
      415,
      'Form not understood',
      'The form was sent in a format this service does not accept.',
    );
  }
  const declared = Number(ctx.get('content-length') || 0);
  if (declared > limit) {
    ctx.set('Connection', 'close');
    throw tooLarge();
  }
  const body = await readLimited(ctx, limit);
  const form: Record<string, string> = {};
  for (const [key, value] of new URLSearchParams(body.toString('utf8'))) {
    if (!(key in form)) form[key] = value;
  }
  return form;
}

// Reads at most `limit` bytes. Past that it stops keeping data but lets the request finish (so the
// socket stays usable for the error page) and asks for the connection to close afterwards.
function readLimited(ctx: Context, limit: number): Promise<Buffer> {
  const request = ctx.req;
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let over = false;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (over) return;
      if (size > limit) {
        over = true;
        chunks.length = 0;
        ctx.set('Connection', 'close');
        reject(tooLarge());
        return;
      }
      chunks.push(chunk);
    });
    request.once('end', () => {
      if (!over) resolve(Buffer.concat(chunks));
    });
    request.once('error', reject);
  });
}

function tooLarge(): PageError {
  return new PageError(413, 'Form too large', 'What you entered is too long. Go back and try again.');
}
