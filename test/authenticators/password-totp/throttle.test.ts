import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import {
  isThrottled,
  type ThrottlePolicy,
  throttleAfterFailure,
} from '../../../src/authenticators/password-totp/throttle.ts';

const policy: ThrottlePolicy = { maxConsecutiveFailures: 100, delayAfterFailures: 5 };
const NOW = 1_700_000_000_000;
const HOUR = 60 * 60_000;

// Plays failures one by one as a caller would: each failure bumps the count and stores the result.
function fail(times: number, start = NOW) {
  let state = { failedAttempts: 0, lockedUntil: null as number | null };
  let result = { lockedUntil: null as number | null, locked: false };
  let now = start;
  for (let i = 0; i < times; i++) {
    // The attacker waits out every delay, which is the most guesses the policy allows.
    if (state.lockedUntil !== null) now = Math.max(now, state.lockedUntil);
    result = throttleAfterFailure(state.failedAttempts + 1, now, policy);
    state = { failedAttempts: state.failedAttempts + 1, lockedUntil: result.lockedUntil };
  }
  return { state, result, now };
}

describe('throttling', () => {
  test('NIST 800-63B-4 §3.2.2: 100 consecutive failures lock the authenticator', () => {
    const { state, result, now } = fail(100);
    assert.deepEqual(result, { lockedUntil: null, locked: true });
    assert.equal(isThrottled(state, now, policy), 'locked');
    // Waiting, however long, does not unlock it: only an RA (or recovery) does.
    assert.equal(isThrottled(state, now + 365 * 24 * HOUR, policy), 'locked');
  });

  test('NIST 800-63B-4 §3.2.2: 99 failures do not lock; the 100th does', () => {
    assert.equal(fail(99).result.locked, false);
    assert.equal(throttleAfterFailure(100, NOW, policy).locked, true);
    assert.equal(throttleAfterFailure(250, NOW, policy).locked, true);
  });

  test('NIST 800-63B-4 §3.2.2: a lower cap may be used', () => {
    const strict: ThrottlePolicy = { maxConsecutiveFailures: 10, delayAfterFailures: 3 };
    assert.equal(throttleAfterFailure(10, NOW, strict).locked, true);
    assert.equal(isThrottled({ failedAttempts: 10, lockedUntil: null }, NOW, strict), 'locked');
  });

  test('NIST 800-63B-4 §3.2.2: a cap above 100 is refused', () => {
    assert.throws(
      () => throttleAfterFailure(1, NOW, { maxConsecutiveFailures: 101, delayAfterFailures: 5 }),
      RangeError,
    );
    assert.throws(
      () =>
        isThrottled({ failedAttempts: 0, lockedUntil: null }, NOW, {
          maxConsecutiveFailures: 0,
          delayAfterFailures: 5,
        }),
      RangeError,
    );
  });

  test('NIST 800-63B-4 §3.2.2: no delay before delayAfterFailures failures', () => {
    for (let failures = 1; failures < policy.delayAfterFailures; failures++) {
      assert.deepEqual(throttleAfterFailure(failures, NOW, policy), { lockedUntil: null, locked: false });
    }
    assert.equal(isThrottled(fail(4).state, NOW, policy), 'ok');
  });

  test('NIST 800-63B-4 §3.2.2: the delay starts at 30 seconds and doubles', () => {
    const delays = [5, 6, 7, 8].map((n) => throttleAfterFailure(n, NOW, policy).lockedUntil! - NOW);
    assert.deepEqual(delays, [30_000, 60_000, 120_000, 240_000]);
  });

  test('NIST 800-63B-4 §3.2.2: the delay is capped at one hour', () => {
    for (let failures = 5; failures < 100; failures++) {
      const delay = throttleAfterFailure(failures, NOW, policy).lockedUntil! - NOW;
      assert.ok(delay > 0 && delay <= HOUR, `${failures} failures: ${delay} ms`);
    }
    assert.equal(throttleAfterFailure(99, NOW, policy).lockedUntil! - NOW, HOUR);
  });

  test('NIST 800-63B-4 §3.2.2 (property): the delay never shrinks as failures grow', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 98 }), (failures) => {
        const a = throttleAfterFailure(failures, NOW, policy).lockedUntil ?? NOW;
        const b = throttleAfterFailure(failures + 1, NOW, policy).lockedUntil ?? NOW;
        assert.ok(b >= a);
      }),
    );
  });

  test('NIST 800-63B-4 §3.2.2: during a delay tries must wait; afterwards they are allowed', () => {
    const result = throttleAfterFailure(6, NOW, policy);
    const state = { failedAttempts: 6, lockedUntil: result.lockedUntil };
    assert.equal(isThrottled(state, NOW, policy), 'wait');
    assert.equal(isThrottled(state, result.lockedUntil! - 1, policy), 'wait');
    assert.equal(isThrottled(state, result.lockedUntil!, policy), 'ok');
  });

  test('NIST 800-63B-4 §3.2.2: after a success (failures reset to 0) tries are allowed', () => {
    assert.equal(isThrottled({ failedAttempts: 0, lockedUntil: null }, NOW, policy), 'ok');
    // A stale delay left over from before the success has already passed.
    assert.equal(isThrottled({ failedAttempts: 0, lockedUntil: NOW - 1 }, NOW, policy), 'ok');
  });

  test('NIST 800-63B-4 §3.2.2: an attacker who waits out every delay gets at most 100 guesses', () => {
    const { state, now } = fail(100);
    assert.equal(state.failedAttempts, 100);
    assert.equal(isThrottled(state, now + HOUR, policy), 'locked');
    // And those 100 guesses take days, not seconds.
    assert.ok(now - NOW > 24 * HOUR);
  });
});
