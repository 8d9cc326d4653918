// care-identity client add|list|show: relying-party registration.
import { readFileSync } from 'node:fs';
import { findClientRegistration, listClients, registerClient } from '../oidc/clients.ts';
import { createProvider } from '../oidc/provider.ts';
import { loadSigningJwks } from '../oidc/signing-keys.ts';
import { keyGraceMs } from '../server/start.ts';
import { parse, print, required, UsageError } from './args.ts';
import type { CommandContext } from './context.ts';

export const clientUsage = `care-identity client add --id ID --redirect-uri URI [--redirect-uri URI ...]
      [--name NAME] [--auth private_key_jwt|client_secret_post|client_secret_basic|client_secret_jwt]
      [--jwks-uri URL | --jwks-file FILE] [--signing-alg RS256|RS512|PS256|ES256]
      [--min-aal 2|3] [--no-pkce] [--scope "openid profile ..."] [--refresh-tokens]
      [--post-logout-redirect-uri URI] [--backchannel-logout-uri URI] [--signed-userinfo] [--replace]
  care-identity client list
  care-identity client show ID`;

export async function clientCommand(args: string[], context: CommandContext): Promise<void> {
  const [action, ...rest] = args;
  if (action === 'list') return print(await listClients(context.db));
  if (action === 'show') {
    const id = rest[0];
    if (!id) throw new UsageError('client show needs a client id');
    const client = await findClientRegistration(context.db, id);
    if (!client) throw new UsageError(`no client with id ${id}`);
    return print(client);
  }
  if (action !== 'add') throw new UsageError(clientUsage);

  const { values } = parse(rest, {
    id: { type: 'string' },
    name: { type: 'string' },
    'redirect-uri': { type: 'string', multiple: true },
    auth: { type: 'string', default: 'private_key_jwt' },
    'jwks-uri': { type: 'string' },
    'jwks-file': { type: 'string' },
    'signing-alg': { type: 'string' },
    'min-aal': { type: 'string', default: '3' },
    'no-pkce': { type: 'boolean', default: false },
    scope: { type: 'string' },
    'refresh-tokens': { type: 'boolean', default: false },
    'post-logout-redirect-uri': { type: 'string', multiple: true },
    'backchannel-logout-uri': { type: 'string' },
    'signed-userinfo': { type: 'boolean', default: false },
    replace: { type: 'boolean', default: false },
  });
  const minAal = Number(values['min-aal']);
  if (minAal !== 2 && minAal !== 3) throw new UsageError('--min-aal must be 2 or 3');
  const metadata: Record<string, unknown> = {
    client_id: required(values.id, 'id'),
    redirect_uris: values['redirect-uri'] ?? [],
    token_endpoint_auth_method: values.auth,
    grant_types: values['refresh-tokens'] ? ['authorization_code', 'refresh_token'] : ['authorization_code'],
    response_types: ['code'],
    minimum_aal: minAal,
    pkce_required: !values['no-pkce'],
  };
  if (values.name) metadata['client_name'] = values.name;
  if (values['jwks-uri']) metadata['jwks_uri'] = values['jwks-uri'];
  if (values['jwks-file']) metadata['jwks'] = JSON.parse(readFileSync(values['jwks-file'], 'utf8'));
  if (values['signing-alg']) metadata['token_endpoint_auth_signing_alg'] = values['signing-alg'];
  if (values.scope) metadata['scope'] = values.scope;
  if (values['signed-userinfo']) metadata['userinfo_signed_response_alg'] = context.config.tokens.signingAlg;
  if (values['post-logout-redirect-uri'])
    metadata['post_logout_redirect_uris'] = values['post-logout-redirect-uri'];
  if (values['backchannel-logout-uri']) {
    metadata['backchannel_logout_uri'] = values['backchannel-logout-uri'];
    metadata['backchannel_logout_session_required'] = true;
  }

  const sealer = context.sealer();
  const jwks = await loadSigningJwks(context.db, sealer, keyGraceMs(context.config));
  const provider = createProvider({
    config: context.config,
    db: context.db,
    sealer,
    jwks: jwks.keys.length > 0 ? (jwks as { keys: object[] }) : { keys: [] },
    cookieKeys: ['validation only, never used to sign a cookie'],
    pages: {
      async renderError() {},
      async logoutSource() {},
      async postLogoutSuccessSource() {},
    },
  });
  const result = await registerClient(context.db, sealer, provider, metadata, { replace: values.replace });
  print(`registered client ${result.clientId}`);
  if (result.clientSecret) {
    print(`client secret (shown once, store it now): ${result.clientSecret}`);
  }
}
