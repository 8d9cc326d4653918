// The assurance policy as data (issue 3, cis2 §8.2): every authenticator kind × every acr class ×
// every client minimum, against an expectation table written out here by hand.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  type AcrValue,
  type AuthenticatorKind,
  authenticatorKinds,
  supportedAcrValues,
} from '../../src/assurance/policy.ts';
import {
  acrFor,
  kindsThatCanMeet,
  methodsThatCanMeet,
  requirementFor,
} from '../../src/assurance/requirement.ts';

/** Which classes each kind satisfies on its own (cis2 §8.2, §8.3; DESIGN §2). */
const satisfied: Record<AuthenticatorKind, AcrValue[]> = {
  'password-totp': ['AAL2_OR_AAL3_ANY', 'AAL2_ANY', 'AAL2_TOTP'],
  passkey: ['AAL2_OR_AAL3_ANY', 'AAL2_ANY'],
  'windows-hello': ['AAL3_ANY', 'AAL2_OR_AAL3_ANY', 'AAL2_ANY', 'AAL3_FIDO2'],
  'security-key': ['AAL3_ANY', 'AAL2_OR_AAL3_ANY', 'AAL2_ANY', 'AAL3_FIDO2'],
};

const classLevel = (acr: AcrValue) => (acr.startsWith('AAL3') ? 3 : 2);

test('cis2 §8.2: the policy covers every CIS2 class and the four kinds with their levels and amr', () => {
  assert.deepEqual([...supportedAcrValues].sort(), [
    'AAL2_ANY',
    'AAL2_NHSMAIL',
    'AAL2_OR_AAL3_ANY',
    'AAL2_TOTP',
    'AAL3_ANY',
    'AAL3_CIS2_SMARTCARD',
    'AAL3_FIDO2',
    'AAL3_IOS',
    'AAL3_N3_SMARTCARD',
    'AAL3_SMARTCARD',
  ]);
  assert.deepEqual(
    Object.fromEntries(Object.entries(authenticatorKinds).map(([k, v]) => [k, [v.maxLevel, v.amr.join()]])),
    {
      'password-totp': [2, 'TOTP'],
      passkey: [2, 'PASSKEY'],
      'windows-hello': [3, 'FIDO2'],
      'security-key': [3, 'FIDO2'],
    },
  );
});

for (const kind of Object.keys(authenticatorKinds) as AuthenticatorKind[]) {
  for (const minimum of [2, 3] as const) {
    test(`issue 3 policy: ${kind} against every acr class for a client with minimum AAL${minimum}`, () => {
      const { maxLevel, amr } = authenticatorKinds[kind];
      for (const acr of supportedAcrValues) {
        const requirement = requirementFor(acr, minimum);
        // A class below the client's minimum is replaced by the client's default (cis2 §8.4).
        const effective = classLevel(acr) >= minimum ? acr : minimum === 3 ? 'AAL3_ANY' : 'AAL2_OR_AAL3_ANY';
        assert.deepEqual(requirement.acrs, [effective], `${acr} → candidates`);
        const expected = satisfied[kind].includes(effective) ? effective : undefined;
        assert.equal(
          acrFor(requirement, { level: maxLevel, amr }),
          expected,
          `${kind} for ${acr} (min ${minimum})`,
        );
        assert.equal(
          kindsThatCanMeet(requirement).includes(kind),
          expected !== undefined,
          `${kind} offered for ${acr} (min ${minimum})`,
        );
      }
    });
  }
}

test('issue 3: a level below a kind maximum never satisfies more (an unproven WebAuthn credential is AAL2 at most)', () => {
  for (const acr of supportedAcrValues) {
    const requirement = requirementFor(acr, 2);
    if (acrFor(requirement, { level: 2, amr: ['FIDO2'] }))
      assert.equal(classLevel(requirement.acrs[0]!), 2, acr);
  }
});

test('issue 3: the page offers only the sign-in methods whose kinds this deployment can produce', () => {
  const aal3 = requirementFor('AAL3_ANY', 3);
  assert.deepEqual(
    methodsThatCanMeet(aal3, ['password-totp', 'passkey']),
    [],
    'no AAL3 kind without trust anchors',
  );
  assert.deepEqual(methodsThatCanMeet(aal3, ['password-totp', 'passkey', 'security-key']), ['webauthn']);
  const aal2 = requirementFor('AAL2_OR_AAL3_ANY', 2);
  assert.deepEqual(methodsThatCanMeet(aal2, ['password-totp', 'passkey']), ['password-totp', 'webauthn']);
  assert.deepEqual(methodsThatCanMeet(requirementFor('AAL2_TOTP', 2)), ['password-totp']);
  assert.deepEqual(methodsThatCanMeet(requirementFor('AAL3_FIDO2', 3)), ['webauthn']);
});
