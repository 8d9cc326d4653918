// An administration API client for tests: registered with private_key_jwt and `ra_actor`, getting
// its token from the test server's token endpoint with a real openid-client.
import { generateKeyPairSync, webcrypto } from 'node:crypto';
import * as client from 'openid-client';
import { registerClient } from '../../src/oidc/clients.ts';
import { thumbprint } from '../../src/oidc/signing-keys.ts';
import type { TestServer } from '../helpers/test-server.ts';

export interface AdminClient {
  clientId: string;
  token: string;
  /** A JSON call under /admin/api/v1 with this client's token. */
  call(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<ApiResponse>;
}

export interface ApiResponse {
  status: number;
  // biome-ignore lint/suspicious/noExplicitAny: test responses are inspected field by field
  body: any;
  headers: Headers;
}

let counter = 0;

export async function apiCall(
  server: TestServer,
  token: string | undefined,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<ApiResponse> {
  const init: RequestInit = {
    method,
    headers: {
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(body !== undefined && !(body instanceof Uint8Array) ? { 'content-type': 'application/json' } : {}),
      ...headers,
    },
    ...(body === undefined
      ? {}
      : { body: body instanceof Uint8Array ? body : typeof body === 'string' ? body : JSON.stringify(body) }),
  };
  const response = await fetch(`${server.url}/admin/api/v1${path}`, init);
  const text = await response.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {}
  return { status: response.status, body: parsed, headers: response.headers };
}

export async function createAdminClient(
  server: TestServer,
  options: { actor: string | undefined; scope?: string; requestScope?: string },
): Promise<AdminClient> {
  counter += 1;
  const clientId = `admin-script-${process.pid}-${counter}`;
  const pair = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const pub = pair.publicKey.export({ format: 'jwk' });
  const kid = thumbprint(pub);
  const scope = options.scope ?? 'ra:people ra:positions ra:authenticators audit:read';
  await registerClient(server.db, server.sealer, server.provider, {
    client_id: clientId,
    client_name: 'Bulk registration script',
    grant_types: ['client_credentials'],
    response_types: [],
    redirect_uris: [],
    token_endpoint_auth_method: 'private_key_jwt',
    token_endpoint_auth_signing_alg: 'ES256',
    jwks: { keys: [{ ...pub, kid, alg: 'ES256', use: 'sig' }] },
    scope,
    ...(options.actor ? { ra_actor: options.actor } : {}),
  });
  const key = await webcrypto.subtle.importKey(
    'jwk',
    { ...pair.privateKey.export({ format: 'jwk' }) } as webcrypto.JsonWebKey,
    { name: 'ECDSA', namedCurve: 'P-256' },
    false,
    ['sign'],
  );
  const config = await client.discovery(
    new URL(server.issuer),
    clientId,
    {},
    client.PrivateKeyJwt({ key, kid }),
    {
      execute: [client.allowInsecureRequests],
    },
  );
  const tokens = await client.clientCredentialsGrant(config, { scope: options.requestScope ?? scope });
  return {
    clientId,
    token: tokens.access_token,
    call: (method, path, body, headers) => apiCall(server, tokens.access_token, method, path, body, headers),
  };
}
