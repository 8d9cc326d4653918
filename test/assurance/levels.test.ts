// Facts → level for WebAuthn (issue 3; security-requirements §1.6, §1.9, §6.2): every combination
// of the facts that matter, and the rule that a synced credential never reaches AAL3.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { decideLevel, webauthnKind } from '../../src/assurance/levels.ts';
import type { WebAuthnFacts } from '../../src/authenticators/webauthn/facts.ts';

function facts(
  overrides: Partial<WebAuthnFacts> & {
    trusted?: boolean;
    format?: string;
    attached?: 'platform' | 'cross-platform' | null;
  },
): WebAuthnFacts {
  const { trusted = true, format = 'packed', attached = 'cross-platform', ...rest } = overrides;
  return {
    kind: 'webauthn',
    personId: '123456789012',
    authenticatorId: 'a',
    userPresent: true,
    userVerified: true,
    backupEligible: false,
    backedUp: false,
    attestation: {
      format,
      aaguid: '01020304-0506-0708-0102-030405060708',
      trusted,
      attestedAttachment: trusted ? attached : null,
      model: trusted ? 'model' : null,
    },
    ...rest,
  };
}

test('§6.2: a device-bound, user-verified roaming key with trusted packed attestation is a security key at AAL3, amr FIDO2', () => {
  assert.deepEqual(decideLevel(facts({})), { level: 3, amr: ['FIDO2'], kind: 'security-key' });
  assert.equal(webauthnKind(facts({ format: 'fido-u2f' })), 'security-key');
});

test('§6.2: a device-bound platform authenticator with trusted tpm attestation is Windows Hello at AAL3', () => {
  assert.deepEqual(decideLevel(facts({ format: 'tpm', attached: 'platform' })), {
    level: 3,
    amr: ['FIDO2'],
    kind: 'windows-hello',
  });
});

test('§1.9: attestation that proves no allowed model makes any credential a passkey at AAL2', () => {
  assert.deepEqual(decideLevel(facts({ trusted: false })), { level: 2, amr: ['PASSKEY'], kind: 'passkey' });
  assert.equal(webauthnKind(facts({ format: 'none', trusted: false })), 'passkey');
  assert.equal(
    webauthnKind(facts({ format: 'tpm', attached: 'cross-platform' })),
    'passkey',
    'tpm on a roaming key',
  );
  assert.equal(
    webauthnKind(facts({ format: 'packed', attached: 'platform' })),
    'passkey',
    'packed from a platform',
  );
  assert.equal(webauthnKind(facts({ attached: null })), 'passkey', 'model says nothing of its attachment');
});

test('§1.6: a backup-eligible or synced credential is a passkey at AAL2 even with trusted attestation', () => {
  assert.equal(decideLevel(facts({ backupEligible: true })).level, 2);
  assert.equal(decideLevel(facts({ backupEligible: true, backedUp: true })).kind, 'passkey');
  assert.equal(decideLevel(facts({ format: 'tpm', attached: 'platform', backupEligible: true })).level, 2);
});

test('§1.6: without user verification (or presence) nothing is proven', () => {
  assert.deepEqual(decideLevel(facts({ userVerified: false })), { level: 0, amr: [] });
  assert.deepEqual(decideLevel(facts({ userPresent: false })), { level: 0, amr: [] });
});

test('App. B (property): no credential with BE=1 or BS=1 ever reaches AAL3', () => {
  fc.assert(
    fc.property(
      fc.record({
        userPresent: fc.boolean(),
        userVerified: fc.boolean(),
        backupEligible: fc.boolean(),
        backedUp: fc.boolean(),
        trusted: fc.boolean(),
        format: fc.constantFrom('packed', 'tpm', 'fido-u2f', 'none', 'apple', 'android-key'),
        attached: fc.constantFrom('platform' as const, 'cross-platform' as const, null),
      }),
      (input) => {
        const decision = decideLevel(facts(input));
        if (input.backupEligible || input.backedUp) assert.ok(decision.level <= 2);
        if (!input.trusted) assert.ok(decision.level <= 2);
        if (!input.userVerified || !input.userPresent) assert.equal(decision.level, 0);
      },
    ),
  );
});
