// The contract every authenticator method satisfies. Verification returns facts about what the
// ceremony proved; the assurance policy (src/assurance) turns facts into a level.
import type { AuthenticatorKind } from '../assurance/policy.ts';

export interface CeremonyFacts {
  kind: AuthenticatorKind;
  personId: string;
  authenticatorId: string;
}

export type VerificationFailure = 'invalid' | 'throttled' | 'locked' | 'replayed';

export type VerificationOutcome<Facts extends CeremonyFacts> =
  | { ok: true; facts: Facts }
  | { ok: false; reason: VerificationFailure; personId?: string; authenticatorId?: string };

export interface AuthenticatorMethod<Facts extends CeremonyFacts, VerifyInput, EnrolInput> {
  kind: AuthenticatorKind;
  /** Self- or RA-led registration of a new authenticator of this kind. */
  registration: {
    begin(personId: string): Promise<{ authenticatorId: string; display: Record<string, string> }>;
    finish(
      authenticatorId: string,
      input: EnrolInput,
    ): Promise<{ ok: true } | { ok: false; errors: Record<string, string> }>;
  };
  /** A sign-in ceremony: checks what the person presented and returns facts. */
  verification: {
    finish(input: VerifyInput): Promise<VerificationOutcome<Facts>>;
  };
}
