// A first-party web app signs people in through Care Identity's own OpenID flow, as any relying
// party does: registered as a client (once, kept across restarts and nodes), discovered over HTTP,
// tokens validated by openid-client.
import * as client from 'openid-client';
import { ClientRegistrationError, engineClientMetadata, registerClient } from '../oidc/clients.ts';
import type { Services } from '../server/services.ts';

export interface FirstPartyApp {
  /** Names the app's sessions and cookie, e.g. `account`. */
  name: string;
  clientId: string;
  clientName: string;
  /** Paths under publicUrl. */
  callbackPath: string;
  signedOutPath: string;
  scope: string;
}

function metadataFor(services: Services, app: FirstPartyApp): Record<string, unknown> {
  const base = services.config.publicUrl;
  return {
    client_id: app.clientId,
    client_name: app.clientName,
    redirect_uris: [`${base}${app.callbackPath}`],
    post_logout_redirect_uris: [`${base}${app.signedOutPath}`],
    token_endpoint_auth_method: 'client_secret_basic',
    grant_types: ['authorization_code'],
    response_types: ['code'],
    minimum_aal: 2,
    pkce_required: true,
    scope: app.scope,
  };
}

async function clientSecret(services: Services, app: FirstPartyApp): Promise<string> {
  const { db, sealer, provider } = services;
  const wanted = metadataFor(services, app);
  const read = async () => {
    const row = await db
      .selectFrom('clients')
      .selectAll()
      .where('client_id', '=', app.clientId)
      .executeTakeFirst();
    return row ? engineClientMetadata(app.clientId, row.metadata, sealer) : undefined;
  };
  const existing = await read();
  const sameUris =
    existing &&
    JSON.stringify(existing['redirect_uris']) === JSON.stringify(wanted['redirect_uris']) &&
    typeof existing['client_secret'] === 'string';
  if (sameUris) return existing['client_secret'] as string;
  try {
    const registered = await registerClient(db, sealer, provider, wanted, { replace: Boolean(existing) });
    return registered.clientSecret!;
  } catch (error) {
    // Another node registered it at the same moment: use theirs.
    if (!(error instanceof ClientRegistrationError)) throw error;
    const raced = await read();
    if (typeof raced?.['client_secret'] !== 'string') throw error;
    return raced['client_secret'];
  }
}

/** Registers the app's client if needed and discovers the issuer; memoised per app. */
export function firstPartyClient(
  services: Services,
  app: FirstPartyApp,
): () => Promise<client.Configuration> {
  let configuration: Promise<client.Configuration> | undefined;
  return () => {
    configuration ??= (async () => {
      const secret = await clientSecret(services, app);
      const insecure = services.issuer.startsWith('http://');
      return client.discovery(
        new URL(services.issuer),
        app.clientId,
        {},
        client.ClientSecretBasic(secret),
        insecure ? { execute: [client.allowInsecureRequests] } : {},
      );
    })().catch((error: unknown) => {
      configuration = undefined;
      throw error;
    });
    return configuration;
  };
}
