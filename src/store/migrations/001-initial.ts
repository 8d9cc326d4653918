import { type Kysely, sql } from 'kysely';

// biome-ignore lint/suspicious/noExplicitAny: migrations run before the typed schema exists
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('people')
    .addColumn('id', 'varchar(12)', (c) => c.primaryKey())
    .addColumn('given_name', 'text', (c) => c.notNull())
    .addColumn('family_name', 'text', (c) => c.notNull())
    .addColumn('middle_names', 'text')
    .addColumn('title', 'text')
    .addColumn('display_name', 'text')
    .addColumn('email', 'text', (c) => c.notNull().unique())
    .addColumn('id_assurance_level', 'integer', (c) => c.notNull())
    .addColumn('professional_ids', 'text', (c) => c.notNull().defaultTo('{}'))
    .addColumn('status', 'text', (c) => c.notNull().defaultTo('active'))
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('organisations')
    .addColumn('code', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('gnc', 'text')
    .execute();

  await db.schema
    .createTable('org_memberships')
    .addColumn('person_orgid', 'varchar(12)', (c) => c.primaryKey())
    .addColumn('person_id', 'varchar(12)', (c) => c.notNull().references('people.id').onDelete('cascade'))
    .addColumn('org_code', 'text', (c) => c.notNull().references('organisations.code'))
    .addUniqueConstraint('org_memberships_person_org', ['person_id', 'org_code'])
    .execute();

  await db.schema
    .createTable('role_assignments')
    .addColumn('person_roleid', 'varchar(12)', (c) => c.primaryKey())
    .addColumn('person_orgid', 'varchar(12)', (c) => c.notNull().references('org_memberships.person_orgid'))
    .addColumn('person_id', 'varchar(12)', (c) => c.notNull().references('people.id').onDelete('cascade'))
    .addColumn('org_code', 'text', (c) => c.notNull().references('organisations.code'))
    .addColumn('job_role_code', 'text', (c) => c.notNull())
    .addColumn('activity_codes', 'text', (c) => c.notNull().defaultTo('[]'))
    .addColumn('workgroups', 'text', (c) => c.notNull().defaultTo('[]'))
    .addColumn('start_date', 'text')
    .addColumn('end_date', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('role_assignments_person').on('role_assignments').column('person_id').execute();

  await db.schema
    .createTable('clients')
    .addColumn('client_id', 'text', (c) => c.primaryKey())
    .addColumn('metadata', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('signing_keys')
    .addColumn('kid', 'text', (c) => c.primaryKey())
    .addColumn('alg', 'text', (c) => c.notNull())
    .addColumn('public_jwk', 'text', (c) => c.notNull())
    .addColumn('private_jwk_sealed', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('retired_at', 'bigint')
    .execute();

  await db.schema
    .createTable('oidc_payloads')
    .addColumn('model', 'text', (c) => c.notNull())
    .addColumn('id', 'text', (c) => c.notNull())
    .addColumn('payload', 'text', (c) => c.notNull())
    .addColumn('grant_id', 'text')
    .addColumn('uid', 'text')
    .addColumn('user_code', 'text')
    .addColumn('expires_at', 'bigint')
    .addColumn('consumed_at', 'bigint')
    .addPrimaryKeyConstraint('oidc_payloads_pk', ['model', 'id'])
    .execute();
  await db.schema.createIndex('oidc_payloads_grant').on('oidc_payloads').column('grant_id').execute();
  await db.schema.createIndex('oidc_payloads_uid').on('oidc_payloads').columns(['model', 'uid']).execute();
  await db.schema.createIndex('oidc_payloads_expiry').on('oidc_payloads').column('expires_at').execute();

  await db.schema
    .createTable('authenticators')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('person_id', 'varchar(12)', (c) => c.notNull().references('people.id').onDelete('cascade'))
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('label', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('data', 'text', (c) => c.notNull())
    .addColumn('failed_attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('locked_until', 'bigint')
    .addColumn('last_used_at', 'bigint')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('authenticators_person').on('authenticators').column('person_id').execute();

  await db.schema
    .createTable('enrolment_tokens')
    .addColumn('token_hash', 'text', (c) => c.primaryKey())
    .addColumn('person_id', 'varchar(12)', (c) => c.notNull().references('people.id').onDelete('cascade'))
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .addColumn('used_at', 'bigint')
    .addColumn('created_by', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('sign_in_contexts')
    .addColumn('session_uid', 'text', (c) => c.primaryKey())
    .addColumn('person_id', 'varchar(12)', (c) => c.notNull())
    .addColumn('level', 'integer', (c) => c.notNull())
    .addColumn('methods', 'text', (c) => c.notNull())
    .addColumn('authenticator_id', 'text')
    .addColumn('authenticated_at', 'bigint', (c) => c.notNull())
    .addColumn('last_seen_at', 'bigint', (c) => c.notNull())
    .addColumn('selected_role_id', 'text')
    .addColumn('role_selected', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();

  const seqType = db.getExecutor().adapter.constructor.name.startsWith('Postgres') ? 'bigserial' : 'integer';
  await db.schema
    .createTable('audit_events')
    .addColumn('seq', sql.raw(seqType), (c) =>
      seqType === 'integer' ? c.primaryKey().autoIncrement() : c.primaryKey(),
    )
    .addColumn('at', 'bigint', (c) => c.notNull())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('outcome', 'text', (c) => c.notNull())
    .addColumn('actor', 'text')
    .addColumn('subject', 'text')
    .addColumn('org_code', 'text')
    .addColumn('source_ip', 'text')
    .addColumn('detail', 'text', (c) => c.notNull())
    .addColumn('prev_hash', 'text', (c) => c.notNull())
    .addColumn('hash', 'text', (c) => c.notNull())
    .execute();
}
