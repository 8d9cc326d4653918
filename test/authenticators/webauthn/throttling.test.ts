// NIST 800-63B-4 §3.2.2 for WebAuthn: consecutive failed assertions of one credential are counted;
// after `delayAfterFailures` each try waits (30 s doubling, at most an hour); at
// `maxConsecutiveFailures` (at most 100) the credential locks until an RA unlocks it; a success
// resets the count. Real assertions from a software P-256 key, through finishAuthentication.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { findAuthenticator, updateAuthenticator } from '../../../src/authenticators/authenticator-store.ts';
import type { ThrottlePolicy } from '../../../src/authenticators/password-totp/throttle.ts';
import { loadTrustAnchors } from '../../../src/authenticators/webauthn/metadata.ts';
import { type WebAuthnSettings, webauthnSettings } from '../../../src/authenticators/webauthn/settings.ts';
import {
  type AuthenticationOutcome,
  authenticationOptions,
  finishAuthentication,
} from '../../../src/authenticators/webauthn/verification.ts';
import { loadConfig } from '../../../src/config/load.ts';
import { describeEachDatabase } from '../../helpers/databases.ts';
import { assertion, registerSoftwarePasskey, type SoftwarePasskey } from '../../helpers/software-passkey.ts';
import { TEST_COOKIE_KEY, TEST_KEY_ENCRYPTION_SECRET } from '../../helpers/test-server.ts';

const rp = { origin: 'https://idp.example.nhs.uk', rpId: 'idp.example.nhs.uk' };
const DAY = 24 * 3600_000;

function settingsWith(throttle: ThrottlePolicy): WebAuthnSettings {
  return {
    rpId: rp.rpId,
    rpName: 'Care Identity',
    origins: [rp.origin],
    // Long-lived challenges, so the tests can move the clock hours ahead between tries.
    challengeTtlMs: 400 * DAY,
    anchors: loadTrustAnchors({ statements: [], allowList: undefined }),
    throttle,
  };
}

describeEachDatabase('WebAuthn sign-in throttling', (ctx) => {
  async function attempt(
    settings: WebAuthnSettings,
    key: SoftwarePasskey,
    nowMs: number,
    bogus = false,
  ): Promise<AuthenticationOutcome> {
    const binding = `test:${Math.random()}`;
    const options = await authenticationOptions(ctx.db, settings, { binding, personId: null, allow: [] });
    return finishAuthentication(
      ctx.db,
      settings,
      { binding, response: assertion(key, options.challenge, rp, { bogus }) },
      nowMs,
    );
  }

  async function stored(key: SoftwarePasskey) {
    const record = await findAuthenticator(ctx.db, key.authenticatorId);
    return {
      failedAttempts: record!.failedAttempts,
      lockedUntil: record!.lockedUntil,
      status: record!.status,
    };
  }

  test('§3.2.2: failed assertions count per credential, and a success resets the count', async () => {
    const settings = settingsWith({ maxConsecutiveFailures: 100, delayAfterFailures: 5 });
    const key = await registerSoftwarePasskey(ctx.db);
    const other = await registerSoftwarePasskey(ctx.db);
    const now = Date.now();
    for (let i = 1; i <= 3; i++) {
      const outcome = await attempt(settings, key, now, true);
      assert.equal(outcome.ok, false);
      assert.equal(!outcome.ok && outcome.reason, 'invalid');
      assert.equal(!outcome.ok && outcome.detail?.['failed_attempts'], i);
    }
    assert.deepEqual(await stored(key), { failedAttempts: 3, lockedUntil: null, status: 'active' });
    assert.equal((await stored(other)).failedAttempts, 0, 'another credential is not affected');
    assert.equal((await attempt(settings, key, now)).ok, true);
    assert.deepEqual(await stored(key), { failedAttempts: 0, lockedUntil: null, status: 'active' });
  });

  test('§3.2.2: after delayAfterFailures each try waits, even with the genuine key, and the wait grows', async () => {
    const settings = settingsWith({ maxConsecutiveFailures: 100, delayAfterFailures: 2 });
    const key = await registerSoftwarePasskey(ctx.db);
    const now = Date.now();
    await attempt(settings, key, now, true);
    await attempt(settings, key, now, true);
    assert.equal((await stored(key)).lockedUntil, now + 30_000);

    const waiting = await attempt(settings, key, now + 10_000);
    assert.equal(!waiting.ok && waiting.reason, 'throttled', 'the genuine key must wait too');
    assert.equal((await stored(key)).failedAttempts, 2, 'a refused try while waiting is not counted');

    const third = await attempt(settings, key, now + 31_000, true);
    assert.equal(!third.ok && third.reason, 'invalid');
    assert.equal((await stored(key)).lockedUntil, now + 31_000 + 60_000, 'the delay doubles');

    const later = await attempt(settings, key, now + 31_000 + 61_000);
    assert.equal(later.ok, true, 'after the wait the genuine key signs in');
    assert.deepEqual(await stored(key), { failedAttempts: 0, lockedUntil: null, status: 'active' });
  });

  test('§3.2.2: with the default policy the 100th consecutive failure locks the credential until an RA unlocks it', async () => {
    const config = loadConfig({
      env: {},
      overrides: {
        publicUrl: rp.origin,
        trustProxy: true,
        secrets: { keyEncryption: TEST_KEY_ENCRYPTION_SECRET, cookieKeys: [TEST_COOKIE_KEY] },
      },
    });
    assert.deepEqual(webauthnSettings(config).throttle, {
      maxConsecutiveFailures: 100,
      delayAfterFailures: 5,
    });
    const settings = settingsWith(config.lockout);
    const key = await registerSoftwarePasskey(ctx.db);
    let now = Date.now();
    for (let i = 1; i <= 100; i++) {
      const outcome = await attempt(settings, key, now, true);
      assert.equal(!outcome.ok && outcome.reason, 'invalid', `failure ${i} is counted`);
      if (i === 100) assert.equal(!outcome.ok && outcome.detail?.['locked'], true);
      now += 2 * 3600_000; // past the longest delay
    }
    assert.equal((await stored(key)).failedAttempts, 100);
    const locked = await attempt(settings, key, now + 30 * DAY);
    assert.equal(!locked.ok && locked.reason, 'locked', 'time alone does not unlock it');

    // What the RA's unlock does (src/ra/authenticators.ts): the count back to 0.
    await updateAuthenticator(ctx.db, key.authenticatorId, { failedAttempts: 0 });
    assert.equal((await attempt(settings, key, now + 30 * DAY)).ok, true);
  });
});
