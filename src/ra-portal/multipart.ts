// Reads the photo upload form (multipart/form-data): its text fields and one file, within a size
// limit. Only what this form sends is understood; anything else is refused with a clear page.
import type { Context } from 'koa';
import { PageError } from '../server/page-error.ts';

export interface Upload {
  fields: Record<string, string>;
  file?: { field: string; filename: string; contentType: string; bytes: Buffer };
}

const notUnderstood = () =>
  new PageError(415, 'Form not understood', 'The form was sent in a format this service does not accept.');
const tooLarge = () => new PageError(413, 'The file is too large', 'Go back and choose a smaller photo.');

async function readBody(ctx: Context, limit: number): Promise<Buffer> {
  const declared = Number(ctx.get('content-length') || 0);
  if (declared > limit) {
    ctx.set('Connection', 'close');
    throw tooLarge();
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of ctx.req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) {
      ctx.set('Connection', 'close');
      throw tooLarge();
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

function headerParam(header: string, name: string): string | undefined {
  const match = new RegExp(`${name}="([^"]*)"`, 'i').exec(header);
  return match?.[1];
}

export async function readUpload(ctx: Context, limit: number): Promise<Upload> {
  const type = ctx.get('content-type');
  const boundary = /^multipart\/form-data;.*boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(type);
  if (!boundary) throw notUnderstood();
  const body = await readBody(ctx, limit);
  const delimiter = Buffer.from(`--${boundary[1] ?? boundary[2]}`);
  const upload: Upload = { fields: {} };
  let start = body.indexOf(delimiter);
  if (start < 0) throw notUnderstood();
  for (;;) {
    start += delimiter.length;
    if (body.subarray(start, start + 2).toString() === '--') break;
    const next = body.indexOf(delimiter, start);
    if (next < 0) throw notUnderstood();
    // Each part: CRLF, headers, blank line, content, CRLF before the next delimiter.
    const part = body.subarray(start + 2, next - 2);
    const split = part.indexOf('\r\n\r\n');
    if (split < 0) throw notUnderstood();
    const headers = part.subarray(0, split).toString('utf8');
    const content = part.subarray(split + 4);
    const name = headerParam(headers, 'name');
    if (name !== undefined) {
      const filename = headerParam(headers, 'filename');
      if (filename !== undefined) {
        const contentType = /content-type:\s*([^\r\n]+)/i.exec(headers)?.[1]?.trim() ?? '';
        if (!upload.file && (filename || content.length)) {
          upload.file = { field: name, filename, contentType, bytes: Buffer.from(content) };
        }
      } else if (!(name in upload.fields)) {
        upload.fields[name] = content.toString('utf8');
      }
    }
    start = next;
  }
  return upload;
}
