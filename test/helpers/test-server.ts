// A real Care Identity node for tests: listening on a loopback port, on a fresh database of the
// given kind, with fixed test secrets.
import { createServer } from 'node:net';
import type Provider from 'oidc-provider';
import { loadConfig } from '../../src/config/load.ts';
import type { Config, ConfigInput } from '../../src/config/schema.ts';
import { issuerFor } from '../../src/oidc/paths.ts';
import { type RunningServer, startServer } from '../../src/server/start.ts';
import type { Db } from '../../src/store/database.ts';
import { Sealer } from '../../src/store/sealer.ts';
import { createTestDatabase, type DatabaseKind } from './databases.ts';

export const TEST_KEY_ENCRYPTION_SECRET = 'test key encryption secret, 32+ characters long';
export const TEST_COOKIE_KEY = 'test cookie key that is at least thirty-two characters';

export interface TestServer {
  /** Where this node listens (its public URL unless the config says otherwise). */
  url: string;
  issuer: string;
  config: Config;
  db: Db;
  sealer: Sealer;
  provider: Provider;
  running: RunningServer;
  close(): Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export async function startTestServer(
  options: {
    kind?: DatabaseKind;
    config?: ConfigInput;
    db?: Db;
    /** Listen on this port (e.g. to restart a node where it was); a free one by default. */
    port?: number;
  } = {},
): Promise<TestServer> {
  const port = options.port ?? (await freePort());
  const url = `http://127.0.0.1:${port}`;
  const testDatabase = options.db ? undefined : await createTestDatabase(options.kind ?? 'sqlite');
  const db = options.db ?? testDatabase!.db;
  const config = loadConfig({
    env: {},
    overrides: {
      publicUrl: url,
      listen: { host: '127.0.0.1', port },
      logLevel: 'silent',
      secrets: { keyEncryption: TEST_KEY_ENCRYPTION_SECRET, cookieKeys: [TEST_COOKIE_KEY] },
      ...options.config,
    },
  });
  const running = await startServer(config, { db });
  return {
    url,
    // From the configured public URL: a node started with another node's `publicUrl` (two nodes
    // behind one name) shares its issuer while `url` still reaches this node directly.
    issuer: issuerFor(config.publicUrl, config.pathProfile),
    config,
    db,
    sealer: new Sealer(TEST_KEY_ENCRYPTION_SECRET),
    provider: running.app.provider,
    running,
    async close() {
      await running.close();
      await testDatabase?.close();
    },
  };
}
