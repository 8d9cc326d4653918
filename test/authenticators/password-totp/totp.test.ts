// Codes come from the real oathtool binary (OATH Toolkit), an implementation independent of ours.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import {
  base32Decode,
  base32Encode,
  generateTotpSecret,
  otpauthUri,
  timeStep,
  verifyTotp,
} from '../../../src/authenticators/password-totp/totp.ts';

const MISSING_OATHTOOL =
  'oathtool is not installed: the TOTP tests check codes against it. Install it with ' +
  '`apt-get install -y oathtool` (CI installs it).';

// Codes for `count` consecutive steps starting at the one holding epochSeconds.
function oathtool(secret: Uint8Array, epochSeconds: number, count = 1): string[] {
  const args = ['--totp', '-b', base32Encode(secret), '-N', `@${epochSeconds}`];
  if (count > 1) args.push('-w', String(count - 1));
  let output: string;
  try {
    output = execFileSync('oathtool', args, { encoding: 'utf8' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new Error(MISSING_OATHTOOL);
    throw error;
  }
  return output.trim().split('\n');
}

function oathtoolCode(secret: Uint8Array, epochSeconds: number): string {
  return oathtool(secret, epochSeconds)[0]!;
}

// RFC 6238 Appendix B's SHA-1 key: the ASCII digits "12345678901234567890".
const RFC_SECRET = new TextEncoder().encode('12345678901234567890');
const T = 1_700_000_000; // a fixed moment, in seconds

describe('TOTP', () => {
  test('oathtool is installed (needed by the TOTP tests; CI installs it)', () => {
    let version = '';
    try {
      version = execFileSync('oathtool', ['--version'], { encoding: 'utf8' });
    } catch {
      assert.fail(MISSING_OATHTOOL);
    }
    assert.match(version, /oathtool/);
  });

  test('RFC 6238 Appendix B: the SHA-1 test vectors (last 6 digits) verify at their times', () => {
    const vectors: [number, string][] = [
      [59, '287082'],
      [1111111109, '081804'],
      [1111111111, '050471'],
      [1234567890, '005924'],
      [2000000000, '279037'],
      [20000000000, '353130'],
    ];
    for (const [seconds, code] of vectors) {
      assert.equal(oathtoolCode(RFC_SECRET, seconds), code);
      assert.deepEqual(verifyTotp(RFC_SECRET, code, { nowMs: seconds * 1000, lastUsedStep: null }), {
        ok: true,
        step: Math.floor(seconds / 30),
      });
    }
  });

  test('RFC 6238: a code from oathtool is accepted at that time, and at one step of drift either way', () => {
    const secret = generateTotpSecret();
    const code = oathtoolCode(secret, T);
    const step = timeStep(T * 1000);
    assert.deepEqual(verifyTotp(secret, code, { nowMs: T * 1000, lastUsedStep: null }), { ok: true, step });
    assert.deepEqual(verifyTotp(secret, code, { nowMs: (T + 30) * 1000, lastUsedStep: null }), {
      ok: true,
      step,
    });
    assert.deepEqual(verifyTotp(secret, code, { nowMs: (T - 30) * 1000, lastUsedStep: null }), {
      ok: true,
      step,
    });
  });

  test('ASVS 6.5.5: a code from 2 steps ago is rejected', () => {
    const secret = generateTotpSecret();
    const old = oathtoolCode(secret, T - 60);
    const current = oathtool(secret, T - 30, 3);
    // The same 6 digits could, rarely, be the code of a step inside the window too.
    if (current.includes(old)) return;
    assert.deepEqual(verifyTotp(secret, old, { nowMs: T * 1000, lastUsedStep: null }), {
      ok: false,
      reason: 'invalid',
    });
  });

  test('NIST 800-63B-4 §3.1.4.2, ASVS 6.5.1: the same code twice is rejected as replayed', () => {
    const secret = generateTotpSecret();
    const code = oathtoolCode(secret, T);
    const first = verifyTotp(secret, code, { nowMs: T * 1000, lastUsedStep: null });
    assert.ok(first.ok);
    const again = verifyTotp(secret, code, { nowMs: T * 1000 + 5_000, lastUsedStep: first.step });
    assert.deepEqual(again, { ok: false, reason: 'replayed' });
    // Still replayed when the clock moves on but the code is still inside the window.
    const later = verifyTotp(secret, code, { nowMs: (T + 30) * 1000, lastUsedStep: first.step });
    assert.deepEqual(later, { ok: false, reason: 'replayed' });
  });

  test('NIST 800-63B-4 §3.1.4.2: an older code inside the window is rejected after a newer one was used', () => {
    const secret = generateTotpSecret();
    const [older, newer] = oathtool(secret, T - 30, 2);
    assert.ok(older && newer);
    if (older === newer) return; // a one-in-a-million collision: nothing to tell apart
    const usedNewer = verifyTotp(secret, newer, { nowMs: T * 1000, lastUsedStep: null });
    assert.deepEqual(usedNewer, { ok: true, step: timeStep(T * 1000) });
    assert.deepEqual(verifyTotp(secret, older, { nowMs: T * 1000, lastUsedStep: usedNewer.step }), {
      ok: false,
      reason: 'replayed',
    });
    // A newer code after an older one is fine: the authenticator app simply moved on.
    const next = oathtoolCode(secret, T + 30);
    assert.deepEqual(verifyTotp(secret, next, { nowMs: T * 1000, lastUsedStep: usedNewer.step }), {
      ok: true,
      step: timeStep(T * 1000) + 1,
    });
  });

  test('TOTP input: anything but exactly 6 digits (spaces aside) is malformed', () => {
    const secret = generateTotpSecret();
    const code = oathtoolCode(secret, T);
    const spaced = `${code.slice(0, 3)} ${code.slice(3)}`;
    assert.equal(verifyTotp(secret, spaced, { nowMs: T * 1000, lastUsedStep: null }).ok, true);
    assert.equal(verifyTotp(secret, ` ${code}\n`, { nowMs: T * 1000, lastUsedStep: null }).ok, true);
    for (const bad of [
      '',
      '12345',
      '1234567',
      '12345a',
      '12-456',
      '１２３４５６',
      '١٢٣٤٥٦',
      '+12345',
      '0x1234',
    ]) {
      assert.deepEqual(verifyTotp(secret, bad, { nowMs: T * 1000, lastUsedStep: null }), {
        ok: false,
        reason: 'malformed',
      });
    }
  });

  test('RFC 6238 (property): oathtool’s code verifies; any other 6-digit code does not', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 20, maxLength: 20 }),
        fc.integer({ min: 60, max: 4_000_000_000 }),
        fc.integer({ min: 0, max: 999 }),
        fc.integer({ min: 0, max: 999_999 }),
        (secret, seconds, millis, other) => {
          const nowMs = seconds * 1000 + millis;
          const inWindow = oathtool(secret, seconds - 30, 3);
          const code = inWindow[1]!;
          assert.equal(code, oathtoolCode(secret, seconds));
          assert.deepEqual(verifyTotp(secret, code, { nowMs, lastUsedStep: null }), {
            ok: true,
            step: Math.floor(seconds / 30),
          });
          const wrong = String(other).padStart(6, '0');
          fc.pre(!inWindow.includes(wrong));
          assert.deepEqual(verifyTotp(secret, wrong, { nowMs, lastUsedStep: null }), {
            ok: false,
            reason: 'invalid',
          });
        },
      ),
      { numRuns: 50 },
    );
  });

  test('NIST 800-63B-4 §3.1.4.1: secrets are 160 random bits', () => {
    const a = generateTotpSecret();
    const b = generateTotpSecret();
    assert.equal(a.length, 20);
    assert.notDeepEqual(a, b);
  });

  test('RFC 4648 §6: base32 test vectors, without padding', () => {
    const vectors: [string, string][] = [
      ['', ''],
      ['f', 'MY'],
      ['fo', 'MZXQ'],
      ['foo', 'MZXW6'],
      ['foob', 'MZXW6YQ'],
      ['fooba', 'MZXW6YTB'],
      ['foobar', 'MZXW6YTBOI'],
    ];
    const text = new TextDecoder();
    for (const [plain, encoded] of vectors) {
      assert.equal(base32Encode(new TextEncoder().encode(plain)), encoded);
      assert.equal(text.decode(base32Decode(encoded)), plain);
    }
  });

  test('RFC 4648 §6: base32 decoding forgives lower case, spaces and padding, and refuses other characters', () => {
    assert.deepEqual(base32Decode('mzxw 6ytb oi======'), new TextEncoder().encode('foobar'));
    assert.throws(() => base32Decode('MZXW1YTB'), /invalid character/);
    assert.throws(() => base32Decode('MZXW6YTBO'), /impossible length/);
  });

  test('RFC 4648 §6 (property): base32 round trips', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
        const encoded = base32Encode(bytes);
        assert.match(encoded, /^[A-Z2-7]*$/);
        assert.deepEqual(base32Decode(encoded), bytes);
        assert.deepEqual(base32Decode(encoded.toLowerCase().replace(/(.{4})/g, '$1 ')), bytes);
      }),
      { numRuns: 500 },
    );
  });

  test('Key URI format: the otpauth URI parses and carries the secret, issuer and parameters', () => {
    const secret = generateTotpSecret();
    const uri = otpauthUri({
      secret,
      accountName: 'jane.smith+ward 7@nhs.net',
      issuer: 'Care Identity & Co',
    });
    const url = new URL(uri);
    assert.equal(url.protocol, 'otpauth:');
    assert.equal(url.host, 'totp');
    assert.equal(decodeURIComponent(url.pathname), '/Care Identity & Co:jane.smith+ward 7@nhs.net');
    assert.equal(url.searchParams.get('issuer'), 'Care Identity & Co');
    assert.deepEqual(base32Decode(url.searchParams.get('secret')!), secret);
    assert.equal(url.searchParams.get('algorithm'), 'SHA1');
    assert.equal(url.searchParams.get('digits'), '6');
    assert.equal(url.searchParams.get('period'), '30');
    // Spaces, plus signs, ampersands and @ are percent-encoded, so no app can misread them.
    assert.ok(
      uri.startsWith('otpauth://totp/Care%20Identity%20%26%20Co:jane.smith%2Bward%207%40nhs.net?secret='),
    );
    assert.throws(() => otpauthUri({ secret, accountName: 'a:b', issuer: 'Care Identity' }), /colon/);
  });

  test('RFC 6238: time steps are 30 seconds from the Unix epoch', () => {
    assert.equal(timeStep(0), 0);
    assert.equal(timeStep(29_999), 0);
    assert.equal(timeStep(30_000), 1);
    assert.equal(timeStep(59_000), 1);
  });
});
