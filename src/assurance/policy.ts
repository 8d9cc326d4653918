// The assurance policy as data: which authenticator kinds reach which level, which `amr` each
// reports, and which CIS2 `acr` classes accept which levels and methods. Decisions elsewhere read
// these tables; nothing assigns a level by hand.

export type Level = 1 | 2 | 3;

export interface AuthenticatorKindPolicy {
  /** The highest level the kind can ever reach; the facts of a ceremony may give less. */
  maxLevel: Level;
  /** `amr` values reported in the ID token when this kind was used. */
  amr: string[];
  /** Shown to people choosing how to sign in. */
  label: string;
  /** The sign-in ceremony that proves it (several kinds can share one: WebAuthn decides by facts). */
  method: SignInMethod;
}

export type SignInMethod = 'password-totp' | 'webauthn';

export const authenticatorKinds = {
  'password-totp': {
    maxLevel: 2,
    amr: ['TOTP'],
    label: 'Microsoft Authenticator (email, password and code)',
    method: 'password-totp',
  },
  // A WebAuthn credential that does not prove AAL3: synced (backup-eligible) or not attested by an
  // allow-listed model. NIST 800-63B-4 App. B caps syncable keys at AAL2. CIS2 publishes no amr
  // for passkeys; `PASSKEY` keeps them apart from `FIDO2`, which relying parties read as AAL3.
  passkey: { maxLevel: 2, amr: ['PASSKEY'], label: 'A passkey', method: 'webauthn' },
  // Platform, device-bound, user-verified, `tpm` attestation chaining to an allowed root.
  'windows-hello': { maxLevel: 3, amr: ['FIDO2'], label: 'Windows Hello', method: 'webauthn' },
  // Roaming, device-bound, PIN/UV, allow-listed AAGUID whose metadata statement root the chain reaches.
  'security-key': { maxLevel: 3, amr: ['FIDO2'], label: 'A security key', method: 'webauthn' },
} as const satisfies Record<string, AuthenticatorKindPolicy>;

export type AuthenticatorKind = keyof typeof authenticatorKinds;

export interface AcrClass {
  /** Lowest level that satisfies the class. */
  minLevel: Level;
  /** When set, only these `amr` values satisfy the class. */
  methods?: readonly string[];
}

/** CIS2 Authentication Context Classes (contract §8.2). */
export const acrClasses = {
  AAL3_ANY: { minLevel: 3 },
  AAL2_OR_AAL3_ANY: { minLevel: 2 },
  AAL2_ANY: { minLevel: 2 },
  AAL3_FIDO2: { minLevel: 3, methods: ['FIDO2'] },
  AAL3_IOS: { minLevel: 3, methods: ['IOS'] },
  AAL3_SMARTCARD: { minLevel: 3, methods: ['SMARTCARD', 'CIS2_SMARTCARD', 'N3_SMARTCARD'] },
  AAL3_CIS2_SMARTCARD: { minLevel: 3, methods: ['CIS2_SMARTCARD', 'SMARTCARD'] },
  AAL3_N3_SMARTCARD: { minLevel: 3, methods: ['N3_SMARTCARD'] },
  AAL2_TOTP: { minLevel: 2, methods: ['TOTP'] },
  AAL2_NHSMAIL: { minLevel: 2, methods: ['NHSMAIL'] },
} as const satisfies Record<string, AcrClass>;

export type AcrValue = keyof typeof acrClasses;

export const supportedAcrValues = Object.keys(acrClasses) as AcrValue[];

/** The class a request gets when it names none: the client's registered minimum. */
export function defaultAcrFor(minimumLevel: Level): AcrValue {
  return minimumLevel >= 3 ? 'AAL3_ANY' : 'AAL2_OR_AAL3_ANY';
}

export function isAcrValue(value: string): value is AcrValue {
  return Object.hasOwn(acrClasses, value);
}
