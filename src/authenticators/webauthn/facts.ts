// What WebAuthn ceremonies prove, and what is stored per credential. The three kinds (passkey,
// Windows Hello, security key) are not stored: src/assurance/levels.ts decides them from these facts.

export const KIND = 'webauthn';

export type WebAuthnAttachment = 'platform' | 'cross-platform';

/** What the attestation shows, judged against the configured metadata at the time of the ceremony. */
export interface AttestationTrust {
  format: string;
  aaguid: string;
  /** The chain reaches a root from the metadata statement of an allow-listed AAGUID. */
  trusted: boolean;
  /** From that metadata statement, when trusted: where the authenticator lives. */
  attestedAttachment: WebAuthnAttachment | null;
  /** The model's name from its metadata statement, when trusted. */
  model: string | null;
}

/** What one ceremony (registration or sign-in) proved about the person's credential. */
export interface WebAuthnFacts {
  kind: 'webauthn';
  personId: string;
  authenticatorId: string;
  userPresent: boolean;
  userVerified: boolean;
  /** BE: the credential may be synced to other devices (a syncable passkey). */
  backupEligible: boolean;
  /** BS: it has been synced. */
  backedUp: boolean;
  attestation: AttestationTrust;
}

/** Stored per credential in `authenticators.data`. */
export interface WebAuthnData {
  credentialId: string;
  /** COSE public key, base64url. */
  publicKey: string;
  counter: number;
  transports: string[];
  backupEligible: boolean;
  backedUp: boolean;
  /** As the browser reported it at registration (not signed; the metadata statement is trusted). */
  attachment: WebAuthnAttachment | null;
  attestationFormat: string;
  aaguid: string;
  /** x5c, base64 DER, leaf first: kept so trust is judged again against current metadata. */
  attestationChain: string[];
}
