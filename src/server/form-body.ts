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
  if (declared > limit) throw tooLarge();
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of ctx.req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) throw tooLarge();
    chunks.push(chunk);
  }
  const form: Record<string, string> = {};
  for (const [key, value] of new URLSearchParams(Buffer.concat(chunks).toString('utf8'))) {
    if (!(key in form)) form[key] = value;
  }
  return form;
}

function tooLarge(): PageError {
  return new PageError(413, 'Form too large', 'What you entered is too long. Go back and try again.');
}
