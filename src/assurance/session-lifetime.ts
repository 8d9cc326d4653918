// A level lapses on its own clock (NIST 800-63B-4 §2.2.3, §2.3.3): after its maximum age since the
// ceremony, or after its idle timeout since the session was last used. A lapsed session counts as
// no authentication at all, so the next request signs in again.
import type { Level } from './policy.ts';

export interface LifetimePolicy {
  aal3MaxAge: number;
  aal3IdleTimeout: number;
  aal2MaxAge: number;
  aal2IdleTimeout: number;
}

export function effectiveLevel(
  context: { level: number; authenticatedAt: number; lastSeenAt: number },
  policy: LifetimePolicy,
  nowMs: number,
): Level | 0 {
  const level = context.level as Level;
  const [maxAge, idle] =
    level >= 3 ? [policy.aal3MaxAge, policy.aal3IdleTimeout] : [policy.aal2MaxAge, policy.aal2IdleTimeout];
  if (nowMs - context.authenticatedAt > maxAge * 1000) return 0;
  if (nowMs - context.lastSeenAt > idle * 1000) return 0;
  return level;
}
