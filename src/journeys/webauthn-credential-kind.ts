// The kind a stored WebAuthn credential shows now (its stored facts, its attestation judged against
// today's metadata), for offering, listing and warning; a ceremony's own facts decide its level.
import { webauthnKind } from '../assurance/levels.ts';
import type { AuthenticatorKind } from '../assurance/policy.ts';
import type { WebAuthnData } from '../authenticators/webauthn/facts.ts';
import { assessAttestation } from '../authenticators/webauthn/metadata.ts';
import type { WebAuthnSettings } from '../authenticators/webauthn/settings.ts';

export function credentialKind(settings: WebAuthnSettings, data: WebAuthnData): AuthenticatorKind {
  return webauthnKind({
    backupEligible: data.backupEligible,
    backedUp: data.backedUp,
    attestation: assessAttestation(settings.anchors, {
      format: data.attestationFormat,
      aaguid: data.aaguid,
      chain: data.attestationChain,
    }),
  });
}
