// Organisations people hold roles in, keyed by ODS code (`org_code` in the claims), with the name
// RPs show and, for GP practices, the optional `gnc` carried in `nhsid_org_memberships`.
import { sql } from 'kysely';
import { z } from 'zod';
import type { Db } from '../store/database.ts';
import { invalidInput } from './errors.ts';
import { wholeNumber } from './paging.ts';

export interface Organisation {
  code: string;
  name: string;
  gnc: string | null;
}

/** ODS code: 3-10 letters and digits; accepted in any case, stored upper-case. */
export const odsCode = z
  .string({ error: 'Enter an ODS code' })
  .trim()
  .toUpperCase()
  .regex(/^[A-Z0-9]{3,10}$/, { error: 'An ODS code is 3 to 10 letters and digits, like RXX or A99999' });

export const OrganisationInput = z.object({
  code: odsCode,
  name: z
    .string({ error: 'Enter the organisation name' })
    .trim()
    .min(1, { error: 'Enter the organisation name' })
    .max(200, { error: 'The organisation name must be 200 characters or fewer' }),
  /** Absent keeps the current value on an update; null clears it. */
  gnc: z
    .string({ error: 'Enter the GNC code as text' })
    .trim()
    .regex(/^[A-Za-z0-9]{0,20}$/, { error: 'A GNC code is up to 20 letters and digits' })
    .nullable()
    .transform((value) => value || null)
    .optional(),
});
export type OrganisationInput = z.input<typeof OrganisationInput>;

export interface ListOrganisationsOptions {
  /** Matched case-insensitively against the name, or as the start of the ODS code. */
  query?: string | undefined;
  limit?: number | undefined;
  offset?: number | undefined;
}

const DEFAULT_PAGE = 100;
const MAX_PAGE = 500;

/** Creates the organisation, or renames it (and sets its GNC, when given) if the code exists. */
export async function upsertOrganisation(db: Db, input: OrganisationInput): Promise<Organisation> {
  const parsed = OrganisationInput.safeParse(input);
  if (!parsed.success) throw invalidInput(parsed.error);
  const { code, name, gnc } = parsed.data;
  await db
    .insertInto('organisations')
    .values({ code, name, gnc: gnc ?? null })
    .onConflict((oc) => oc.column('code').doUpdateSet(gnc === undefined ? { name } : { name, gnc }))
    .execute();
  const saved = await findOrganisation(db, code);
  if (!saved) throw new Error(`organisation ${code} vanished after upsert`);
  return saved;
}

function toOrganisation(row: Organisation): Organisation {
  return { code: row.code, name: row.name, gnc: row.gnc };
}

export async function findOrganisation(db: Db, code: string): Promise<Organisation | undefined> {
  const parsed = odsCode.safeParse(code);
  if (!parsed.success) return undefined;
  const row = await db
    .selectFrom('organisations')
    .select(['code', 'name', 'gnc'])
    .where('code', '=', parsed.data)
    .executeTakeFirst();
  return row && toOrganisation(row);
}

export async function listOrganisations(
  db: Db,
  options: ListOrganisationsOptions = {},
): Promise<Organisation[]> {
  const limit = wholeNumber(options.limit, DEFAULT_PAGE, 1, MAX_PAGE);
  const offset = wholeNumber(options.offset, 0, 0, Number.MAX_SAFE_INTEGER);
  const text = options.query?.trim() ?? '';
  let query = db.selectFrom('organisations').select(['code', 'name', 'gnc']);
  if (text) {
    const escaped = text.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`);
    query = query.where((eb) =>
      eb.or([
        sql<boolean>`lower(${sql.ref('name')}) like ${`%${escaped}%`} escape '\\'`,
        sql<boolean>`lower(${sql.ref('code')}) like ${`${escaped}%`} escape '\\'`,
      ]),
    );
  }
  const rows = await query.orderBy('name').orderBy('code').limit(limit).offset(offset).execute();
  return rows.map(toOrganisation);
}
