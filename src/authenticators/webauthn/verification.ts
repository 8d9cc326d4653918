// A WebAuthn sign-in: options with a stored single-use challenge; then the assertion checked
// (@simplewebauthn/server: type, challenge, origin, RP ID, UP, UV, signature) plus what the library
// leaves to the relying party: the credential belongs to an active authenticator of an active
// person, the user handle matches, BE never changes, and the signature counter never goes back
// (a cloned-key signal: refused and the authenticator suspended). Consecutive failed assertions
// of one credential are throttled and, at the cap, lock it until an RA unlocks it (NIST 800-63B-4
// §3.2.2, the same policy as every other method). Returns facts, not a level.
import {
  type AuthenticationResponseJSON,
  generateAuthenticationOptions,
  type PublicKeyCredentialRequestOptionsJSON,
  verifyAuthenticationResponse,
} from '@simplewebauthn/server';
import { isoBase64URL } from '@simplewebauthn/server/helpers';
import { findPersonById } from '../../directory/people.ts';
import type { Db } from '../../store/database.ts';
import {
  type AuthenticatorRecord,
  findAuthenticator,
  recordFailedAttempt,
  recordSuccessfulUse,
  updateAuthenticator,
} from '../authenticator-store.ts';
import { isThrottled, throttleAfterFailure } from '../password-totp/throttle.ts';
import { consumeChallenge, issueChallenge } from './challenges.ts';
import { findCredential } from './credentials.ts';
import { KIND, type WebAuthnData, type WebAuthnFacts } from './facts.ts';
import { assessAttestation } from './metadata.ts';
import { challengeOf, parseAuthenticationResponse } from './responses.ts';
import type { WebAuthnSettings } from './settings.ts';

export async function authenticationOptions(
  db: Db,
  settings: WebAuthnSettings,
  input: { binding: string; personId: string | null; allow: { id: string; transports?: string[] }[] },
): Promise<PublicKeyCredentialRequestOptionsJSON> {
  const challenge = await issueChallenge(db, {
    purpose: 'authenticate',
    binding: input.binding,
    personId: input.personId,
    ttlMs: settings.challengeTtlMs,
  });
  return generateAuthenticationOptions({
    rpID: settings.rpId,
    // As bytes: a string would be taken as UTF-8 and encoded again, and no longer match the stored one.
    challenge: isoBase64URL.toBuffer(challenge),
    timeout: settings.challengeTtlMs,
    userVerification: 'required',
    allowCredentials: input.allow,
  });
}

export type AuthenticationFailure =
  | 'malformed'
  | 'challenge'
  | 'unknown-credential'
  | 'not-active'
  | 'wrong-person'
  | 'invalid'
  | 'backup-eligibility-changed'
  | 'counter-regression'
  | 'replayed'
  | 'throttled'
  | 'locked';

export type AuthenticationOutcome =
  | { ok: true; facts: WebAuthnFacts; record: AuthenticatorRecord<WebAuthnData> }
  | {
      ok: false;
      reason: AuthenticationFailure;
      personId?: string;
      authenticatorId?: string;
      detail?: Record<string, unknown>;
    };

export async function finishAuthentication(
  db: Db,
  settings: WebAuthnSettings,
  input: { binding: string; response: string },
  nowMs: number = Date.now(),
): Promise<AuthenticationOutcome> {
  const response: AuthenticationResponseJSON | undefined = parseAuthenticationResponse(input.response);
  if (!response) return { ok: false, reason: 'malformed' };
  const challenge = challengeOf(response.response.clientDataJSON);
  const issued = challenge
    ? await consumeChallenge(db, { challenge, purpose: 'authenticate', binding: input.binding }, nowMs)
    : undefined;
  if (!challenge || !issued) return { ok: false, reason: 'challenge' };

  const index = await findCredential(db, response.id);
  if (!index) return { ok: false, reason: 'unknown-credential' };
  const who = { personId: index.personId, authenticatorId: index.authenticatorId };
  // Asked for one person's credentials (email first, or a step-up): another person's will not do.
  if (issued.personId && issued.personId !== index.personId)
    return { ok: false, reason: 'wrong-person', ...who };
  if (response.response.userHandle && response.response.userHandle !== index.userHandle) {
    return { ok: false, reason: 'wrong-person', ...who };
  }
  const record = await findAuthenticator<WebAuthnData>(db, index.authenticatorId);
  const person = await findPersonById(db, index.personId);
  if (!record || record.kind !== KIND || record.status !== 'active' || person?.status !== 'active') {
    return { ok: false, reason: 'not-active', ...who };
  }

  const standing = isThrottled(record, nowMs, settings.throttle);
  if (standing !== 'ok') {
    return {
      ok: false,
      reason: standing === 'locked' ? 'locked' : 'throttled',
      ...who,
      detail: { failed_attempts: record.failedAttempts },
    };
  }
  // A failed check of this credential's assertion: counted, and throttled by the count.
  const failed = async (reason: AuthenticationFailure, detail?: Record<string, unknown>) => {
    const { lockedUntil, locked } = throttleAfterFailure(record.failedAttempts + 1, nowMs, settings.throttle);
    await recordFailedAttempt(db, record.id, lockedUntil);
    return {
      ok: false as const,
      reason,
      ...who,
      detail: { ...detail, failed_attempts: record.failedAttempts + 1, ...(locked ? { locked: true } : {}) },
    };
  };

  let verification: Awaited<ReturnType<typeof verifyAuthenticationResponse>>;
  try {
    verification = await verifyAuthenticationResponse({
      response,
      expectedChallenge: challenge,
      expectedOrigin: settings.origins,
      expectedRPID: settings.rpId,
      expectedType: 'webauthn.get',
      requireUserVerification: true,
      // The counter is compared below, after the signature, so only a genuine key can raise the alarm.
      credential: {
        id: record.data.credentialId,
        publicKey: isoBase64URL.toBuffer(record.data.publicKey),
        counter: 0,
        transports: record.data.transports,
      },
    });
  } catch (error) {
    return failed('invalid', { error: (error as Error).message });
  }
  if (!verification.verified) return failed('invalid');
  const info = verification.authenticationInfo;

  const backupEligible = info.credentialDeviceType === 'multiDevice';
  if (backupEligible !== record.data.backupEligible) return failed('backup-eligibility-changed');
  const stored = record.data.counter;
  if ((info.newCounter !== 0 || stored !== 0) && info.newCounter <= stored) {
    await updateAuthenticator(db, record.id, { status: 'suspended' });
    return {
      ok: false,
      reason: 'counter-regression',
      ...who,
      detail: { stored_counter: stored, presented_counter: info.newCounter },
    };
  }

  const updated: WebAuthnData = {
    ...record.data,
    counter: info.newCounter,
    backedUp: info.credentialBackedUp,
  };
  // Conditional on the record read above: of two uses of one assertion state, one wins.
  if (!(await recordSuccessfulUse(db, record, updated, nowMs)))
    return { ok: false, reason: 'replayed', ...who };

  const attestation = assessAttestation(settings.anchors, {
    format: record.data.attestationFormat,
    aaguid: record.data.aaguid,
    chain: record.data.attestationChain,
  });
  return {
    ok: true,
    record,
    facts: {
      kind: 'webauthn',
      ...who,
      userPresent: true,
      userVerified: info.userVerified,
      backupEligible,
      backedUp: info.credentialBackedUp,
      attestation,
    },
  };
}
