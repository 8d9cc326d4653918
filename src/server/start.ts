// Starts a node: open the database, migrate, make sure signing keys exist, build the app, listen.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Config } from '../config/schema.ts';
import { type ResolvedSecrets, resolveSecrets } from '../config/secrets.ts';
import { ensureSigningKeys, loadSigningJwks } from '../oidc/signing-keys.ts';
import { type Db, migrate, openDatabase } from '../store/database.ts';
import { Sealer } from '../store/sealer.ts';
import { type CareIdentityApp, createApp } from './app.ts';

export interface RunningServer {
  url: string;
  server: Server;
  db: Db;
  app: CareIdentityApp;
  secrets: ResolvedSecrets;
  close(): Promise<void>;
}

export function openConfiguredDatabase(config: Config, schema?: string): Db {
  return openDatabase({
    url: config.database.url,
    sqlitePath: config.database.sqlitePath,
    ...(schema ? { schema } : {}),
  });
}

/** Published keys stay this long after rotation: the longest a token they signed can live. */
export function keyGraceMs(config: Config): number {
  const { idTokenTtl, accessTokenTtl } = config.tokens;
  return Math.max(idTokenTtl, accessTokenTtl) * 1000 + 60_000;
}

export async function startServer(
  config: Config,
  options: {
    db?: Db;
    beforeListen?: (app: CareIdentityApp, db: Db, secrets: ResolvedSecrets) => Promise<void>;
  } = {},
): Promise<RunningServer> {
  const secrets = resolveSecrets(config);
  const db = options.db ?? openConfiguredDatabase(config);
  await migrate(db);
  const sealer = new Sealer(secrets.keyEncryption);
  await ensureSigningKeys(db, sealer);
  const jwks = await loadSigningJwks(db, sealer, keyGraceMs(config));
  const app = createApp({ config, db, secrets, jwks: jwks as { keys: object[] } });
  if (options.beforeListen) await options.beforeListen(app, db, secrets);
  const server = createServer(app.app.callback());
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.listen.port, config.listen.host, () => resolve());
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    url: `http://${host}:${address.port}`,
    server,
    db,
    app,
    secrets,
    async close() {
      app.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      if (!options.db) await db.destroy();
    },
  };
}
