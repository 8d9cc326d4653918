// JSON in and out for the administration API: bodies read with a size limit, and every error as
// one JSON shape with the status its code maps to. Nothing here knows about RA rules.
import type { Context } from 'koa';
import type { FieldError } from '../ra/errors.ts';

export type ApiErrorCode =
  | 'invalid_request'
  | 'invalid_token'
  | 'insufficient_scope'
  | 'forbidden'
  | 'not_found'
  | 'conflict'
  | 'payload_too_large'
  | 'unsupported_media_type'
  | 'method_not_allowed'
  | 'server_error';

export class ApiError extends Error {
  readonly status: number;
  readonly code: ApiErrorCode;
  readonly fields: FieldError[];

  constructor(status: number, code: ApiErrorCode, message: string, fields: FieldError[] = []) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.fields = fields;
  }
}

export const JSON_LIMIT = 64 * 1024;

async function readBytes(ctx: Context, limit: number): Promise<Buffer> {
  const declared = Number(ctx.get('content-length') || 0);
  const tooLarge = () =>
    new ApiError(413, 'payload_too_large', `The request body must be ${limit} bytes or fewer`);
  if (declared > limit) throw tooLarge();
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of ctx.req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) throw tooLarge();
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

function mediaType(ctx: Context): string {
  return ctx.get('content-type').split(';')[0]?.trim().toLowerCase() ?? '';
}

/** A JSON object body; anything else is a 400 or 415 with a clear message. */
export async function readJsonObject(ctx: Context): Promise<Record<string, unknown>> {
  if (mediaType(ctx) !== 'application/json') {
    throw new ApiError(415, 'unsupported_media_type', 'Send the body as application/json');
  }
  const text = (await readBytes(ctx, JSON_LIMIT)).toString('utf8');
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new ApiError(400, 'invalid_request', 'The body is not valid JSON');
  }
  if (!value || typeof value !== 'object' || Array.isArray(value)) {
    throw new ApiError(400, 'invalid_request', 'The body must be a JSON object');
  }
  return value as Record<string, unknown>;
}

/** A raw body of one of the given media types (e.g. a photo). */
export async function readRaw(
  ctx: Context,
  types: readonly string[],
  limit: number,
): Promise<{ contentType: string; bytes: Buffer }> {
  const contentType = mediaType(ctx);
  if (!types.includes(contentType)) {
    throw new ApiError(415, 'unsupported_media_type', `Send the body as ${types.join(' or ')}`);
  }
  return { contentType, bytes: await readBytes(ctx, limit) };
}

export function sendError(ctx: Context, error: ApiError): void {
  ctx.status = error.status;
  ctx.set('Cache-Control', 'no-store');
  if (error.status === 401) {
    ctx.set(
      'WWW-Authenticate',
      `Bearer error="invalid_token", error_description="${error.message.replace(/"/g, "'")}"`,
    );
  }
  if (error.code === 'insufficient_scope') {
    ctx.set(
      'WWW-Authenticate',
      `Bearer error="insufficient_scope", error_description="${error.message.replace(/"/g, "'")}"`,
    );
  }
  ctx.body = {
    error: error.code,
    message: error.message,
    ...(error.fields.length ? { fields: error.fields } : {}),
  };
}
