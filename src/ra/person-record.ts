// What the RA portal shows on a person's record beyond the profile: their role assignments in the
// organisations the actor serves (with the position each came from, and whether it is in force
// today) and the identity checks recorded for them. Reading is audited as viewing the person.
import { findJobRole } from '../directory/national-rbac.ts';
import { listRoleAssignments } from '../directory/positions.ts';
import { type Actor, type RaDependencies, runAction } from './action.ts';
import { grantIn } from './capabilities.ts';
import { notFound } from './errors.ts';
import { type DocumentType, documentTypes } from './identity-documents.ts';
import { loadRaPerson, type RaPerson } from './people.ts';

export interface RecordAssignment {
  personRoleId: string;
  orgCode: string;
  jobRoleCode: string;
  jobRoleName: string;
  positionId: string | null;
  positionName: string | null;
  activityCodes: string[];
  startDate: string | null;
  endDate: string | null;
  /** In force today, not started yet, or ended. */
  state: 'current' | 'future' | 'ended';
}

export interface RecordVerification {
  checkedOn: string;
  method: string;
  checkedBy: string;
  orgCode: string;
  documents: string[];
}

export interface PersonRecord {
  person: RaPerson;
  assignments: RecordAssignment[];
  verifications: RecordVerification[];
}

export interface PersonPhoto {
  contentType: string;
  bytes: Buffer;
}

function stateOn(today: string, start: string | null, end: string | null): RecordAssignment['state'] {
  if (start && start > today) return 'future';
  if (end && end < today) return 'ended';
  return 'current';
}

export function personRecordServices(deps: RaDependencies) {
  return {
    personRecord(actor: Actor, personId: string): Promise<PersonRecord> {
      return runAction(deps, actor, 'ra_person_viewed', async (scope) => {
        const orgCode = await scope.authoriseForPerson('view_person', personId);
        const person = await loadRaPerson(scope.db, personId);
        if (!person) throw notFound('There is no person with this id', 'personId');
        const visible = (org: string) => grantIn(scope.capabilities, 'view_person', org) !== 'no';
        const roles = (await listRoleAssignments(scope.db, personId)).filter((r) => visible(r.orgCode));
        const extra = await scope.db
          .selectFrom('role_assignments')
          .leftJoin('positions', 'positions.id', 'role_assignments.position_id')
          .select(['role_assignments.person_roleid', 'positions.id as position_id', 'positions.name'])
          .where('role_assignments.person_id', '=', personId)
          .execute();
        const byRole = new Map(extra.map((row) => [row.person_roleid, row]));
        const assignments = roles.map((role) => ({
          personRoleId: role.personRoleId,
          orgCode: role.orgCode,
          jobRoleCode: role.jobRoleCode,
          jobRoleName: findJobRole(role.jobRoleCode)?.name ?? role.jobRoleCode,
          positionId: byRole.get(role.personRoleId)?.position_id ?? null,
          positionName: byRole.get(role.personRoleId)?.name ?? null,
          activityCodes: role.activityCodes,
          startDate: role.startDate,
          endDate: role.endDate,
          state: stateOn(scope.today, role.startDate, role.endDate),
        }));
        const checks = await scope.db
          .selectFrom('identity_verifications')
          .selectAll()
          .where('person_id', '=', personId)
          .orderBy('created_at', 'desc')
          .execute();
        const verifications = checks
          .filter((row) => visible(row.org_code))
          .map((row) => ({
            checkedOn: row.checked_on,
            method: row.method,
            checkedBy: row.checked_by,
            orgCode: row.org_code,
            documents: (JSON.parse(row.documents) as { type: DocumentType }[]).map(
              (d) => documentTypes[d.type]?.name ?? d.type,
            ),
          }));
        return { result: { person, assignments, verifications }, subject: personId, orgCode };
      });
    },

    /** The person's photo, for RA staff who may view them (audited as a view). */
    async personPhoto(actor: Actor, personId: string): Promise<PersonPhoto | undefined> {
      return runAction(deps, actor, 'ra_photo_viewed', async (scope) => {
        const orgCode = await scope.authoriseForPerson('view_person', personId);
        const row = await scope.db
          .selectFrom('person_photos')
          .select(['content_type', 'data'])
          .where('person_id', '=', personId)
          .executeTakeFirst();
        const result = row
          ? { contentType: row.content_type, bytes: Buffer.from(row.data, 'base64') }
          : undefined;
        return { result, subject: personId, orgCode };
      });
    },
  };
}
