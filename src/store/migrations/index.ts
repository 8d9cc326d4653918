// Versioned migrations, applied in key order by `care-identity migrate` and on start.
import type { Migration, MigrationProvider } from 'kysely/migration';
import * as initial from './001-initial.ts';

const migrations: Record<string, Migration> = {
  '001-initial': initial,
};

export const migrationProvider: MigrationProvider = {
  async getMigrations() {
    return migrations;
  },
};
