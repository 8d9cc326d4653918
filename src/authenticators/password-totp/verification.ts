// Microsoft Authenticator sign-in: email + password + 6-digit TOTP. Every failure looks the same
// from outside (no account enumeration); both secrets are always checked so timing reveals
// nothing about which one was wrong.
import { findPersonByEmail } from '../../directory/people.ts';
import type { Db } from '../../store/database.ts';
import type { Sealer } from '../../store/sealer.ts';
import { listAuthenticators, recordFailedAttempt, recordSuccessfulUse } from '../authenticator-store.ts';
import type { VerificationOutcome } from '../types.ts';
import { type PasswordTotpData, type PasswordTotpFacts, totpSealContext } from './facts.ts';
import { burnPasswordCheck, verifyPassword } from './password-hash.ts';
import { isThrottled, type ThrottlePolicy, throttleAfterFailure } from './throttle.ts';
import { base32Decode, verifyTotp } from './totp.ts';

export interface PasswordTotpInput {
  email: string;
  password: string;
  code: string;
}

export interface PasswordTotpDependencies {
  db: Db;
  sealer: Sealer;
  throttle: ThrottlePolicy;
}

export async function verifyPasswordTotp(
  { db, sealer, throttle }: PasswordTotpDependencies,
  input: PasswordTotpInput,
  nowMs: number = Date.now(),
): Promise<VerificationOutcome<PasswordTotpFacts>> {
  const person = await findPersonByEmail(db, input.email);
  const [record] =
    person?.status === 'active'
      ? await listAuthenticators<PasswordTotpData>(db, person.id, { kind: 'password-totp', status: 'active' })
      : [];
  if (!person || !record?.data.passwordHash) {
    await burnPasswordCheck(input.password);
    return { ok: false, reason: 'invalid', ...(person ? { personId: person.id } : {}) };
  }
  const who = { personId: person.id, authenticatorId: record.id };
  const standing = isThrottled(record, nowMs, throttle);
  if (standing !== 'ok') {
    await burnPasswordCheck(input.password);
    return { ok: false, reason: standing === 'locked' ? 'locked' : 'throttled', ...who };
  }

  const secret = base32Decode(sealer.open(record.data.totpSecretSealed, totpSealContext(record.id)));
  const passwordVerified = await verifyPassword(record.data.passwordHash, input.password);
  const otp = verifyTotp(secret, input.code, { nowMs, lastUsedStep: record.data.lastUsedStep });

  if (passwordVerified && otp.ok) {
    const won = await recordSuccessfulUse(db, record, { ...record.data, lastUsedStep: otp.step }, nowMs);
    if (!won) return { ok: false, reason: 'replayed', ...who };
    return {
      ok: true,
      facts: { kind: 'password-totp', ...who, passwordVerified, otpVerified: true, otpStep: otp.step },
    };
  }
  const { lockedUntil } = throttleAfterFailure(record.failedAttempts + 1, nowMs, throttle);
  await recordFailedAttempt(db, record.id, lockedUntil);
  return {
    ok: false,
    reason: !otp.ok && otp.reason === 'replayed' && passwordVerified ? 'replayed' : 'invalid',
    ...who,
  };
}
