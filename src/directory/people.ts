// People in the directory: the identity behind `sub`, their names, email, identity assurance level
// and professional registration numbers (contract §9.1 `profile`, `email`, `nhsperson`,
// `professionalmemberships`).
import { type RawBuilder, type Selectable, sql } from 'kysely';
import { z } from 'zod';
import type { Db } from '../store/database.ts';
import type { PeopleTable } from '../store/schema.ts';
import { DirectoryError, invalidInput, isUniqueViolation } from './errors.ts';
import { wholeNumber } from './paging.ts';
import { isUniqueId, newUniqueId } from './unique-id.ts';

export const professionalIdKeys = [
  'gmc_id',
  'gdc_id',
  'gphc_id',
  'nmc_id',
  'rcn_id',
  'gmp_id',
  'gdp_id',
  'consultant_id',
] as const;

export type ProfessionalIdKey = (typeof professionalIdKeys)[number];
export type ProfessionalIds = Partial<Record<ProfessionalIdKey, string>>;
export type PersonStatus = 'active' | 'suspended';

export interface Person {
  id: string;
  givenName: string;
  familyName: string;
  middleNames: string | null;
  title: string | null;
  displayName: string | null;
  email: string;
  idAssuranceLevel: number;
  professionalIds: ProfessionalIds;
  status: PersonStatus;
  createdAt: number;
  updatedAt: number;
}

const requiredName = (what: string) =>
  z
    .string({ error: `Enter a ${what}` })
    .trim()
    .min(1, { error: `Enter a ${what}` })
    .max(100, { error: `The ${what} must be 100 characters or fewer` });

/** Optional text: blank becomes null, and null clears the field on update. */
const optionalText = (what: string, max: number) =>
  z
    .string({ error: `Enter the ${what} as text` })
    .trim()
    .max(max, { error: `The ${what} must be ${max} characters or fewer` })
    .nullable()
    .transform((value) => value || null);

const email = z
  .string({ error: 'Enter an email address' })
  .trim()
  .toLowerCase()
  .max(254, { error: 'The email address must be 254 characters or fewer' })
  .pipe(z.email({ error: 'Enter a valid email address, like name@example.nhs.uk' }));

const idAssuranceLevel = z
  .number({ error: 'The identity assurance level must be a number from 0 to 3' })
  .int({ error: 'The identity assurance level must be a whole number from 0 to 3' })
  .min(0, { error: 'The identity assurance level must be from 0 to 3' })
  .max(3, { error: 'The identity assurance level must be from 0 to 3' });

const professionalIds = z.partialRecord(
  z.enum(professionalIdKeys),
  z
    .string({ error: 'Enter the registration number as text' })
    .trim()
    .regex(/^[A-Za-z0-9]{1,32}$/, { error: 'A registration number can only contain letters and digits' }),
  {
    error:
      'Professional registration numbers must be gmc_id, gdc_id, gphc_id, nmc_id, rcn_id, gmp_id, gdp_id or consultant_id',
  },
);

export const PersonInput = z.object({
  givenName: requiredName('given name'),
  familyName: requiredName('family name'),
  middleNames: optionalText('middle names', 200).optional(),
  title: optionalText('title', 35).optional(),
  displayName: optionalText('display name', 200).optional(),
  email,
  idAssuranceLevel: idAssuranceLevel.default(3),
  professionalIds: professionalIds.optional(),
});
export type PersonInput = z.input<typeof PersonInput>;

/** A change to a person: absent fields stay as they are, null clears an optional field, and
 * `professionalIds` replaces the whole set. */
export const PersonPatch = z.object({
  givenName: requiredName('given name').optional(),
  familyName: requiredName('family name').optional(),
  middleNames: optionalText('middle names', 200).optional(),
  title: optionalText('title', 35).optional(),
  displayName: optionalText('display name', 200).optional(),
  email: email.optional(),
  idAssuranceLevel: idAssuranceLevel.optional(),
  professionalIds: professionalIds.optional(),
  status: z.enum(['active', 'suspended'], { error: 'The status must be active or suspended' }).optional(),
});
export type PersonPatch = z.input<typeof PersonPatch>;

export interface ListPeopleOptions {
  /** Matched, case-insensitively, against given, family, full and display name and email; or an exact id. */
  query?: string | undefined;
  limit?: number | undefined;
  offset?: number | undefined;
}

const DEFAULT_PAGE = 50;
const MAX_PAGE = 200;

function parseProfessionalIds(json: string): ProfessionalIds {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    return {};
  }
  const ids: ProfessionalIds = {};
  if (value && typeof value === 'object') {
    for (const key of professionalIdKeys) {
      const id = (value as Record<string, unknown>)[key];
      if (typeof id === 'string' && id) ids[key] = id;
    }
  }
  return ids;
}

export function toPerson(row: Selectable<PeopleTable>): Person {
  return {
    id: row.id,
    givenName: row.given_name,
    familyName: row.family_name,
    middleNames: row.middle_names,
    title: row.title,
    displayName: row.display_name,
    email: row.email,
    idAssuranceLevel: Number(row.id_assurance_level),
    professionalIds: parseProfessionalIds(row.professional_ids),
    status: row.status === 'suspended' ? 'suspended' : 'active',
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
  };
}

function duplicateEmail(): DirectoryError {
  return new DirectoryError('duplicate', 'Someone in the directory already has this email address', 'email');
}

function normaliseEmail(value: string): string {
  return value.trim().toLowerCase();
}

async function emailTaken(db: Db, emailAddress: string, exceptId?: string): Promise<boolean> {
  let query = db.selectFrom('people').select('id').where('email', '=', emailAddress);
  if (exceptId) query = query.where('id', '<>', exceptId);
  return (await query.executeTakeFirst()) !== undefined;
}

export async function createPerson(
  db: Db,
  input: PersonInput,
  options: { id?: string } = {},
): Promise<Person> {
  const parsed = PersonInput.safeParse(input);
  if (!parsed.success) throw invalidInput(parsed.error);
  const value = parsed.data;
  if (options.id !== undefined && !isUniqueId(options.id)) {
    throw new DirectoryError('invalid_input', 'A person id must be 12 digits', 'id');
  }
  if (await emailTaken(db, value.email)) throw duplicateEmail();

  const now = Date.now();
  const row: Selectable<PeopleTable> = {
    id: options.id ?? newUniqueId(),
    given_name: value.givenName,
    family_name: value.familyName,
    middle_names: value.middleNames ?? null,
    title: value.title ?? null,
    display_name: value.displayName ?? null,
    email: value.email,
    id_assurance_level: value.idAssuranceLevel,
    professional_ids: JSON.stringify(value.professionalIds ?? {}),
    status: 'active',
    created_at: now,
    updated_at: now,
  };
  try {
    await db.insertInto('people').values(row).execute();
  } catch (error) {
    if (!isUniqueViolation(error)) throw error;
    // Lost a race for the email, or the id was taken.
    if (await emailTaken(db, value.email)) throw duplicateEmail();
    throw new DirectoryError('duplicate', 'Someone in the directory already has this id', 'id');
  }
  return toPerson(row);
}

export async function findPersonById(db: Db, id: string): Promise<Person | undefined> {
  if (!isUniqueId(id)) return undefined;
  const row = await db.selectFrom('people').selectAll().where('id', '=', id).executeTakeFirst();
  return row && toPerson(row);
}

/** Email addresses are stored lower-case, so any capitalisation finds the person. */
export async function findPersonByEmail(db: Db, emailAddress: string): Promise<Person | undefined> {
  // PostgreSQL text cannot hold U+0000, and no email address contains it.
  if (emailAddress.includes('\u0000')) return undefined;
  const row = await db
    .selectFrom('people')
    .selectAll()
    .where('email', '=', normaliseEmail(emailAddress))
    .executeTakeFirst();
  return row && toPerson(row);
}

function likePattern(text: string): string {
  return `%${text.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

export async function listPeople(db: Db, options: ListPeopleOptions = {}): Promise<Person[]> {
  const limit = wholeNumber(options.limit, DEFAULT_PAGE, 1, MAX_PAGE);
  const offset = wholeNumber(options.offset, 0, 0, Number.MAX_SAFE_INTEGER);
  const text = options.query?.trim().replace(/\s+/g, ' ') ?? '';

  let query = db.selectFrom('people').selectAll();
  if (text) {
    const pattern = likePattern(text);
    const matches = (column: RawBuilder<string>) =>
      sql<boolean>`lower(${column}) like ${pattern} escape '\\'`;
    query = query.where((eb) =>
      eb.or([
        matches(sql<string>`${sql.ref('given_name')}`),
        matches(sql<string>`${sql.ref('family_name')}`),
        matches(sql<string>`${sql.ref('given_name')} || ' ' || ${sql.ref('family_name')}`),
        matches(sql<string>`coalesce(${sql.ref('display_name')}, '')`),
        matches(sql<string>`${sql.ref('email')}`),
        ...(isUniqueId(text) ? [eb('id', '=', text)] : []),
      ]),
    );
  }
  const rows = await query
    .orderBy('family_name')
    .orderBy('given_name')
    .orderBy('id')
    .limit(limit)
    .offset(offset)
    .execute();
  return rows.map(toPerson);
}

export async function updatePerson(db: Db, id: string, patch: PersonPatch): Promise<Person> {
  const parsed = PersonPatch.safeParse(patch);
  if (!parsed.success) throw invalidInput(parsed.error);
  const value = parsed.data;
  const current = await findPersonById(db, id);
  if (!current)
    throw new DirectoryError('not_found', 'There is no person with this id in the directory', 'id');
  if (value.email !== undefined && value.email !== current.email && (await emailTaken(db, value.email, id))) {
    throw duplicateEmail();
  }

  const changes: Partial<Selectable<PeopleTable>> = { updated_at: Math.max(Date.now(), current.updatedAt) };
  if (value.givenName !== undefined) changes.given_name = value.givenName;
  if (value.familyName !== undefined) changes.family_name = value.familyName;
  if (value.middleNames !== undefined) changes.middle_names = value.middleNames;
  if (value.title !== undefined) changes.title = value.title;
  if (value.displayName !== undefined) changes.display_name = value.displayName;
  if (value.email !== undefined) changes.email = value.email;
  if (value.idAssuranceLevel !== undefined) changes.id_assurance_level = value.idAssuranceLevel;
  if (value.professionalIds !== undefined) changes.professional_ids = JSON.stringify(value.professionalIds);
  if (value.status !== undefined) changes.status = value.status;

  try {
    await db.updateTable('people').set(changes).where('id', '=', id).execute();
  } catch (error) {
    if (isUniqueViolation(error)) throw duplicateEmail();
    throw error;
  }
  const updated = await findPersonById(db, id);
  if (!updated)
    throw new DirectoryError('not_found', 'There is no person with this id in the directory', 'id');
  return updated;
}
