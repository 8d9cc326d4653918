// Security headers on every response: a nonce-based CSP, no framing (RFC 9700 §4.16), no
// sniffing, no referrer leaks of codes or tokens, HSTS when served over https.
import { randomBytes } from 'node:crypto';
import type { Context, Next } from 'koa';

export function securityHeaders(options: { https: boolean }) {
  return async (ctx: Context, next: Next) => {
    const nonce = randomBytes(16).toString('base64');
    ctx.state['cspNonce'] = nonce;
    ctx.set({
      'Content-Security-Policy': [
        "default-src 'self'",
        `script-src 'self' 'nonce-${nonce}'`,
        "style-src 'self'",
        "img-src 'self' data:",
        "connect-src 'self'",
        "form-action 'self' http: https:",
        "frame-ancestors 'none'",
        "base-uri 'none'",
        "object-src 'none'",
      ].join('; '),
      'X-Frame-Options': 'DENY',
      'X-Content-Type-Options': 'nosniff',
      'Referrer-Policy': 'no-referrer',
      'Cross-Origin-Opener-Policy': 'same-origin',
      'Permissions-Policy': 'camera=(), microphone=(), geolocation=()',
    });
    if (options.https) ctx.set('Strict-Transport-Security', 'max-age=63072000; includeSubDomains');
    await next();
  };
}
