// Serves the few static files pages need (NHS design system CSS, JS and images, our own scripts)
// from memory, read once at start. Nothing outside the listed folders can be reached.
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join, relative } from 'node:path';
import type { Context, Next } from 'koa';

const types: Record<string, string> = {
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
};

interface StaticFile {
  body: Buffer;
  type: string;
  etag: string;
}

function walk(directory: string): string[] {
  return readdirSync(directory).flatMap((name) => {
    const path = join(directory, name);
    return statSync(path).isDirectory() ? walk(path) : [path];
  });
}

/** Mounts each folder at its URL prefix, e.g. { '/assets': '.../nhsuk/assets' }. */
export function staticFiles(folders: Record<string, string>, singles: Record<string, string> = {}) {
  const files = new Map<string, StaticFile>();
  const add = (url: string, path: string) => {
    const type = types[extname(path)];
    if (!type) return;
    const body = readFileSync(path);
    files.set(url, {
      body,
      type,
      etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"`,
    });
  };
  for (const [prefix, folder] of Object.entries(folders)) {
    for (const path of walk(folder)) add(`${prefix}/${relative(folder, path).split('\\').join('/')}`, path);
  }
  for (const [url, path] of Object.entries(singles)) add(url, path);

  return async (ctx: Context, next: Next) => {
    if (ctx.method !== 'GET' && ctx.method !== 'HEAD') return next();
    const file = files.get(ctx.path);
    if (!file) return next();
    ctx.set('ETag', file.etag);
    ctx.set('Cache-Control', 'public, max-age=3600');
    if (ctx.get('if-none-match') === file.etag) {
      ctx.status = 304;
      return;
    }
    ctx.type = file.type;
    ctx.body = file.body;
  };
}
