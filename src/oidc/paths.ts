// Endpoint paths for each path profile. The CIS2 profile reproduces the realm-style issuer and the
// ForgeRock endpoint names that CIS2 relying parties hard-code (contract §2.2, §18).

export interface PathProfile {
  issuerPath: string;
  routes: {
    authorization: string;
    token: string;
    userinfo: string;
    jwks: string;
    end_session: string;
    revocation: string;
    introspection: string;
    pushed_authorization_request: string;
  };
}

export const pathProfiles: Record<'cis2' | 'plain', PathProfile> = {
  cis2: {
    issuerPath: '/openam/oauth2/realms/root/realms/NHSIdentity/realms/Healthcare',
    routes: {
      authorization: '/authorize',
      token: '/access_token',
      userinfo: '/userinfo',
      jwks: '/connect/jwk_uri',
      end_session: '/connect/endSession',
      revocation: '/token/revoke',
      introspection: '/introspect',
      pushed_authorization_request: '/par',
    },
  },
  plain: {
    issuerPath: '',
    routes: {
      authorization: '/authorize',
      token: '/token',
      userinfo: '/userinfo',
      jwks: '/jwks',
      end_session: '/logout',
      revocation: '/token/revoke',
      introspection: '/token/introspect',
      pushed_authorization_request: '/par',
    },
  },
};

export function issuerFor(publicUrl: string, profile: 'cis2' | 'plain'): string {
  return publicUrl + pathProfiles[profile].issuerPath;
}
