import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import {
  checkNewPassword,
  normalisePassword,
  PASSWORD_MAX_LENGTH,
  PASSWORD_MIN_LENGTH,
} from '../../../src/authenticators/password-totp/password-policy.ts';

// Read the list independently of the module under test, so the properties can steer around it.
const listText = readFileSync(
  new URL('../../../src/authenticators/password-totp/common-passwords.txt', import.meta.url),
  'utf8',
);
const listed = listText.split('\n').filter((line) => line !== '' && !line.startsWith('#'));
const listedSet = new Set(listed);

const codePoints = (value: string) => [...normalisePassword(value)].length;
const notListed = (value: string) => !listedSet.has(normalisePassword(value).toLowerCase());

describe('password policy', () => {
  test('NIST 800-63B-4 §3.1.1.2: rejects passwords shorter than 8 characters', () => {
    for (const password of ['', 'a', 'Tr0ub4!', '       ']) {
      const result = checkNewPassword(password);
      assert.equal(result.ok, false);
      assert.ok(!result.ok);
      assert.equal(result.problem, 'too_short');
      assert.equal(result.message, 'Your password must be at least 8 characters');
    }
    assert.equal(PASSWORD_MIN_LENGTH, 8);
  });

  test('NIST 800-63B-4 §3.1.1.2: accepts a password of exactly 8 characters', () => {
    assert.deepEqual(checkNewPassword('kx7vqpzm'), { ok: true });
  });

  test('NIST 800-63B-4 §3.1.1.2: each code point counts as one character, after NFKC normalisation', () => {
    // 8 accented letters typed as letter + combining accent: 16 code points raw, 8 after NFKC.
    assert.deepEqual(checkNewPassword('e\u0301'.repeat(8)), { ok: true });
    const sevenDecomposed = checkNewPassword('e\u0301'.repeat(7));
    assert.ok(!sevenDecomposed.ok);
    assert.equal(sevenDecomposed.problem, 'too_short');
    // Astral characters (emoji) are one code point each, though two UTF-16 units.
    assert.deepEqual(checkNewPassword('🔑🏥🩺💊🚑🧬🦷🫀'), { ok: true });
    const sevenEmoji = checkNewPassword('🔑🏥🩺💊🚑🧬🦷');
    assert.ok(!sevenEmoji.ok);
    assert.equal(sevenEmoji.problem, 'too_short');
  });

  test('NIST 800-63B-4 §3.1.1.2: normalises with NFKC', () => {
    assert.equal(normalisePassword('ﬁve'), 'five');
    assert.equal(normalisePassword('e\u0301'), '\u00e9');
    assert.equal(normalisePassword('Ａｂｃ'), 'Abc');
  });

  test('NIST 800-63B-4 §3.1.1.2: accepts passwords of 64 characters and up to 256', () => {
    assert.deepEqual(checkNewPassword('correct horse battery staple and a long sentence about the ward'), {
      ok: true,
    });
    assert.deepEqual(checkNewPassword('x'.repeat(64)), { ok: true });
    assert.deepEqual(checkNewPassword('y'.repeat(PASSWORD_MAX_LENGTH)), { ok: true });
  });

  test('NIST 800-63B-4 §3.1.1.2: rejects passwords over 256 characters with a reason', () => {
    const result = checkNewPassword('z'.repeat(PASSWORD_MAX_LENGTH + 1));
    assert.ok(!result.ok);
    assert.equal(result.problem, 'too_long');
    assert.equal(result.message, 'Your password must be 256 characters or fewer');
  });

  test('NIST 800-63B-4 §3.1.1.2: rejects common passwords, saying why', () => {
    for (const password of [
      'password',
      'Password',
      'PASSWORD',
      'password1',
      'qwerty123',
      'iloveyou',
      'trustno1',
    ]) {
      const result = checkNewPassword(password);
      assert.ok(!result.ok, password);
      assert.equal(result.problem, 'common');
      assert.equal(result.message, 'This password is too common. Choose a different one');
    }
  });

  test('NIST 800-63B-4 §3.1.1.2: compares the whole password, not parts of it', () => {
    // Contains a listed password, but is not one: a longer passphrase is fine.
    assert.deepEqual(checkNewPassword('password is not my password'), { ok: true });
    assert.deepEqual(checkNewPassword('jane.smith rides a bicycle'), { ok: true });
  });

  test('ASVS 6.2.4: the blocklist holds at least 3,000 common passwords that meet the length policy', () => {
    assert.ok(listed.length >= 3000, `only ${listed.length} entries`);
    for (const password of listed) {
      assert.ok(codePoints(password) >= PASSWORD_MIN_LENGTH, password);
      assert.ok(!checkNewPassword(password).ok, password);
    }
    assert.match(listText, /^# .*Source: npm package @zxcvbn-ts\/language-common/m);
    assert.match(listText, /^# .*Licence: MIT/m);
  });

  test('NIST 800-63B-4 §3.1.1.2: rejects the email address, its local part and the person’s names', () => {
    const context = { email: 'Jane.Smith@nhs.net', names: ['Jane', 'Smith-Jones'] };
    for (const password of [
      'jane.smith@nhs.net',
      'JANE.SMITH@NHS.NET',
      'jane.smith',
      'smith-jones',
      'jane smith-jones',
    ]) {
      const result = checkNewPassword(password, context);
      assert.ok(!result.ok, password);
      assert.equal(result.problem, 'context');
      assert.equal(
        result.message,
        'Your password must not be your email address or your name. Choose a different one',
      );
    }
    assert.deepEqual(checkNewPassword('janesmith-jones', { names: ['Jane', 'Smith-Jones'] }).ok, false);
    assert.deepEqual(checkNewPassword('jane.smith.nhs', context), { ok: true });
    assert.deepEqual(checkNewPassword('jane.smith', {}), { ok: true });
    assert.deepEqual(checkNewPassword('jane.smith', { names: ['', ' '] }), { ok: true });
  });

  test('NIST 800-63B-4 §3.1.1.2 (property): any 8+ code points not on the list and not the person’s details is accepted', () => {
    const contextArb = fc.record({
      email: fc.emailAddress(),
      names: fc.array(fc.string({ minLength: 1, maxLength: 20 }), { maxLength: 3 }),
    });
    const passwordArb = fc.oneof(
      fc.string({ minLength: 8, maxLength: 80 }),
      fc.string({ unit: 'binary', minLength: 8, maxLength: 80 }),
      fc.string({ unit: 'grapheme', minLength: 8, maxLength: 40 }),
    );
    fc.assert(
      fc.property(passwordArb, contextArb, (password, context) => {
        const length = codePoints(password);
        fc.pre(length >= PASSWORD_MIN_LENGTH && length <= PASSWORD_MAX_LENGTH && notListed(password));
        const lower = normalisePassword(password).toLowerCase();
        const details = [context.email, context.email.split('@')[0] ?? '', ...context.names].map((v) =>
          normalisePassword(v).trim().toLowerCase(),
        );
        fc.pre(
          !details.includes(lower) &&
            lower !== details.slice(2).join(' ') &&
            lower !== details.slice(2).join(''),
        );
        assert.deepEqual(checkNewPassword(password, context), { ok: true });
      }),
      { numRuns: 500 },
    );
  });

  test('NIST 800-63B-4 §3.1.1.2 (property): composition never matters (no rules on character classes)', () => {
    const classes = [
      'abcdefghijklmnopqrstuvwxyz',
      'ABCDEFGHIJKLMNOPQRSTUVWXYZ',
      '0123456789',
      ' !"#$%&\'()*+,-./:;<=>?@[]^_{|}~',
      'äöüßéñçøæ',
    ];
    const singleClass = fc
      .constantFrom(...classes)
      .chain((chars) => fc.string({ unit: fc.constantFrom(...chars), minLength: 8, maxLength: 64 }));
    fc.assert(
      fc.property(singleClass, (password) => {
        fc.pre(notListed(password));
        assert.deepEqual(checkNewPassword(password), { ok: true });
      }),
      { numRuns: 500 },
    );
  });

  test('NIST 800-63B-4 §3.1.1.2 (property): a blocklisted password is rejected in any letter case', () => {
    const recased = fc
      .tuple(fc.constantFrom(...listed), fc.array(fc.boolean(), { minLength: 64, maxLength: 64 }))
      .map(([password, upper]) => [...password].map((c, i) => (upper[i] ? c.toUpperCase() : c)).join(''));
    fc.assert(
      fc.property(recased, (password) => {
        const result = checkNewPassword(password);
        assert.ok(!result.ok);
        assert.equal(result.problem, 'common');
      }),
      { numRuns: 1000 },
    );
  });

  test('NIST 800-63B-4 §3.1.1.2 (property): 64-character passwords are accepted', () => {
    const ascii = fc.string({ minLength: 64, maxLength: 64 });
    const unicode = fc.string({ unit: 'binary', minLength: 64, maxLength: 64 });
    fc.assert(
      fc.property(fc.oneof(ascii, unicode), (password) => {
        fc.pre(codePoints(password) === 64);
        assert.deepEqual(checkNewPassword(password), { ok: true });
      }),
      { numRuns: 300 },
    );
  });
});
