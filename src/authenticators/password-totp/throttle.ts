// Throttling of guesses at one authenticator of one account (NIST 800-63B-4 §3.2.2): after a few
// consecutive failures each further try waits longer ("e.g., 30 seconds up to an hour"), and at the
// cap (at most 100) the authenticator is locked until a registration authority unlocks it. The caller
// stores failedAttempts and lockedUntil, and sets failedAttempts to 0 on success, as §3.2.2 advises.

export interface ThrottlePolicy {
  /** Consecutive failures that lock the authenticator; NIST allows at most 100. */
  maxConsecutiveFailures: number;
  /** Consecutive failures after which each try must wait. */
  delayAfterFailures: number;
}

export const NIST_MAX_CONSECUTIVE_FAILURES = 100;
const FIRST_DELAY_MS = 30_000;
const MAX_DELAY_MS = 60 * 60_000;

function checkPolicy(policy: ThrottlePolicy): void {
  const { maxConsecutiveFailures, delayAfterFailures } = policy;
  if (
    !Number.isInteger(maxConsecutiveFailures) ||
    maxConsecutiveFailures < 1 ||
    maxConsecutiveFailures > NIST_MAX_CONSECUTIVE_FAILURES
  ) {
    throw new RangeError(`maxConsecutiveFailures must be 1 to ${NIST_MAX_CONSECUTIVE_FAILURES}`);
  }
  if (!Number.isInteger(delayAfterFailures) || delayAfterFailures < 1) {
    throw new RangeError('delayAfterFailures must be a positive integer');
  }
}

// failedAttempts counts the failure just recorded. lockedUntil null with locked true means "until an
// RA unlocks it": a time-based lock at the cap would let an attacker keep guessing forever.
export function throttleAfterFailure(
  failedAttempts: number,
  nowMs: number,
  policy: ThrottlePolicy,
): { lockedUntil: number | null; locked: boolean } {
  checkPolicy(policy);
  if (failedAttempts >= policy.maxConsecutiveFailures) return { lockedUntil: null, locked: true };
  if (failedAttempts < policy.delayAfterFailures) return { lockedUntil: null, locked: false };
  const doublings = failedAttempts - policy.delayAfterFailures;
  // Cap the exponent first so a large count cannot overflow to Infinity.
  const delay = Math.min(FIRST_DELAY_MS * 2 ** Math.min(doublings, 20), MAX_DELAY_MS);
  return { lockedUntil: nowMs + delay, locked: false };
}

export function isThrottled(
  state: { failedAttempts: number; lockedUntil: number | null },
  nowMs: number,
  policy: ThrottlePolicy,
): 'locked' | 'wait' | 'ok' {
  checkPolicy(policy);
  if (state.failedAttempts >= policy.maxConsecutiveFailures) return 'locked';
  if (state.lockedUntil !== null && nowMs < state.lockedUntil) return 'wait';
  return 'ok';
}
