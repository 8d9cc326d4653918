// Versioned migrations, applied in key order by `care-identity migrate` and on start.
import type { Migration, MigrationProvider } from 'kysely/migration';
import * as initial from './001-initial.ts';
import * as webauthn from './002-webauthn.ts';
import * as registrationAuthority from './003-registration-authority.ts';

const migrations: Record<string, Migration> = {
  '001-initial': initial,
  '002-webauthn': webauthn,
  '003-registration-authority': registrationAuthority,
};

export const migrationProvider: MigrationProvider = {
  async getMigrations() {
    return migrations;
  },
};
