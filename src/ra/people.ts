// Registering people (contract §16.3): search for duplicates, create the profile in an organisation
// the RA serves, record identity checks, upload a photo. New profiles are restricted until their
// identity is verified.
import { createHash } from 'node:crypto';
import { sql } from 'kysely';
import { z } from 'zod';
import { isUniqueViolation } from '../directory/errors.ts';
import { odsCode } from '../directory/organisations.ts';
import { createPerson, type Person, PersonInput, toPerson } from '../directory/people.ts';
import { calendarDate } from '../directory/positions.ts';
import { isUniqueId, newUniqueId } from '../directory/unique-id.ts';
import type { Db } from '../store/database.ts';
import { type ActionScope, type Actor, personOrgCodes, type RaDependencies, runAction } from './action.ts';
import { grantIn } from './capabilities.ts';
import { conflict, forbidden, invalidFields, notFound, RaError } from './errors.ts';
import {
  documentCheckCodes,
  documentSetProblem,
  documentTypeCodes,
  levelForVerification,
  verificationMethods,
} from './identity-documents.ts';

export type IdentityStatus = 'unverified' | 'migrated' | 'verified' | null;

/** Profiles the RA must verify before positions or authenticators are given. */
export function isRestricted(status: string | null): boolean {
  return status === 'unverified' || status === 'migrated';
}

const niNumber = z
  .string({ error: 'Enter the National Insurance number as text' })
  .transform((value) => value.replace(/\s+/g, '').toUpperCase())
  .pipe(
    z.string().regex(/^(?!BG|GB|KN|NK|NT|TN|ZZ)[A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z]\d{6}[A-D]$/, {
      error: 'Enter a National Insurance number in the right format, like AB 12 34 56 C',
    }),
  );

const dateOfBirth = calendarDate.refine((value) => value >= '1900-01-01' && value <= todayIso(), {
  error: 'The date of birth must be a real date in the past',
});

function todayIso(): string {
  return new Date().toISOString().slice(0, 10);
}

const personId = z
  .string({ error: 'Enter the person id' })
  .trim()
  .refine(isUniqueId, { error: 'A person id is 12 digits' });

export const DuplicateSearchInput = z
  .strictObject({
    givenName: z.string().trim().max(100).optional(),
    familyName: z.string().trim().max(100).optional(),
    dateOfBirth: dateOfBirth.optional(),
    email: z.string().trim().toLowerCase().max(254).optional(),
    niNumber: niNumber.optional(),
  })
  .refine((v) => (v.givenName && v.familyName) || v.dateOfBirth || v.email || v.niNumber, {
    error: 'Enter a full name, a date of birth, an email address or a National Insurance number',
  });
export type DuplicateSearchInput = z.input<typeof DuplicateSearchInput>;

export const RegisterPersonInput = PersonInput.omit({ idAssuranceLevel: true })
  .extend({
    orgCode: odsCode,
    dateOfBirth,
    niNumber: niNumber.nullish().transform((value) => value ?? null),
    /** After a duplicate search showed a person with the same name and date of birth. */
    confirmNotDuplicate: z.boolean({ error: 'confirmNotDuplicate must be true or false' }).default(false),
  })
  .strict();
export type RegisterPersonInput = z.input<typeof RegisterPersonInput>;

const documentSchema = z.strictObject(
  {
    type: z.enum(documentTypeCodes, {
      error: `The document type must be one of ${documentTypeCodes.join(', ')}`,
    }),
    checks: z
      .array(
        z.enum(documentCheckCodes, { error: `Each check must be one of ${documentCheckCodes.join(', ')}` }),
        { error: 'List the checks made on the document' },
      )
      .min(1, { error: 'List at least one check made on the document' })
      .transform((checks) => [...new Set(checks)]),
  },
  { error: 'Record only the document type and the checks made (no numbers or images are kept)' },
);

export const VerifyIdentityInput = z
  .strictObject({
    personId,
    documents: z
      .array(documentSchema, { error: 'List the three documents seen' })
      .length(3, { error: 'Record exactly three documents' }),
    checkedOn: calendarDate.refine((value) => value <= todayIso(), {
      error: 'The check date cannot be in the future',
    }),
    method: z
      .enum(verificationMethods, { error: 'The method must be face-to-face or video' })
      .default('face-to-face'),
  })
  .superRefine((value, ctx) => {
    const problem = documentSetProblem(value.documents);
    if (problem) ctx.addIssue({ code: 'custom', message: problem, path: ['documents'] });
  });
export type VerifyIdentityInput = z.input<typeof VerifyIdentityInput>;

export const photoTypes = {
  'image/jpeg': [0xff, 0xd8, 0xff],
  'image/png': [0x89, 0x50, 0x4e, 0x47],
} as const;

export interface PhotoInput {
  personId: string;
  contentType: string;
  bytes: Uint8Array;
}

/** The directory's person, as RA staff see it: identity details and where they work. */
export interface RaPerson
  extends Pick<
    Person,
    'id' | 'givenName' | 'familyName' | 'middleNames' | 'title' | 'displayName' | 'email' | 'idAssuranceLevel'
  > {
  dateOfBirth: string | null;
  niNumber: string | null;
  identityStatus: IdentityStatus;
  status: 'active' | 'suspended';
  organisations: string[];
  hasPhoto: boolean;
  createdAt: number;
}

export interface DuplicateMatch {
  id: string;
  givenName: string;
  familyName: string;
  matchedOn: ('email' | 'niNumber' | 'name' | 'dateOfBirth')[];
  /** False: the person belongs to none of the actor's organisations, so nothing more is shown. */
  inYourOrganisations: boolean;
  dateOfBirth?: string | null;
  email?: string;
}

function parse<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const parsed = schema.safeParse(input);
  if (!parsed.success) throw invalidFields(parsed.error);
  return parsed.data;
}

export async function loadRaPerson(db: Db, id: string): Promise<RaPerson | undefined> {
  const row = await db.selectFrom('people').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row) return undefined;
  const [organisations, photo] = await Promise.all([
    personOrgCodes(db, id),
    db.selectFrom('person_photos').select('person_id').where('person_id', '=', id).executeTakeFirst(),
  ]);
  const person = toPerson(row);
  return {
    id: person.id,
    givenName: person.givenName,
    familyName: person.familyName,
    middleNames: person.middleNames,
    title: person.title,
    displayName: person.displayName,
    email: person.email,
    dateOfBirth: row.date_of_birth,
    niNumber: row.ni_number,
    idAssuranceLevel: person.idAssuranceLevel,
    identityStatus: row.identity_status as IdentityStatus,
    status: person.status,
    organisations: organisations.sort(),
    hasPhoto: photo !== undefined,
    createdAt: person.createdAt,
  };
}

async function findDuplicates(
  scope: ActionScope,
  input: z.output<typeof DuplicateSearchInput>,
): Promise<DuplicateMatch[]> {
  const { db } = scope;
  const lower = (column: 'given_name' | 'family_name') => sql<string>`lower(${sql.ref(column)})`;
  const rows = await db
    .selectFrom('people')
    .selectAll()
    .where((eb) => {
      const any = [];
      if (input.email) any.push(eb('email', '=', input.email));
      if (input.niNumber) any.push(eb('ni_number', '=', input.niNumber));
      if (input.dateOfBirth) any.push(eb('date_of_birth', '=', input.dateOfBirth));
      if (input.givenName && input.familyName) {
        any.push(
          eb.and([
            eb(lower('given_name'), '=', input.givenName.toLowerCase()),
            eb(lower('family_name'), '=', input.familyName.toLowerCase()),
          ]),
        );
      }
      return eb.or(any);
    })
    .orderBy('family_name')
    .orderBy('given_name')
    .limit(50)
    .execute();
  const matches: DuplicateMatch[] = [];
  for (const row of rows) {
    const matchedOn: DuplicateMatch['matchedOn'] = [];
    if (input.email && row.email === input.email) matchedOn.push('email');
    if (input.niNumber && row.ni_number === input.niNumber) matchedOn.push('niNumber');
    if (
      input.givenName &&
      input.familyName &&
      row.given_name.toLowerCase() === input.givenName.toLowerCase() &&
      row.family_name.toLowerCase() === input.familyName.toLowerCase()
    ) {
      matchedOn.push('name');
    }
    if (input.dateOfBirth && row.date_of_birth === input.dateOfBirth) matchedOn.push('dateOfBirth');
    const orgs = await personOrgCodes(db, row.id);
    const inYourOrganisations = orgs.some((org) => grantIn(scope.capabilities, 'view_person', org) !== 'no');
    matches.push({
      id: row.id,
      givenName: row.given_name,
      familyName: row.family_name,
      matchedOn,
      inYourOrganisations,
      ...(inYourOrganisations ? { dateOfBirth: row.date_of_birth, email: row.email } : {}),
    });
  }
  return matches;
}

function requireRaStaff(scope: ActionScope, action: 'view_person' | 'create_profile'): void {
  const any = [...scope.capabilities.organisations.keys()].some(
    (org) => grantIn(scope.capabilities, action, org) !== 'no',
  );
  if (!any) throw forbidden('Only Registration Authority staff can do this');
}

export function peopleServices(deps: RaDependencies) {
  return {
    /** Searches the whole directory: duplicates matter wherever they were registered. */
    searchDuplicates(actor: Actor, input: DuplicateSearchInput): Promise<DuplicateMatch[]> {
      return runAction(deps, actor, 'ra_duplicate_search', async (scope) => {
        requireRaStaff(scope, 'view_person');
        const value = parse(DuplicateSearchInput, input);
        const matches = await findDuplicates(scope, value);
        return {
          result: matches,
          // The search is directory-wide; file it under an organisation the actor serves.
          orgCode: [...scope.capabilities.organisations.keys()].sort()[0] ?? null,
          detail: {
            fields: Object.keys(value).filter((key) => value[key as keyof typeof value]),
            matches: matches.length,
          },
        };
      });
    },

    getPerson(actor: Actor, id: string): Promise<RaPerson> {
      return runAction(deps, actor, 'ra_person_viewed', async (scope) => {
        const orgCode = await scope.authoriseForPerson('view_person', id);
        const person = await loadRaPerson(scope.db, id);
        if (!person) throw notFound('There is no person with this id', 'personId');
        return { result: person, subject: id, orgCode };
      });
    },

    registerPerson(actor: Actor, input: RegisterPersonInput): Promise<RaPerson> {
      return runAction(deps, actor, 'ra_person_registered', async (scope) => {
        requireRaStaff(scope, 'create_profile');
        const value = parse(RegisterPersonInput, input);
        scope.authorise('create_profile', value.orgCode);
        const { db } = scope;
        const org = await db
          .selectFrom('organisations')
          .select('code')
          .where('code', '=', value.orgCode)
          .executeTakeFirst();
        if (!org) throw notFound('There is no organisation with this ODS code', 'orgCode');
        const duplicates = await findDuplicates(scope, {
          givenName: value.givenName,
          familyName: value.familyName,
          dateOfBirth: value.dateOfBirth,
          email: value.email,
          ...(value.niNumber ? { niNumber: value.niNumber } : {}),
        });
        if (duplicates.some((d) => d.matchedOn.includes('email'))) {
          throw conflict('Someone in the directory already has this email address', 'email');
        }
        if (duplicates.some((d) => d.matchedOn.includes('niNumber'))) {
          throw conflict('Someone in the directory already has this National Insurance number', 'niNumber');
        }
        const likely = duplicates.filter(
          (d) => d.matchedOn.includes('name') && d.matchedOn.includes('dateOfBirth'),
        );
        if (likely.length > 0 && !value.confirmNotDuplicate) {
          throw new RaError(
            'conflict',
            'Someone with this name and date of birth is already in the directory. Check they are a different person, then confirm',
            [
              {
                field: 'confirmNotDuplicate',
                message: `Possible duplicate of ${likely.map((d) => d.id).join(', ')}`,
              },
            ],
          );
        }
        const person = await createPerson(db, {
          givenName: value.givenName,
          familyName: value.familyName,
          ...(value.middleNames !== undefined ? { middleNames: value.middleNames } : {}),
          ...(value.title !== undefined ? { title: value.title } : {}),
          ...(value.displayName !== undefined ? { displayName: value.displayName } : {}),
          email: value.email,
          // Self-asserted until the RA records identity checks.
          idAssuranceLevel: 1,
          ...(value.professionalIds ? { professionalIds: value.professionalIds } : {}),
        });
        try {
          await db
            .updateTable('people')
            .set({
              date_of_birth: value.dateOfBirth,
              ni_number: value.niNumber,
              identity_status: 'unverified',
            })
            .where('id', '=', person.id)
            .execute();
        } catch (error) {
          if (isUniqueViolation(error)) {
            throw conflict('Someone in the directory already has this National Insurance number', 'niNumber');
          }
          throw error;
        }
        await db
          .insertInto('org_memberships')
          .values({ person_orgid: newUniqueId(), person_id: person.id, org_code: value.orgCode })
          .execute();
        const saved = await loadRaPerson(db, person.id);
        return {
          result: saved!,
          subject: person.id,
          orgCode: value.orgCode,
          detail: { confirmedNotDuplicate: likely.length > 0 },
        };
      });
    },

    verifyIdentity(actor: Actor, input: VerifyIdentityInput): Promise<RaPerson> {
      return runAction(deps, actor, 'ra_identity_verified', async (scope) => {
        const value = parse(VerifyIdentityInput, input);
        const orgCode = await scope.authoriseForPerson('verify_identity', value.personId);
        const level = levelForVerification[value.method];
        await scope.db
          .insertInto('identity_verifications')
          .values({
            id: newUniqueId(),
            person_id: value.personId,
            org_code: orgCode,
            checked_by: actor.personId,
            checked_on: value.checkedOn,
            method: value.method,
            documents: JSON.stringify(value.documents),
            id_assurance_level: level,
            created_at: scope.now,
          })
          .execute();
        await scope.db
          .updateTable('people')
          .set({ identity_status: 'verified', id_assurance_level: level, updated_at: scope.now })
          .where('id', '=', value.personId)
          .execute();
        const person = await loadRaPerson(scope.db, value.personId);
        return {
          result: person!,
          subject: value.personId,
          orgCode,
          detail: {
            method: value.method,
            checkedOn: value.checkedOn,
            documents: value.documents.map((d) => d.type),
            idAssuranceLevel: level,
          },
        };
      });
    },

    uploadPhoto(
      actor: Actor,
      input: PhotoInput,
    ): Promise<{ size: number; contentType: string; sha256: string }> {
      return runAction(deps, actor, 'ra_photo_uploaded', async (scope) => {
        const id = personId.safeParse(input.personId);
        if (!id.success) throw invalidFields(id.error, 'personId');
        const orgCode = await scope.authoriseForPerson('upload_photo', id.data);
        const contentType = input.contentType.split(';')[0]!.trim().toLowerCase();
        const magic = photoTypes[contentType as keyof typeof photoTypes];
        const field = (message: string) =>
          new RaError('invalid_input', message, [{ field: 'photo', message }]);
        if (!magic) throw field('The photo must be a JPEG or PNG image');
        if (input.bytes.byteLength === 0) throw field('The photo is empty');
        if (input.bytes.byteLength > deps.policy.photoMaxBytes) {
          throw field(`The photo must be ${Math.floor(deps.policy.photoMaxBytes / 1000)} KB or smaller`);
        }
        if (!magic.every((byte, i) => input.bytes[i] === byte)) {
          throw field(`The file is not a ${contentType === 'image/png' ? 'PNG' : 'JPEG'} image`);
        }
        const sha256 = createHash('sha256').update(input.bytes).digest('hex');
        const row = {
          content_type: contentType,
          data: Buffer.from(input.bytes).toString('base64'),
          size: input.bytes.byteLength,
          sha256,
          uploaded_by: actor.personId,
          uploaded_at: scope.now,
        };
        await scope.db
          .insertInto('person_photos')
          .values({ person_id: id.data, ...row })
          .onConflict((oc) => oc.column('person_id').doUpdateSet(row))
          .execute();
        const result = { size: row.size, contentType, sha256 };
        return { result, subject: id.data, orgCode, detail: result };
      });
    },
  };
}
