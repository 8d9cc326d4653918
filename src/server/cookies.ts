// Cookie naming and options in one place: `__Host-` prefix, Secure, HttpOnly and SameSite when
// served over https; on http://localhost browsers refuse Secure prefixed cookies, so plain names.
import type { Context } from 'koa';

export interface CookiePolicy {
  secure: boolean;
}

export function cookieName(policy: CookiePolicy, name: string): string {
  return policy.secure ? `__Host-${name}` : name;
}

export function setCookie(
  ctx: Context,
  policy: CookiePolicy,
  name: string,
  value: string | null,
  options: { maxAgeMs?: number; sameSite?: 'strict' | 'lax' } = {},
): void {
  ctx.cookies.set(cookieName(policy, name), value, {
    httpOnly: true,
    secure: policy.secure,
    sameSite: options.sameSite ?? 'lax',
    path: '/',
    overwrite: true,
    signed: true,
    ...(options.maxAgeMs ? { maxAge: options.maxAgeMs } : {}),
  });
}

export function getCookie(ctx: Context, policy: CookiePolicy, name: string): string | undefined {
  return ctx.cookies.get(cookieName(policy, name), { signed: true });
}
