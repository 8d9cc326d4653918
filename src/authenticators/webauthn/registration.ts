// Registering a WebAuthn credential: options with a stored single-use challenge, then the
// response checked (@simplewebauthn/server: type, challenge, origin, RP ID, UP, UV, alg, BE/BS,
// attestation signature) and its attestation judged against local metadata. The person says what
// they mean to register; the facts decide what it is, and an AAL3 intent that the facts do not
// prove is refused rather than stored at a lower level than the person expects.
import {
  generateRegistrationOptions,
  type PublicKeyCredentialCreationOptionsJSON,
  verifyRegistrationResponse,
} from '@simplewebauthn/server';
import { decodeAttestationObject, isoBase64URL } from '@simplewebauthn/server/helpers';
import { decideLevel } from '../../assurance/levels.ts';
import type { AuthenticatorKind } from '../../assurance/policy.ts';
import type { Db } from '../../store/database.ts';
import { createAuthenticator } from '../authenticator-store.ts';
import { consumeChallenge, issueChallenge } from './challenges.ts';
import { findCredential, registeredCredentials, userHandleFor } from './credentials.ts';
import { KIND, type WebAuthnAttachment, type WebAuthnData, type WebAuthnFacts } from './facts.ts';
import { assessAttestation } from './metadata.ts';
import { challengeOf, parseRegistrationResponse } from './responses.ts';
import type { WebAuthnSettings } from './settings.ts';

export type WebAuthnIntent = 'passkey' | 'windows-hello' | 'security-key';

export const webauthnIntents: readonly WebAuthnIntent[] = ['passkey', 'windows-hello', 'security-key'];

export function isWebAuthnIntent(value: unknown): value is WebAuthnIntent {
  return typeof value === 'string' && (webauthnIntents as readonly string[]).includes(value);
}

// ES256, EdDSA, RS256 (TPMs often sign with RSA).
export const SUPPORTED_ALGORITHMS = [-7, -8, -257];

export interface RegistrationPerson {
  id: string;
  email: string;
  displayName: string;
}

export async function registrationOptions(
  db: Db,
  settings: WebAuthnSettings,
  input: { person: RegistrationPerson; intent: WebAuthnIntent; binding: string },
): Promise<PublicKeyCredentialCreationOptionsJSON> {
  const existing = await registeredCredentials(db, input.person.id);
  const userHandle = await userHandleFor(db, input.person.id);
  const challenge = await issueChallenge(db, {
    purpose: 'register',
    binding: input.binding,
    personId: input.person.id,
    userHandle,
    ttlMs: settings.challengeTtlMs,
  });
  const aal3 = input.intent !== 'passkey';
  return generateRegistrationOptions({
    rpName: settings.rpName,
    rpID: settings.rpId,
    userName: input.person.email,
    userDisplayName: input.person.displayName,
    userID: isoBase64URL.toBuffer(userHandle),
    // As bytes: a string would be taken as UTF-8 and encoded again, and no longer match the stored one.
    challenge: isoBase64URL.toBuffer(challenge),
    timeout: settings.challengeTtlMs,
    // AAL3 needs the model's attestation; a passkey needs none (and synced ones rarely give one).
    attestationType: aal3 ? 'direct' : 'none',
    excludeCredentials: existing.map((record) => ({
      id: record.data.credentialId,
      transports: record.data.transports,
    })),
    authenticatorSelection: {
      residentKey: input.intent === 'security-key' ? 'preferred' : 'required',
      userVerification: 'required',
      ...(input.intent === 'windows-hello' ? { authenticatorAttachment: 'platform' as const } : {}),
      ...(input.intent === 'security-key' ? { authenticatorAttachment: 'cross-platform' as const } : {}),
    },
    supportedAlgorithmIDs: SUPPORTED_ALGORITHMS,
  });
}

export type RegistrationRefusal =
  | 'malformed'
  | 'challenge'
  | 'invalid'
  | 'already-registered'
  | 'not-aal3'
  | 'not-verified';

export type RegistrationOutcome =
  | {
      ok: true;
      authenticatorId: string;
      kind: AuthenticatorKind;
      level: number;
      facts: WebAuthnFacts;
    }
  | { ok: false; reason: RegistrationRefusal; detail?: string; kind?: AuthenticatorKind };

export async function finishRegistration(
  db: Db,
  settings: WebAuthnSettings,
  input: { personId: string; intent: WebAuthnIntent; binding: string; response: string; label: string },
  nowMs: number = Date.now(),
): Promise<RegistrationOutcome> {
  const response = parseRegistrationResponse(input.response);
  if (!response) return { ok: false, reason: 'malformed' };
  const challenge = challengeOf(response.response.clientDataJSON);
  const issued = challenge
    ? await consumeChallenge(db, { challenge, purpose: 'register', binding: input.binding }, nowMs)
    : undefined;
  if (!challenge || !issued || issued.personId !== input.personId) return { ok: false, reason: 'challenge' };

  let verification: Awaited<ReturnType<typeof verifyRegistrationResponse>>;
  try {
    verification = await verifyRegistrationResponse({
      response,
      expectedChallenge: challenge,
      expectedOrigin: settings.origins,
      expectedRPID: settings.rpId,
      expectedType: 'webauthn.create',
      requireUserPresence: true,
      requireUserVerification: true,
      supportedAlgorithmIDs: SUPPORTED_ALGORITHMS,
    });
  } catch (error) {
    return { ok: false, reason: 'invalid', detail: (error as Error).message };
  }
  if (!verification.verified) return { ok: false, reason: 'invalid' };
  const info = verification.registrationInfo;
  if (await findCredential(db, info.credential.id)) return { ok: false, reason: 'already-registered' };

  const attStmt = decodeAttestationObject(isoBase64URL.toBuffer(response.response.attestationObject)).get(
    'attStmt',
  );
  const chain = (attStmt.get('x5c') ?? []).map((cert) => Buffer.from(cert).toString('base64'));
  const attestation = assessAttestation(settings.anchors, { format: info.fmt, aaguid: info.aaguid, chain });
  const backupEligible = info.credentialDeviceType === 'multiDevice';
  const facts: Omit<WebAuthnFacts, 'authenticatorId'> = {
    kind: 'webauthn',
    personId: input.personId,
    userPresent: true,
    userVerified: info.userVerified,
    backupEligible,
    backedUp: info.credentialBackedUp,
    attestation,
  };
  const decision = decideLevel({ ...facts, authenticatorId: '' });
  if (decision.level === 0 || !decision.kind) return { ok: false, reason: 'not-verified' };
  if (input.intent !== 'passkey' && decision.level < 3) {
    return {
      ok: false,
      reason: 'not-aal3',
      kind: decision.kind,
      detail: `format ${info.fmt}, AAGUID ${info.aaguid}, ${chain.length} certificates, trusted ${attestation.trusted}, BE ${backupEligible}`,
    };
  }

  const data: WebAuthnData = {
    credentialId: info.credential.id,
    publicKey: isoBase64URL.fromBuffer(info.credential.publicKey),
    counter: info.credential.counter,
    transports: info.credential.transports ?? response.response.transports ?? [],
    backupEligible,
    backedUp: info.credentialBackedUp,
    attachment: (response.authenticatorAttachment as WebAuthnAttachment | undefined) ?? null,
    attestationFormat: info.fmt,
    aaguid: info.aaguid,
    attestationChain: chain,
  };
  const userHandle = issued.userHandle ?? (await userHandleFor(db, input.personId));
  const authenticatorId = await db.transaction().execute(async (trx) => {
    const id = await createAuthenticator(trx, {
      personId: input.personId,
      kind: KIND,
      label: input.label,
      status: 'active',
      data,
    });
    await trx
      .insertInto('webauthn_credentials')
      .values({
        credential_id: data.credentialId,
        authenticator_id: id,
        person_id: input.personId,
        user_handle: userHandle,
        created_at: nowMs,
      })
      .execute();
    return id;
  });
  return {
    ok: true,
    authenticatorId,
    kind: decision.kind,
    level: decision.level,
    facts: { ...facts, authenticatorId },
  };
}
