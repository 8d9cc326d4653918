import type { CeremonyFacts } from '../types.ts';

/** What a password + TOTP ceremony proved. */
export interface PasswordTotpFacts extends CeremonyFacts {
  kind: 'password-totp';
  passwordVerified: boolean;
  otpVerified: boolean;
  /** The RFC 6238 time step of the accepted code, stored so it is never accepted again. */
  otpStep: number;
}

/** Stored per authenticator; the TOTP seed is sealed. */
export interface PasswordTotpData {
  passwordHash?: string;
  totpSecretSealed: string;
  lastUsedStep: number | null;
}

export function totpSealContext(authenticatorId: string): string {
  return `authenticators.totp:${authenticatorId}`;
}
