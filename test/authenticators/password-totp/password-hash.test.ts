import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseOptions, verify } from '@node-rs/argon2';
import {
  burnPasswordCheck,
  hashPassword,
  UNKNOWN_ACCOUNT_HASH,
  verifyPassword,
} from '../../../src/authenticators/password-totp/password-hash.ts';

describe('password hashing', () => {
  test('NIST 800-63B-4 §3.1.1.2: a stored hash verifies its own password', async () => {
    const stored = await hashPassword('correct horse battery staple');
    assert.equal(await verifyPassword(stored, 'correct horse battery staple'), true);
  });

  test('NIST 800-63B-4 §3.1.1.2, ASVS 6.2.8: a wrong password does not verify; the whole password is checked', async () => {
    const password = 'a very long passphrase '.repeat(8);
    const stored = await hashPassword(password);
    assert.equal(await verifyPassword(stored, 'correct horse battery stapler'), false);
    // No truncation: changing only the last character changes the result.
    assert.equal(await verifyPassword(stored, `${password.slice(0, -1)}!`), false);
    // No case folding either.
    assert.equal(await verifyPassword(stored, password.toUpperCase()), false);
    assert.equal(await verifyPassword(stored, password), true);
  });

  test('NIST 800-63B-4 §3.1.1.2: salted, so the same password hashes differently each time', async () => {
    const [a, b] = await Promise.all([hashPassword('same password'), hashPassword('same password')]);
    assert.notEqual(a, b);
  });

  test('NIST 800-63B-4 §3.1.1.2: normalises (NFKC) before hashing and verifying', async () => {
    const stored = await hashPassword('caf\u00e9 au lait');
    assert.equal(await verifyPassword(stored, 'cafe\u0301 au lait'), true);
  });

  test('NIST 800-63B-4 §3.1.1.2: a malformed stored hash verifies as false and never throws', async () => {
    for (const bad of [
      '',
      'not a hash',
      '$argon2id$v=19$m=19456,t=2,p=1$',
      '$2b$10$abcdefghijklmnopqrstuv',
    ]) {
      assert.equal(await verifyPassword(bad, 'whatever it is'), false);
    }
  });

  test('OWASP password storage: the hash is argon2id with m=19456, t=2, p=1', async () => {
    const stored = await hashPassword('parameters check');
    assert.match(stored, /^\$argon2id\$v=19\$m=19456,t=2,p=1\$[A-Za-z0-9+/]+\$[A-Za-z0-9+/]+$/);
    const options = parseOptions(stored);
    assert.equal(options.memoryCost, 19456);
    assert.equal(options.timeCost, 2);
    assert.equal(options.parallelism, 1);
    assert.ok(options.saltLen >= 16, 'salt of at least 128 bits (NIST asks for 32)');
  });

  test('ASVS 6.3.8: an unknown account is checked against a real argon2id hash at the same parameters', async () => {
    // Equal work for known and unknown accounts follows from verifying a well-formed hash with the
    // same parameters; speed itself is measured by the benchmark, never asserted here.
    assert.deepEqual(
      parseOptions(UNKNOWN_ACCOUNT_HASH),
      parseOptions(await hashPassword('any password at all')),
    );
    assert.equal(
      await verify(UNKNOWN_ACCOUNT_HASH, 'timing guess'),
      false,
      'a well-formed hash: verify runs, no throw',
    );
    assert.equal(await burnPasswordCheck('anything'), undefined);
  });
});
