// The registration steps shared by the RA's one-time links (/enrol/:token) and the account pages
// (/account): what to call the new authenticator, and what to tell the person when it fails.
import type { Context } from 'koa';
import { authenticatorKinds } from '../assurance/policy.ts';
import type { RegistrationOutcome, WebAuthnIntent } from '../authenticators/webauthn/registration.ts';
import type { Person } from '../directory/people.ts';
import type { Render } from '../server/views.ts';

export const intentTitles: Record<WebAuthnIntent, string> = {
  passkey: 'Set up a passkey',
  'windows-hello': 'Set up Windows Hello',
  'security-key': 'Set up a security key',
};

export const intentHelp: Record<WebAuthnIntent, string> = {
  passkey:
    'A passkey lets you sign in with your fingerprint, face or device PIN. It may be saved to your password manager and used on your other devices. It gives high confidence (AAL2).',
  'windows-hello':
    'Windows Hello lets you sign in on this Windows computer with your face, fingerprint or PIN. It stays on this computer and gives very high confidence (AAL3).',
  'security-key':
    'A security key is a small device you plug in or tap, protected by its PIN. It must be a model your organisation allows. It gives very high confidence (AAL3).',
};

export function registrationPerson(person: Person) {
  return {
    id: person.id,
    email: person.email,
    displayName: `${person.givenName} ${person.familyName}`,
  };
}

export function cleanLabel(raw: string | undefined, intent: WebAuthnIntent): string {
  const label = (raw ?? '').replace(/\s+/g, ' ').trim().slice(0, 60);
  return label || authenticatorKinds[intent].label.replace(/^A /, '').replace(/^./, (c) => c.toUpperCase());
}

/** A sentence for the person when registration did not succeed. */
export function registrationFailureMessage(outcome: Extract<RegistrationOutcome, { ok: false }>): string {
  switch (outcome.reason) {
    case 'not-aal3':
      return 'This key or device is not one your organisation allows for very high confidence (AAL3), so it was not set up. Use an approved security key or Windows Hello, or set it up as a passkey instead. Your Registration Authority (RA) can tell you which models are allowed.';
    case 'already-registered':
      return 'This passkey or security key is already set up.';
    case 'challenge':
      return 'This set-up attempt has expired or was already used. Try again.';
    case 'not-verified':
      return 'Your device did not check your fingerprint, face or PIN, so it cannot be used. Set a PIN or biometric on it and try again.';
    default:
      return 'It could not be set up. Try again. If it keeps happening, contact your Registration Authority (RA).';
  }
}

/** The "is set up" page after a WebAuthn registration, wherever it started. */
export function renderRegistered(
  render: Render,
  ctx: Context,
  outcome: { kind: keyof typeof authenticatorKinds; level: number },
  next?: string,
): void {
  const label = authenticatorKinds[outcome.kind].label
    .replace(/^A /, '')
    .replace(/^./, (c) => c.toUpperCase());
  render(ctx, 'account/registered.njk', {
    title: `${label} is set up`,
    message: `You can now sign in with it. It gives ${outcome.level === 3 ? 'very high confidence (AAL3)' : 'high confidence (AAL2)'}.`,
    ...(next ? { next } : {}),
  });
}
