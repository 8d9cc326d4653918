// The one configuration contract. Every key has a default or a clear reason to be required;
// `care-identity config check` prints each problem with its key and how to fix it.
import { z } from 'zod';

const seconds = z.coerce.number().int().positive();

/** true/false from JSON, or "true"/"false"/"1"/"0" from the environment (coerce would read "false" as true). */
const flag = z.union(
  [z.boolean(), z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1')],
  {
    error: 'must be true or false',
  },
);

export const configSchema = z.object({
  publicUrl: z
    .url({ message: 'must be an absolute http(s) URL, e.g. https://idp.example.nhs.uk:443' })
    .refine((u) => /^https?:\/\//.test(u), 'must use http or https')
    .refine((u) => !u.endsWith('/'), 'must not end with a slash')
    .default('http://localhost:3000')
    .describe('Base URL that browsers and relying parties use to reach this server'),
  pathProfile: z
    .enum(['cis2', 'plain'])
    .default('cis2')
    .describe('cis2: realm-style issuer and CIS2 endpoint paths; plain: issuer at the base URL'),
  listen: z
    .object({
      host: z
        .string()
        .min(1)
        .default('localhost')
        .describe('Address to listen on (0.0.0.0 for all interfaces)'),
      port: z.coerce.number().int().min(0).max(65535).default(3000).describe('TCP port to listen on'),
    })
    .prefault({}),
  database: z
    .object({
      url: z
        .string()
        .refine((u) => /^postgres(ql)?:\/\//.test(u), 'must be a postgres:// URL')
        .optional()
        .describe('PostgreSQL URL; when absent the embedded SQLite database is used'),
      sqlitePath: z
        .string()
        .min(1)
        .default('./data/care-identity.db')
        .describe('File of the embedded SQLite database'),
    })
    .prefault({}),
  secrets: z
    .object({
      keyEncryption: z
        .string()
        .min(32, 'must be at least 32 characters of random text (try: openssl rand -base64 32)')
        .optional()
        .describe('Seals private signing keys and authenticator secrets at rest'),
      cookieKeys: z
        .array(z.string().min(32, 'each cookie key must be at least 32 characters'))
        .min(1)
        .optional()
        .describe('Signs cookies; list newest first to rotate'),
    })
    .prefault({}),
  tokens: z
    .object({
      authorizationCodeTtl: seconds
        .max(600)
        .default(60)
        .describe('Seconds an authorization code stays valid (FAPI 2.0: 60)'),
      accessTokenTtl: seconds.default(3600).describe('Seconds an access token stays valid'),
      idTokenTtl: seconds.default(3600).describe('Seconds until an ID token expires'),
      refreshTokenTtl: seconds
        .default(14 * 24 * 3600)
        .describe('Seconds a refresh token stays valid (clients registered for refresh tokens)'),
      interactionTtl: seconds.default(1800).describe('Seconds a person has to finish signing in'),
      sessionTtl: seconds
        .default(12 * 3600)
        .describe('Seconds an IdP session cookie lives (levels lapse sooner, see assurance.*)'),
      signingAlg: z
        .enum(['RS256', 'PS256', 'ES256'])
        .default('RS256')
        .describe('Default ID token signing algorithm (CIS2 relying parties verify RS256)'),
    })
    .prefault({}),
  assurance: z
    .object({
      aal3MaxAge: seconds
        .max(12 * 3600, 'NIST 800-63B-4 allows at most 12 hours at AAL3')
        .default(12 * 3600)
        .describe('Seconds after an AAL3 sign-in when it must be repeated'),
      aal3IdleTimeout: seconds
        .default(15 * 60)
        .describe('Seconds without use after which an AAL3 session must sign in again'),
      aal2MaxAge: seconds
        .max(24 * 3600, 'NIST 800-63B-4 recommends at most 24 hours at AAL2')
        .default(12 * 3600),
      aal2IdleTimeout: seconds
        .default(15 * 60)
        .describe(
          'Seconds without use after which an AAL2 session must sign in again (NIST: at most 1 hour)',
        ),
    })
    .prefault({}),
  lockout: z
    .object({
      maxConsecutiveFailures: z.coerce
        .number()
        .int()
        .min(1)
        .max(100)
        .default(100)
        .describe(
          'Consecutive failures after which an authenticator locks until an RA unlocks it (NIST: at most 100)',
        ),
      delayAfterFailures: z.coerce
        .number()
        .int()
        .min(1)
        .default(5)
        .describe('Consecutive failures after which growing delays (30 s doubling, up to 1 hour) apply'),
    })
    .prefault({}),
  webauthn: z
    .object({
      rpId: z
        .string()
        .min(1)
        .optional()
        .describe('WebAuthn relying party ID; defaults to the host name of publicUrl'),
      rpName: z.string().min(1).default('Care Identity').describe('Name shown by browsers when registering'),
      origins: z
        .array(z.url())
        .optional()
        .describe('Origins accepted in WebAuthn ceremonies; defaults to the origin of publicUrl'),
      challengeTtl: seconds
        .max(600)
        .default(300)
        .describe('Seconds a WebAuthn challenge stays valid (each is also single use)'),
      metadataStatementFiles: z
        .array(z.string().min(1))
        .default([])
        .describe(
          'FIDO metadata statement JSON files (local, no download) whose roots attest AAL3 authenticators',
        ),
      aaguidAllowListFile: z
        .string()
        .min(1)
        .optional()
        .describe(
          'Text file of authenticator AAGUIDs allowed at AAL3, one a line; without it no WebAuthn credential reaches AAL3',
        ),
    })
    .prefault({}),
  smtp: z
    .object({
      host: z
        .string()
        .min(1)
        .optional()
        .describe('SMTP server for notifications to people; when absent notifications are only logged'),
      port: z.coerce.number().int().min(1).max(65535).default(587).describe('SMTP port (465 with secure)'),
      secure: flag
        .default(false)
        .describe('Connect with TLS from the start (port 465); otherwise STARTTLS is used when offered'),
      requireTls: flag.default(false).describe('Refuse to send unless the server offers STARTTLS'),
      from: z
        .string()
        .min(3)
        .default('Care Identity <no-reply@care-identity.invalid>')
        .describe('From address of notification emails'),
      user: z.string().min(1).optional().describe('SMTP user name, when the server asks for one'),
      password: z.string().min(1).optional().describe('SMTP password'),
    })
    .prefault({}),
  ra: z
    .object({
      registrationLinkMinutes: z.coerce
        .number()
        .int()
        .min(1)
        .max(10, 'NIST 800-63B-4 allows external binding codes to live at most 10 minutes')
        .default(10)
        .describe('Minutes a one-time authenticator registration link issued by an RA stays valid'),
      photoMaxBytes: z.coerce
        .number()
        .int()
        .min(10_000)
        .max(10_000_000)
        .default(2_000_000)
        .describe('Largest photo (bytes) an RA may upload for a person'),
      portalMinimumLevel: z.coerce
        .number()
        .int()
        .min(2)
        .max(3)
        .default(3)
        .describe(
          'Authentication assurance level the RA portal (/ra) requires: 3 in production; 2 only for a demo or trial',
        ),
    })
    .prefault({}),
  outboundPrivateHosts: z
    .array(z.string().min(1))
    .default([])
    .describe(
      'Host names or addresses of relying parties on private networks (e.g. HSCN) that back-channel logout and JWKS fetches may reach; all other private and loopback addresses are refused',
    ),
  trustProxy: flag.default(false).describe('Trust X-Forwarded-* headers from a reverse proxy'),
  logLevel: z
    .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
    .default('info')
    .describe('Least severe log level written (JSON lines on stdout)'),
  demo: flag.default(false).describe('Seed demo data and generate missing secrets into ./data'),
});

export type Config = z.infer<typeof configSchema>;
export type ConfigInput = z.input<typeof configSchema>;

/** Environment variables and the configuration key each sets. */
export const environmentKeys: Record<string, string> = {
  CARE_IDENTITY_PUBLIC_URL: 'publicUrl',
  CARE_IDENTITY_PATH_PROFILE: 'pathProfile',
  CARE_IDENTITY_HOST: 'listen.host',
  PORT: 'listen.port',
  CARE_IDENTITY_PORT: 'listen.port',
  DATABASE_URL: 'database.url',
  CARE_IDENTITY_SQLITE_PATH: 'database.sqlitePath',
  CARE_IDENTITY_KEY_ENCRYPTION_SECRET: 'secrets.keyEncryption',
  CARE_IDENTITY_COOKIE_KEYS: 'secrets.cookieKeys',
  CARE_IDENTITY_SIGNING_ALG: 'tokens.signingAlg',
  CARE_IDENTITY_ACCESS_TOKEN_TTL: 'tokens.accessTokenTtl',
  CARE_IDENTITY_ID_TOKEN_TTL: 'tokens.idTokenTtl',
  CARE_IDENTITY_CODE_TTL: 'tokens.authorizationCodeTtl',
  CARE_IDENTITY_REFRESH_TOKEN_TTL: 'tokens.refreshTokenTtl',
  CARE_IDENTITY_AAL3_MAX_AGE: 'assurance.aal3MaxAge',
  CARE_IDENTITY_AAL3_IDLE_TIMEOUT: 'assurance.aal3IdleTimeout',
  CARE_IDENTITY_AAL2_MAX_AGE: 'assurance.aal2MaxAge',
  CARE_IDENTITY_AAL2_IDLE_TIMEOUT: 'assurance.aal2IdleTimeout',
  CARE_IDENTITY_MAX_CONSECUTIVE_FAILURES: 'lockout.maxConsecutiveFailures',
  CARE_IDENTITY_SMTP_HOST: 'smtp.host',
  CARE_IDENTITY_SMTP_PORT: 'smtp.port',
  CARE_IDENTITY_SMTP_SECURE: 'smtp.secure',
  CARE_IDENTITY_SMTP_REQUIRE_TLS: 'smtp.requireTls',
  CARE_IDENTITY_SMTP_FROM: 'smtp.from',
  CARE_IDENTITY_SMTP_USER: 'smtp.user',
  CARE_IDENTITY_SMTP_PASSWORD: 'smtp.password',
  CARE_IDENTITY_RA_LINK_MINUTES: 'ra.registrationLinkMinutes',
  CARE_IDENTITY_RA_PORTAL_MINIMUM_LEVEL: 'ra.portalMinimumLevel',
  CARE_IDENTITY_OUTBOUND_PRIVATE_HOSTS: 'outboundPrivateHosts',
  CARE_IDENTITY_WEBAUTHN_RP_ID: 'webauthn.rpId',
  CARE_IDENTITY_WEBAUTHN_ORIGINS: 'webauthn.origins',
  CARE_IDENTITY_WEBAUTHN_METADATA_FILES: 'webauthn.metadataStatementFiles',
  CARE_IDENTITY_WEBAUTHN_AAGUID_ALLOW_LIST: 'webauthn.aaguidAllowListFile',
  CARE_IDENTITY_TRUST_PROXY: 'trustProxy',
  CARE_IDENTITY_LOG_LEVEL: 'logLevel',
  CARE_IDENTITY_DEMO: 'demo',
};
