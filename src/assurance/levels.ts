// Facts → level. Each method's facts are judged here, not in the method, so the policy can be
// read (and tested) in one place. A ceremony that proves less than a kind's maximum gets less.
import type { PasswordTotpFacts } from '../authenticators/password-totp/facts.ts';
import { authenticatorKinds, type Level } from './policy.ts';

export type AnyFacts = PasswordTotpFacts;

export interface Decision {
  level: Level | 0;
  amr: string[];
}

export function decideLevel(facts: AnyFacts): Decision {
  switch (facts.kind) {
    case 'password-totp': {
      // NIST 800-63B-4 §2.2.1: memorised secret + single-factor OTP device = AAL2.
      const proven = facts.passwordVerified && facts.otpVerified;
      const policy = authenticatorKinds['password-totp'];
      return proven ? { level: policy.maxLevel, amr: [...policy.amr] } : { level: 0, amr: [] };
    }
  }
}
