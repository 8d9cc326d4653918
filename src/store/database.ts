// Opens the configured database (embedded SQLite or PostgreSQL) and applies migrations.
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { Kysely, PostgresDialect, sql } from 'kysely';
import { Migrator } from 'kysely/migration';
import pg from 'pg';
import { migrationProvider } from './migrations/index.ts';
import { NodeSqliteDialect } from './node-sqlite-dialect.ts';
import type { Database } from './schema.ts';

// int8 columns hold epoch milliseconds: well inside Number's exact range.
pg.types.setTypeParser(20, (value) => Number(value));

export type Db = Kysely<Database>;

export interface DatabaseOptions {
  url?: string | undefined;
  sqlitePath: string;
  /** PostgreSQL schema (search_path) to use; lets test runs stay apart on one server. */
  schema?: string;
}

export function openDatabase(options: DatabaseOptions): Db {
  if (options.url) {
    const pool = new pg.Pool({
      connectionString: options.url,
      max: 10,
      ...(options.schema ? { options: `-c search_path=${options.schema}` } : {}),
    });
    return new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  }
  if (options.sqlitePath !== ':memory:') mkdirSync(dirname(options.sqlitePath), { recursive: true });
  return new Kysely<Database>({ dialect: new NodeSqliteDialect(options.sqlitePath) });
}

export function isPostgres(db: Db): boolean {
  return db.getExecutor().adapter.constructor.name.startsWith('Postgres');
}

export async function migrate(db: Db): Promise<string[]> {
  // Kysely looks for its migration tables in every schema on the server unless told which one, so
  // with several schemas in one database (parallel test runs, a `schema` option) it would find another
  // schema's tables and then fail to use them through search_path. Name the current schema.
  const migrationTableSchema = isPostgres(db) ? await currentSchema(db) : undefined;
  const migrator = new Migrator({
    db,
    provider: migrationProvider,
    ...(migrationTableSchema ? { migrationTableSchema } : {}),
  });
  const { error, results } = await migrator.migrateToLatest();
  if (error) throw error instanceof Error ? error : new Error(String(error));
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}

async function currentSchema(db: Db): Promise<string | undefined> {
  const { rows } = await sql<{ schema: string | null }>`select current_schema() as schema`.execute(db);
  return rows[0]?.schema ?? undefined;
}
