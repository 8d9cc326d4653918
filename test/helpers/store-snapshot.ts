// Every row of every table, for tests that check a request left the store as it was. Works on both
// adapters: the tables are listed from the database itself, so a table added later is covered too.
import { sql } from 'kysely';
import { type Db, isPostgres } from '../../src/store/database.ts';

export type Row = Record<string, unknown>;

/** Table name → its rows, each as canonical JSON, sorted. */
export type StoreSnapshot = Map<string, string[]>;

export interface TableChange {
  table: string;
  added: Row[];
  removed: Row[];
}

export async function tableNames(db: Db): Promise<string[]> {
  const { rows } = isPostgres(db)
    ? await sql<{ name: string }>`select table_name as name from information_schema.tables
        where table_schema = current_schema() and table_type = 'BASE TABLE'`.execute(db)
    : await sql<{ name: string }>`select name from sqlite_master
        where type = 'table' and name not like 'sqlite_%'`.execute(db);
  return rows
    .map((r) => r.name)
    .filter((name) => !name.startsWith('kysely_'))
    .sort();
}

function canonical(row: Row): string {
  return JSON.stringify(Object.fromEntries(Object.entries(row).sort(([a], [b]) => a.localeCompare(b))));
}

export async function snapshotStore(db: Db): Promise<StoreSnapshot> {
  const snapshot: StoreSnapshot = new Map();
  for (const table of await tableNames(db)) {
    const { rows } = await sql<Row>`select * from ${sql.table(table)}`.execute(db);
    snapshot.set(table, rows.map((row) => canonical({ ...row })).sort());
  }
  return snapshot;
}

/** Row counts per table, for readable assertion messages. */
export function rowCounts(snapshot: StoreSnapshot): Record<string, number> {
  return Object.fromEntries([...snapshot].map(([table, rows]) => [table, rows.length]));
}

/** Rows added and removed per table (an updated row shows as one removed and one added). */
export function storeChanges(before: StoreSnapshot, after: StoreSnapshot): TableChange[] {
  const changes: TableChange[] = [];
  for (const table of new Set([...before.keys(), ...after.keys()])) {
    const remaining = new Map<string, number>();
    for (const row of before.get(table) ?? []) remaining.set(row, (remaining.get(row) ?? 0) + 1);
    const added: Row[] = [];
    for (const row of after.get(table) ?? []) {
      const left = remaining.get(row) ?? 0;
      if (left > 0) remaining.set(row, left - 1);
      else added.push(JSON.parse(row) as Row);
    }
    const removed: Row[] = [];
    for (const [row, count] of remaining) {
      for (let i = 0; i < count; i++) removed.push(JSON.parse(row) as Row);
    }
    if (added.length > 0 || removed.length > 0) changes.push({ table, added, removed });
  }
  return changes;
}
