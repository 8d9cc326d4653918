// What each command needs: configuration, the database (migrated), and secrets when it seals.
import { loadConfig } from '../config/load.ts';
import type { Config } from '../config/schema.ts';
import { resolveSecrets } from '../config/secrets.ts';
import { openConfiguredDatabase } from '../server/start.ts';
import { type Db, migrate } from '../store/database.ts';
import { Sealer } from '../store/sealer.ts';

export interface CommandContext {
  config: Config;
  db: Db;
  sealer(): Sealer;
}

export async function withContext<T>(
  options: { demo: boolean; configFile?: string | undefined },
  fn: (context: CommandContext) => Promise<T>,
): Promise<T> {
  const config = loadConfig({ file: options.configFile, overrides: options.demo ? { demo: true } : {} });
  const db = openConfiguredDatabase(config);
  try {
    await migrate(db);
    return await fn({ config, db, sealer: () => new Sealer(resolveSecrets(config).keyEncryption) });
  } finally {
    await db.destroy();
  }
}
