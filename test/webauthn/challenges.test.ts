// WebAuthn challenges (security-requirements §6.1): stored server-side, bound to what they were
// issued for, short-lived, and usable once, on both stores.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { consumeChallenge, issueChallenge } from '../../src/authenticators/webauthn/challenges.ts';
import { describeEachDatabase } from '../helpers/databases.ts';

describeEachDatabase('WebAuthn challenges', (ctx) => {
  test('§6.1: a challenge is accepted once, for its purpose and binding only', async () => {
    const challenge = await issueChallenge(ctx.db, {
      purpose: 'authenticate',
      binding: 'interaction-1',
      personId: null,
      ttlMs: 60_000,
    });
    assert.match(challenge, /^[A-Za-z0-9_-]{43}$/, '256 random bits');
    const used = { challenge, purpose: 'authenticate' as const, binding: 'interaction-1' };
    assert.deepEqual(await consumeChallenge(ctx.db, used), { personId: null, userHandle: null });
    assert.equal(await consumeChallenge(ctx.db, used), undefined, 'the second use is refused');
  });

  test('§6.1: a challenge presented elsewhere is refused and burnt', async () => {
    const challenge = await issueChallenge(ctx.db, {
      purpose: 'register',
      binding: 'enrol:x',
      personId: null,
      ttlMs: 60_000,
    });
    assert.equal(
      await consumeChallenge(ctx.db, { challenge, purpose: 'register', binding: 'enrol:y' }),
      undefined,
    );
    assert.equal(
      await consumeChallenge(ctx.db, { challenge, purpose: 'register', binding: 'enrol:x' }),
      undefined,
    );
  });

  test('§6.1: an expired challenge is refused', async () => {
    const now = Date.now();
    const challenge = await issueChallenge(
      ctx.db,
      { purpose: 'authenticate', binding: 'b', personId: null, ttlMs: 1_000 },
      now,
    );
    assert.equal(
      await consumeChallenge(ctx.db, { challenge, purpose: 'authenticate', binding: 'b' }, now + 1_001),
      undefined,
    );
  });

  test('§6.1: of concurrent uses of one challenge exactly one succeeds', async () => {
    const challenge = await issueChallenge(ctx.db, {
      purpose: 'authenticate',
      binding: 'c',
      personId: null,
      ttlMs: 60_000,
    });
    const results = await Promise.all(
      Array.from({ length: 8 }, () =>
        consumeChallenge(ctx.db, { challenge, purpose: 'authenticate', binding: 'c' }),
      ),
    );
    assert.equal(results.filter(Boolean).length, 1);
  });
});
