// CSRF protection for every form: a random per-browser secret in a SameSite=Strict cookie, and a
// token derived from it (HMAC) in each form. Tokens are compared in constant time.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Context } from 'koa';
import { type CookiePolicy, getCookie, setCookie } from './cookies.ts';
import { PageError } from './page-error.ts';

const COOKIE = 'care_csrf';

export class Csrf {
  readonly #key: Buffer;
  readonly #cookies: CookiePolicy;

  constructor(secret: string, cookies: CookiePolicy) {
    this.#key = createHmac('sha256', secret).update('csrf v1').digest();
    this.#cookies = cookies;
  }

  #tokenFor(secret: string): string {
    return createHmac('sha256', this.#key).update(secret).digest('base64url');
  }

  /** The token to put in this page's forms; sets the browser secret the first time. */
  token(ctx: Context): string {
    let secret = getCookie(ctx, this.#cookies, COOKIE) ?? (ctx.state['csrfSecret'] as string | undefined);
    if (!secret) {
      secret = randomBytes(32).toString('base64url');
      setCookie(ctx, this.#cookies, COOKIE, secret, { sameSite: 'strict' });
      ctx.state['csrfSecret'] = secret;
    }
    return this.#tokenFor(secret);
  }

  /** Throws a 403 page unless the submitted token matches this browser's secret. */
  verify(ctx: Context, submitted: unknown): void {
    const secret = getCookie(ctx, this.#cookies, COOKIE);
    if (!secret || typeof submitted !== 'string') throw csrfError();
    const expected = Buffer.from(this.#tokenFor(secret));
    const actual = Buffer.from(submitted);
    if (expected.length !== actual.length || !timingSafeEqual(expected, actual)) throw csrfError();
  }
}

function csrfError(): PageError {
  return new PageError(
    403,
    'This form has expired',
    'For your security, the form could not be sent. Go back, reload the page and try again.',
  );
}
