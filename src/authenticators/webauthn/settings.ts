// The relying-party settings every WebAuthn ceremony checks against: RP ID and origins from
// config (never from the request), challenge lifetime, the AAL3 trust anchors and throttling.
import type { Config } from '../../config/schema.ts';
import type { ThrottlePolicy } from '../password-totp/throttle.ts';
import { loadTrustAnchors, type TrustAnchors } from './metadata.ts';

export interface WebAuthnSettings {
  rpId: string;
  rpName: string;
  origins: string[];
  challengeTtlMs: number;
  anchors: TrustAnchors;
  /** Consecutive failures per credential (NIST 800-63B-4 §3.2.2): the `lockout` policy of every method. */
  throttle: ThrottlePolicy;
}

const cache = new WeakMap<Config, WebAuthnSettings>();

/** Read once per configuration (metadata files are loaded at start, so a bad file stops the start). */
export function webauthnSettings(config: Config): WebAuthnSettings {
  let settings = cache.get(config);
  if (!settings) {
    const publicUrl = new URL(config.publicUrl);
    settings = {
      rpId: config.webauthn.rpId ?? publicUrl.hostname,
      rpName: config.webauthn.rpName,
      origins: config.webauthn.origins?.map((o) => new URL(o).origin) ?? [publicUrl.origin],
      challengeTtlMs: config.webauthn.challengeTtl * 1000,
      throttle: config.lockout,
      anchors: loadTrustAnchors({
        statements: config.webauthn.metadataStatementFiles,
        allowList: config.webauthn.aaguidAllowListFile,
      }),
    };
    cache.set(config, settings);
  }
  return settings;
}
