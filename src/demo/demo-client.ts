// The demo relying party's registration: AAL2-and-AAL3, private_key_jwt, PKCE.
export const DEMO_CLIENT_ID = 'demo.apps.care-identity';

export function demoClientMetadata(publicUrl: string, publicJwk: object): Record<string, unknown> {
  return {
    client_id: DEMO_CLIENT_ID,
    client_name: 'Demo application',
    redirect_uris: [`${publicUrl}/demo/callback`],
    post_logout_redirect_uris: [`${publicUrl}/demo`],
    grant_types: ['authorization_code'],
    response_types: ['code'],
    token_endpoint_auth_method: 'private_key_jwt',
    token_endpoint_auth_signing_alg: 'ES256',
    jwks: { keys: [publicJwk] },
    minimum_aal: 2,
    pkce_required: true,
  };
}
