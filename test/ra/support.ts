// Fixtures for RA tests: organisations, RA staff holding each RA role through real positions, a
// notifier that keeps what it was asked to send, and the service layer over a test database.
import { randomBytes } from 'node:crypto';
import { createAuthenticator } from '../../src/authenticators/authenticator-store.ts';
import { upsertOrganisation } from '../../src/directory/organisations.ts';
import { createPerson } from '../../src/directory/people.ts';
import { assignRole } from '../../src/directory/positions.ts';
import type { AuthenticatorNotice, EmailMessage } from '../../src/notifications/messages.ts';
import type { Notifier } from '../../src/notifications/notifier.ts';
import type { Actor } from '../../src/ra/action.ts';
import type { VerifyIdentityInput } from '../../src/ra/people.ts';
import type { RaRole } from '../../src/ra/permissions.ts';
import { createRaServices, type RaServices } from '../../src/ra/services.ts';
import type { Db } from '../../src/store/database.ts';

/** The job role and activities that make someone each RA role (docs/registration-authority.md). */
export const roleAssignments: Record<RaRole, { jobRoleCode: string; activityCodes: string[] }> = {
  'ra-manager': { jobRoleCode: 'R5080', activityCodes: [] },
  'ra-agent-advanced': { jobRoleCode: 'R5090', activityCodes: ['B0274'] },
  'ra-agent': { jobRoleCode: 'R5090', activityCodes: [] },
  sponsor: { jobRoleCode: 'R8000', activityCodes: ['B1300'] },
  'id-checker': { jobRoleCode: 'R8008', activityCodes: ['B0267'] },
  'local-smartcard-administrator': { jobRoleCode: 'R8015', activityCodes: ['B0263'] },
};

export class RecordingNotifier implements Notifier {
  readonly notices: AuthenticatorNotice[] = [];
  readonly messages: EmailMessage[] = [];
  async send(message: EmailMessage) {
    this.messages.push(message);
    return 'logged' as const;
  }
  async authenticatorNotice(notice: AuthenticatorNotice) {
    this.notices.push(notice);
    return 'logged' as const;
  }
  close() {}
}

export function raServicesFor(db: Db, notifier: Notifier = new RecordingNotifier()): RaServices {
  return createRaServices({
    db,
    notifier,
    policy: {
      publicUrl: 'https://idp.example.test',
      registrationLinkMinutes: 10,
      photoMaxBytes: 50_000,
      maxConsecutiveFailures: 100,
    },
  });
}

let counter = 0;
function tag(): string {
  counter += 1;
  return `${process.pid}-${counter}-${randomBytes(3).toString('hex')}`;
}

export async function createOrganisation(db: Db, code?: string): Promise<string> {
  const orgCode = code ?? `T${randomBytes(3).toString('hex').toUpperCase()}`;
  await upsertOrganisation(db, { code: orgCode, name: `Test Trust ${orgCode}` });
  return orgCode;
}

/** A person holding the RA role in the organisation, as an actor. */
export async function createRaStaff(db: Db, role: RaRole, orgCode: string): Promise<Actor> {
  const person = await createPerson(db, {
    givenName: 'Ra',
    familyName: `Staff ${role}`,
    email: `ra.${tag()}@example.nhs.uk`,
  });
  await assignRole(db, { personId: person.id, orgCode, ...roleAssignments[role] });
  return { personId: person.id, sourceIp: '192.0.2.10', via: 'test' };
}

/** Input for a new person, unique each call. */
export function newPersonInput(orgCode: string, extra: Record<string, unknown> = {}) {
  const t = tag();
  return {
    orgCode,
    givenName: 'Alex',
    familyName: `Example${t.replace(/[^a-z0-9]/gi, '')}`,
    email: `alex.${t}@example.nhs.uk`,
    dateOfBirth: '1980-02-29',
    ...extra,
  };
}

export const threeDocuments: VerifyIdentityInput['documents'] = [
  { type: 'passport', checks: ['original-seen', 'photo-matches-holder', 'in-date'] },
  { type: 'utility-bill', checks: ['original-seen', 'address-matches'] },
  { type: 'bank-statement', checks: ['original-seen', 'name-matches'] },
];

/** A registered, verified person in the organisation (done by an RA Manager). */
export async function createVerifiedPerson(ra: RaServices, manager: Actor, orgCode: string) {
  const person = await ra.registerPerson(manager, newPersonInput(orgCode));
  await ra.verifyIdentity(manager, {
    personId: person.id,
    documents: threeDocuments,
    checkedOn: '2025-01-10',
  });
  return person;
}

export async function addAuthenticator(
  db: Db,
  personId: string,
  state: { status?: 'active' | 'suspended'; failedAttempts?: number } = {},
): Promise<string> {
  const id = await createAuthenticator(db, {
    personId,
    kind: 'password-totp',
    label: 'Microsoft Authenticator',
    status: state.status ?? 'active',
    data: {},
  });
  if (state.failedAttempts) {
    await db
      .updateTable('authenticators')
      .set({ failed_attempts: state.failedAttempts })
      .where('id', '=', id)
      .execute();
  }
  return id;
}
