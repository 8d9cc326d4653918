// Relying-party registrations. Metadata is the engine's own shape (validated by the engine) plus
// Care Identity's `minimum_aal` and `pkce_required`. Client secrets are sealed at rest.
import { randomBytes } from 'node:crypto';
import type Provider from 'oidc-provider';
import type { Db } from '../store/database.ts';
import type { Sealer } from '../store/sealer.ts';

const secretContext = (clientId: string) => `clients.client_secret:${clientId}`;
const SECRET_METHODS = new Set(['client_secret_post', 'client_secret_basic', 'client_secret_jwt']);

export class ClientRegistrationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ClientRegistrationError';
  }
}

export function usesSecret(metadata: Record<string, unknown>): boolean {
  return SECRET_METHODS.has(String(metadata['token_endpoint_auth_method'] ?? 'private_key_jwt'));
}

/** Validates with the engine and stores; returns the generated secret (shown once) if any. */
export async function registerClient(
  db: Db,
  sealer: Sealer,
  provider: Provider,
  metadata: Record<string, unknown>,
  options: { replace?: boolean } = {},
): Promise<{ clientId: string; clientSecret?: string }> {
  const clientId = String(metadata['client_id'] ?? '');
  if (!/^[A-Za-z0-9._:-]{3,200}$/.test(clientId)) {
    throw new ClientRegistrationError(
      'client_id must be 3-200 letters, digits, dots, colons, dashes or underscores',
    );
  }
  const clientSecret = usesSecret(metadata) ? randomBytes(32).toString('base64url') : undefined;
  const candidate = { ...metadata, ...(clientSecret ? { client_secret: clientSecret } : {}) };
  try {
    await provider.Client.validate(candidate as Parameters<typeof provider.Client.validate>[0]);
  } catch (error) {
    const description =
      (error as { error_description?: string }).error_description ?? (error as Error).message;
    throw new ClientRegistrationError(description);
  }
  const stored: Record<string, unknown> = { ...metadata };
  delete stored['client_secret'];
  if (clientSecret) stored['client_secret_sealed'] = sealer.seal(clientSecret, secretContext(clientId));
  const now = Date.now();
  const existing = await db
    .selectFrom('clients')
    .select('client_id')
    .where('client_id', '=', clientId)
    .executeTakeFirst();
  if (existing && !options.replace)
    throw new ClientRegistrationError(`a client with id ${clientId} already exists`);
  if (existing) {
    await db
      .updateTable('clients')
      .set({ metadata: JSON.stringify(stored), updated_at: now })
      .where('client_id', '=', clientId)
      .execute();
  } else {
    await db
      .insertInto('clients')
      .values({ client_id: clientId, metadata: JSON.stringify(stored), created_at: now, updated_at: now })
      .execute();
  }
  return clientSecret ? { clientId, clientSecret } : { clientId };
}

/** The metadata the engine sees, with the secret unsealed. */
export function engineClientMetadata(clientId: string, raw: string, sealer: Sealer): Record<string, unknown> {
  const metadata = JSON.parse(raw) as Record<string, unknown>;
  const sealed = metadata['client_secret_sealed'];
  delete metadata['client_secret_sealed'];
  if (typeof sealed === 'string') metadata['client_secret'] = sealer.open(sealed, secretContext(clientId));
  return metadata;
}

/** Registrations as shown to operators: never the secret. */
export async function listClients(db: Db): Promise<Record<string, unknown>[]> {
  const rows = await db.selectFrom('clients').selectAll().orderBy('client_id').execute();
  return rows.map((row) => publicView(row.metadata));
}

export async function findClientRegistration(
  db: Db,
  clientId: string,
): Promise<Record<string, unknown> | undefined> {
  const row = await db.selectFrom('clients').selectAll().where('client_id', '=', clientId).executeTakeFirst();
  return row ? publicView(row.metadata) : undefined;
}

function publicView(raw: string): Record<string, unknown> {
  const metadata = JSON.parse(raw) as Record<string, unknown>;
  if ('client_secret_sealed' in metadata) metadata['client_secret_sealed'] = '(sealed)';
  return metadata;
}
