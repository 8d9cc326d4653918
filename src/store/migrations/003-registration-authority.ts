// Registration Authority records (issue 4): what the directory needs to register and verify people
// (date of birth, NI number, identity status, photo, the identity checks made), positions and the
// requests sponsors raise for them, and which position a role assignment came from.
import type { Kysely } from 'kysely';

// biome-ignore lint/suspicious/noExplicitAny: migrations run before the typed schema exists
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('people').addColumn('date_of_birth', 'text').execute();
  await db.schema.alterTable('people').addColumn('ni_number', 'text').execute();
  // null: recorded outside the RA (CLI, seed) at the level given; unverified | migrated: restricted
  // until an RA records identity checks; verified: checks recorded.
  await db.schema.alterTable('people').addColumn('identity_status', 'text').execute();
  await db.schema.createIndex('people_ni_number').unique().on('people').column('ni_number').execute();
  await db.schema.createIndex('people_date_of_birth').on('people').column('date_of_birth').execute();

  await db.schema
    .createTable('person_photos')
    .addColumn('person_id', 'varchar(12)', (c) => c.primaryKey().references('people.id').onDelete('cascade'))
    .addColumn('content_type', 'text', (c) => c.notNull())
    .addColumn('data', 'text', (c) => c.notNull()) // base64: one column type on both dialects
    .addColumn('size', 'integer', (c) => c.notNull())
    .addColumn('sha256', 'text', (c) => c.notNull())
    .addColumn('uploaded_by', 'text', (c) => c.notNull())
    .addColumn('uploaded_at', 'bigint', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('identity_verifications')
    .addColumn('id', 'varchar(12)', (c) => c.primaryKey())
    .addColumn('person_id', 'varchar(12)', (c) => c.notNull().references('people.id').onDelete('cascade'))
    .addColumn('org_code', 'text', (c) => c.notNull())
    .addColumn('checked_by', 'text', (c) => c.notNull())
    .addColumn('checked_on', 'text', (c) => c.notNull())
    .addColumn('method', 'text', (c) => c.notNull())
    .addColumn('documents', 'text', (c) => c.notNull())
    .addColumn('id_assurance_level', 'integer', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('identity_verifications_person')
    .on('identity_verifications')
    .column('person_id')
    .execute();

  await db.schema
    .createTable('positions')
    .addColumn('id', 'varchar(12)', (c) => c.primaryKey())
    .addColumn('org_code', 'text', (c) => c.notNull().references('organisations.code'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('job_role_code', 'text', (c) => c.notNull())
    .addColumn('activity_codes', 'text', (c) => c.notNull().defaultTo('[]'))
    .addColumn('workgroups', 'text', (c) => c.notNull().defaultTo('[]'))
    .addColumn('assignable', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('approval', 'text', (c) => c.notNull())
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('positions_org').on('positions').column('org_code').execute();

  await db.schema
    .createTable('position_requests')
    .addColumn('id', 'varchar(12)', (c) => c.primaryKey())
    .addColumn('position_id', 'varchar(12)', (c) => c.notNull().references('positions.id'))
    .addColumn('person_id', 'varchar(12)', (c) => c.notNull().references('people.id').onDelete('cascade'))
    .addColumn('org_code', 'text', (c) => c.notNull())
    .addColumn('start_date', 'text')
    .addColumn('end_date', 'text')
    .addColumn('reason', 'text')
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('requested_by', 'text', (c) => c.notNull())
    .addColumn('requested_at', 'bigint', (c) => c.notNull())
    .addColumn('decided_by', 'text')
    .addColumn('decided_at', 'bigint')
    .addColumn('person_roleid', 'text')
    .execute();
  await db.schema
    .createIndex('position_requests_org_status')
    .on('position_requests')
    .columns(['org_code', 'status'])
    .execute();

  await db.schema.alterTable('role_assignments').addColumn('position_id', 'text').execute();
  await db.schema.alterTable('role_assignments').addColumn('assigned_by', 'text').execute();

  await db.schema.createIndex('audit_events_org_at').on('audit_events').columns(['org_code', 'at']).execute();
}
