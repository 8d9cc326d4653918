// Scopes and the claims they release (contract §7.1, §9.1). Claims under `openid` go into the ID
// token; every other scope feeds UserInfo.
import { scopeClaims } from '../directory/claims.ts';

export const idTokenClaims = [
  'sub',
  'acr',
  'amr',
  'auth_time',
  'id_assurance_level',
  'authentication_assurance_level',
  'selected_roleid',
  'tokenName',
  'tokenType',
  'realm',
] as const;

export const roleScopes = ['selectedrole', 'changedrole'] as const;

export function claimsConfiguration(): Record<string, string[]> {
  return {
    openid: [...idTokenClaims],
    ...scopeClaims,
    selectedrole: [],
    changedrole: [],
  };
}

export const supportedScopes = ['openid', 'offline_access', ...Object.keys(scopeClaims), ...roleScopes];

export function asksForRole(scope: string | Set<string>): boolean {
  const scopes = typeof scope === 'string' ? new Set(scope.split(' ')) : scope;
  return roleScopes.some((s) => scopes.has(s));
}
