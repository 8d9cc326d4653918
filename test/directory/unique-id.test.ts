import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { isUniqueId, newUniqueId } from '../../src/directory/unique-id.ts';

describe('newUniqueId', () => {
  test('is always 12 decimal digits with a non-zero first digit', () => {
    fc.assert(
      fc.property(fc.integer(), () => /^[1-9]\d{11}$/.test(newUniqueId())),
      { numRuns: 20_000 },
    );
  });

  test('does not repeat in practice', () => {
    const ids = new Set(Array.from({ length: 10_000 }, () => newUniqueId()));
    assert.equal(ids.size, 10_000);
  });

  test('isUniqueId accepts exactly 12 digits', () => {
    fc.assert(fc.property(fc.stringMatching(/^\d{12}$/), (id) => isUniqueId(id)));
    for (const bad of ['', '12345678901', '1234567890123', '12345678901a', ' 123456789012', 123456789012]) {
      assert.equal(isUniqueId(bad), false, String(bad));
    }
  });
});
