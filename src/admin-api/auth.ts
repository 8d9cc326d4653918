// Bearer tokens of the administration API: access tokens the engine issued by client credentials
// (private_key_jwt at Care Identity's own token endpoint). The client must be registered with
// `ra_actor`, the RA staff member it acts for; the RA services then check that person's powers.
import type { Context } from 'koa';
import type Provider from 'oidc-provider';
import type { Actor } from '../ra/action.ts';
import { ApiError } from './http.ts';
import { type AdminScope, RA_ACTOR_METADATA } from './scopes.ts';

export interface ApiCaller {
  clientId: string;
  scopes: Set<string>;
  actor: Actor;
}

const unauthorised = (message: string) => new ApiError(401, 'invalid_token', message);

export async function authenticate(provider: Provider, ctx: Context): Promise<ApiCaller> {
  const header = ctx.get('authorization');
  const match = /^Bearer ([A-Za-z0-9._~+/-]+=*)$/.exec(header);
  if (!match) throw unauthorised('Send an access token: Authorization: Bearer <token>');
  const token = await provider.ClientCredentials.find(match[1]!);
  if (!token) throw unauthorised('The access token is not valid or has expired');
  // Tokens bound to a DPoP key or a certificate need a proof this API does not check.
  if (token.isSenderConstrained()) throw unauthorised('Sender-constrained tokens are not accepted here');
  const client = token.clientId ? await provider.Client.find(token.clientId) : undefined;
  const actorId = client?.metadata()[RA_ACTOR_METADATA];
  if (!client || typeof actorId !== 'string') {
    throw unauthorised(`The client is not registered for the administration API (no ${RA_ACTOR_METADATA})`);
  }
  // Both what the token carries and what the client is registered for (the registration may have
  // been narrowed since the token was issued).
  const registered = new Set((client.scope ?? '').split(' '));
  const scopes = new Set((token.scope ?? '').split(' ').filter((s) => s && registered.has(s)));
  return {
    clientId: client.clientId,
    scopes,
    actor: { personId: actorId, sourceIp: ctx.ip, via: `api:${client.clientId}` },
  };
}

export function requireScope(caller: ApiCaller, scope: AdminScope): void {
  if (!caller.scopes.has(scope)) {
    throw new ApiError(403, 'insufficient_scope', `This call needs the ${scope} scope`);
  }
}
