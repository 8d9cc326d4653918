// Fresh, migrated databases for tests: SQLite in a temporary file, PostgreSQL in a throw-away
// schema on the server at DATABASE_URL. Suites that must hold on both adapters use
// describeEachDatabase, which runs them once per available kind.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import pg from 'pg';
import { type Db, migrate, openDatabase } from '../../src/store/database.ts';

export type DatabaseKind = 'sqlite' | 'postgres';

/** The PostgreSQL server used by tests; unset means PostgreSQL tests are skipped. */
export const postgresUrl: string | undefined = process.env.DATABASE_URL || undefined;

export const databaseKinds: DatabaseKind[] = postgresUrl ? ['sqlite', 'postgres'] : ['sqlite'];

export const POSTGRES_SKIP_MESSAGE = 'PostgreSQL: skipped because DATABASE_URL is not set (CI sets it)';

export interface TestDatabase {
  kind: DatabaseKind;
  db: Db;
  /** The SQLite file, or the PostgreSQL schema the database lives in. */
  location: string;
  close(): Promise<void>;
}

export interface TestDatabaseOptions {
  /** Apply the migrations before handing the database over (default true). */
  migrate?: boolean;
}

async function withAdminClient<T>(url: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** A fresh database of the given kind; close() destroys it (file removed, schema dropped). */
export async function createTestDatabase(
  kind: DatabaseKind,
  options: TestDatabaseOptions = {},
): Promise<TestDatabase> {
  let testDatabase: TestDatabase;
  if (kind === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'care-identity-test-'));
    const path = join(dir, 'store.sqlite');
    const db = openDatabase({ sqlitePath: path });
    testDatabase = {
      kind,
      db,
      location: path,
      async close() {
        await db.destroy();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  } else {
    const url = postgresUrl;
    if (!url) throw new Error(POSTGRES_SKIP_MESSAGE);
    const schema = `t_${randomBytes(8).toString('hex')}`;
    await withAdminClient(url, (client) => client.query(`create schema ${schema}`));
    const db = openDatabase({ url, sqlitePath: '', schema });
    testDatabase = {
      kind,
      db,
      location: schema,
      async close() {
        await db.destroy();
        await withAdminClient(url, (client) => client.query(`drop schema if exists ${schema} cascade`));
      },
    };
  }
  if (options.migrate ?? true) {
    try {
      await migrate(testDatabase.db);
    } catch (error) {
      await testDatabase.close();
      throw error;
    }
  }
  return testDatabase;
}

/** Runs fn against a fresh, migrated database and destroys it afterwards. */
export async function withDatabase(kind: DatabaseKind, fn: (db: Db) => Promise<void>): Promise<void> {
  const testDatabase = await createTestDatabase(kind);
  try {
    await fn(testDatabase.db);
  } finally {
    await testDatabase.close();
  }
}

export interface DatabaseSuiteContext {
  kind: DatabaseKind;
  /** The suite's database: fresh and migrated before its first test, destroyed after its last. */
  readonly db: Db;
}

/**
 * Registers the suite once per available database kind (`<name> [sqlite]`, `<name> [postgres]`).
 * Each run gets its own fresh, migrated database through `ctx.db`. Without DATABASE_URL the
 * PostgreSQL run is replaced by one skipped test that says why.
 */
export function describeEachDatabase(name: string, fn: (ctx: DatabaseSuiteContext) => void): void {
  for (const kind of databaseKinds) {
    describe(`${name} [${kind}]`, () => {
      let testDatabase: TestDatabase | undefined;
      before(async () => {
        testDatabase = await createTestDatabase(kind);
      });
      after(async () => {
        await testDatabase?.close();
      });
      fn({
        kind,
        get db(): Db {
          if (!testDatabase) throw new Error('the test database is only available inside tests and hooks');
          return testDatabase.db;
        },
      });
    });
  }
  if (!postgresUrl) {
    describe(`${name} [postgres]`, () => {
      test(POSTGRES_SKIP_MESSAGE, { skip: true }, () => {});
    });
  }
}
