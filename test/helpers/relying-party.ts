// A real relying party for tests: openid-client with private_key_jwt (or a client secret),
// registered through the same code path the CLI uses.
import { generateKeyPairSync, type JsonWebKey, webcrypto } from 'node:crypto';
import * as client from 'openid-client';
import { registerClient } from '../../src/oidc/clients.ts';
import { thumbprint } from '../../src/oidc/signing-keys.ts';
import type { TestServer } from './test-server.ts';

export interface TestRelyingParty {
  clientId: string;
  redirectUri: string;
  /** The post-logout redirect URI registered for the client. */
  postLogoutRedirectUri: string;
  config: client.Configuration;
  privateJwk?: JsonWebKey;
  clientSecret?: string;
  /** An authorization URL with fresh PKCE, state and nonce, and the values to check on return. */
  authorizationRequest(params?: Record<string, string>): Promise<AuthorizationRequest>;
}

export interface AuthorizationRequest {
  url: URL;
  verifier: string;
  state: string;
  nonce: string;
}

let counter = 0;

export async function createRelyingParty(
  server: TestServer,
  options: {
    auth?: 'private_key_jwt' | 'client_secret_post' | 'client_secret_basic' | 'client_secret_jwt';
    alg?: 'RS256' | 'RS512' | 'PS256' | 'ES256';
    minimumAal?: 2 | 3;
    pkceRequired?: boolean;
    scope?: string;
    metadata?: Record<string, unknown>;
  } = {},
): Promise<TestRelyingParty> {
  counter += 1;
  const clientId = `${900000000000 + counter}.apps.supplier.${process.pid}`;
  const redirectUri = `https://rp${counter}.example.test/callback`;
  const postLogoutRedirectUri = `https://rp${counter}.example.test/signed-out`;
  const auth = options.auth ?? 'private_key_jwt';
  const alg = options.alg ?? 'RS256';
  let privateJwk: JsonWebKey | undefined;
  let publicJwk: JsonWebKey | undefined;
  if (auth === 'private_key_jwt') {
    const pair =
      alg === 'ES256'
        ? generateKeyPairSync('ec', { namedCurve: 'P-256' })
        : generateKeyPairSync('rsa', { modulusLength: 2048 });
    const pub = pair.publicKey.export({ format: 'jwk' });
    const kid = thumbprint(pub);
    publicJwk = { ...pub, kid, alg, use: 'sig' };
    privateJwk = { ...pair.privateKey.export({ format: 'jwk' }), kid, alg };
  }
  const metadata: Record<string, unknown> = {
    client_id: clientId,
    client_name: `Test application ${counter}`,
    redirect_uris: [redirectUri],
    post_logout_redirect_uris: [postLogoutRedirectUri],
    token_endpoint_auth_method: auth,
    grant_types: ['authorization_code', 'refresh_token'],
    response_types: ['code'],
    minimum_aal: options.minimumAal ?? 2,
    pkce_required: options.pkceRequired ?? true,
    ...(publicJwk ? { jwks: { keys: [publicJwk] }, token_endpoint_auth_signing_alg: alg } : {}),
    ...(options.scope ? { scope: options.scope } : {}),
    ...options.metadata,
  };
  const { clientSecret } = await registerClient(server.db, server.sealer, server.provider, metadata);
  let clientAuth: client.ClientAuth;
  if (privateJwk) {
    const importAlg =
      alg === 'ES256'
        ? { name: 'ECDSA', namedCurve: 'P-256' }
        : alg === 'PS256'
          ? { name: 'RSA-PSS', hash: 'SHA-256' }
          : { name: 'RSASSA-PKCS1-v1_5', hash: alg === 'RS512' ? 'SHA-512' : 'SHA-256' };
    const key = await webcrypto.subtle.importKey(
      'jwk',
      privateJwk as webcrypto.JsonWebKey,
      importAlg,
      false,
      ['sign'],
    );
    clientAuth = client.PrivateKeyJwt({ key, kid: String(privateJwk.kid) });
  } else if (auth === 'client_secret_post') {
    clientAuth = client.ClientSecretPost(clientSecret!);
  } else if (auth === 'client_secret_basic') {
    clientAuth = client.ClientSecretBasic(clientSecret!);
  } else {
    clientAuth = client.ClientSecretJwt(clientSecret!);
  }
  const config = await client.discovery(new URL(server.issuer), clientId, {}, clientAuth, {
    execute: [client.allowInsecureRequests],
  });
  return {
    clientId,
    redirectUri,
    postLogoutRedirectUri,
    config,
    ...(privateJwk ? { privateJwk } : {}),
    ...(clientSecret ? { clientSecret } : {}),
    async authorizationRequest(params = {}) {
      const verifier = client.randomPKCECodeVerifier();
      const state = client.randomState();
      const nonce = client.randomNonce();
      const url = client.buildAuthorizationUrl(config, {
        redirect_uri: redirectUri,
        scope: 'openid profile',
        code_challenge: await client.calculatePKCECodeChallenge(verifier),
        code_challenge_method: 'S256',
        state,
        nonce,
        ...params,
      });
      return { url, verifier, state, nonce };
    },
  };
}
