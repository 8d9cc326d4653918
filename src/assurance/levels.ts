// Facts → level. Each method's facts are judged here, not in the method, so the policy can be
// read (and tested) in one place. A ceremony that proves less than a kind's maximum gets less.
import type { PasswordTotpFacts } from '../authenticators/password-totp/facts.ts';
import type { WebAuthnFacts } from '../authenticators/webauthn/facts.ts';
import { type AuthenticatorKind, authenticatorKinds, type Level } from './policy.ts';

export type AnyFacts = PasswordTotpFacts | WebAuthnFacts;

export interface Decision {
  level: Level | 0;
  amr: string[];
  /** The kind the facts showed (for WebAuthn, one of three); absent when nothing was proven. */
  kind?: AuthenticatorKind;
}

const notProven: Decision = { level: 0, amr: [] };

function decided(kind: AuthenticatorKind): Decision {
  const policy = authenticatorKinds[kind];
  return { level: policy.maxLevel, amr: [...policy.amr], kind };
}

/**
 * Which WebAuthn kind a credential is. AAL3 needs a device-bound key (BE=0) whose attestation
 * chains to a root of an allow-listed model: `tpm` from a platform authenticator is Windows Hello,
 * `packed`/`fido-u2f` from a roaming one is a security key. Everything else is a passkey (AAL2):
 * a synced credential never reaches AAL3 (NIST 800-63B-4 App. B), whatever the person chose.
 */
export function webauthnKind(facts: Pick<WebAuthnFacts, 'backupEligible' | 'backedUp' | 'attestation'>) {
  const { attestation } = facts;
  if (facts.backupEligible || facts.backedUp || !attestation.trusted) return 'passkey';
  if (attestation.format === 'tpm' && attestation.attestedAttachment === 'platform') return 'windows-hello';
  if (
    (attestation.format === 'packed' || attestation.format === 'fido-u2f') &&
    attestation.attestedAttachment === 'cross-platform'
  ) {
    return 'security-key';
  }
  return 'passkey';
}

export function decideLevel(facts: AnyFacts): Decision {
  switch (facts.kind) {
    case 'password-totp': {
      // NIST 800-63B-4 §2.2.1: memorised secret + single-factor OTP device = AAL2.
      const proven = facts.passwordVerified && facts.otpVerified;
      return proven ? decided('password-totp') : notProven;
    }
    case 'webauthn': {
      // UV is required: without it the key is single-factor (App. B), which no CIS2 class accepts.
      if (!facts.userPresent || !facts.userVerified) return notProven;
      return decided(webauthnKind(facts));
    }
  }
}
