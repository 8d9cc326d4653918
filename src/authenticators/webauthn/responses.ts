// Parses what the browser posts (the JSON of @simplewebauthn/browser) before anything trusts it.
import type { AuthenticationResponseJSON, RegistrationResponseJSON } from '@simplewebauthn/server';
import { decodeClientDataJSON } from '@simplewebauthn/server/helpers';
import { z } from 'zod';

const b64url = z
  .string()
  .regex(/^[A-Za-z0-9_-]+$/)
  .max(16_384);
// WebAuthn §5.1: credential IDs are at most 1023 bytes (1364 base64url characters).
const credentialId = z
  .string()
  .regex(/^[A-Za-z0-9_-]+$/)
  .max(1364);

// The fields every public-key credential response shares (WebAuthn §5.1).
const credentialFields = {
  id: credentialId,
  rawId: credentialId,
  type: z.literal('public-key'),
  authenticatorAttachment: z.enum(['platform', 'cross-platform']).optional(),
  clientExtensionResults: z.record(z.string(), z.unknown()).default({}),
};

const registrationSchema = z.object({
  ...credentialFields,
  response: z.object({
    clientDataJSON: b64url,
    attestationObject: b64url,
    transports: z.array(z.string().max(20)).max(10).optional(),
  }),
});

const authenticationSchema = z.object({
  ...credentialFields,
  response: z.object({
    clientDataJSON: b64url,
    authenticatorData: b64url,
    signature: b64url,
    userHandle: b64url.optional(),
  }),
});

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** The challenge the response was made for, or undefined if clientDataJSON does not decode. */
export function challengeOf(clientDataJSON: string): string | undefined {
  try {
    const challenge = decodeClientDataJSON(clientDataJSON).challenge;
    return typeof challenge === 'string' ? challenge : undefined;
  } catch {
    return undefined;
  }
}

export function parseRegistrationResponse(text: string): RegistrationResponseJSON | undefined {
  const parsed = registrationSchema.safeParse(parseJson(text));
  return parsed.success ? (parsed.data as RegistrationResponseJSON) : undefined;
}

export function parseAuthenticationResponse(text: string): AuthenticationResponseJSON | undefined {
  const parsed = authenticationSchema.safeParse(parseJson(text));
  return parsed.success ? (parsed.data as AuthenticationResponseJSON) : undefined;
}
