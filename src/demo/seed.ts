// Demo data for `npm start`: two organisations, people with roles, the demo relying party, and a
// one-time link to set up the demo user's authenticator. Safe to run on every start.

import type Provider from 'oidc-provider';
import { listAuthenticators } from '../authenticators/authenticator-store.ts';
import { issueEnrolmentLink } from '../authenticators/enrolment-links.ts';
import type { Config } from '../config/schema.ts';
import { upsertOrganisation } from '../directory/organisations.ts';
import { createPerson, findPersonById } from '../directory/people.ts';
import { assignRole, listRoleAssignments } from '../directory/positions.ts';
import { registerClient } from '../oidc/clients.ts';
import type { Db } from '../store/database.ts';
import type { Sealer } from '../store/sealer.ts';
import { demoClientMetadata } from './demo-client.ts';
import { demoKeyPath, loadOrCreateDemoKey } from './demo-key.ts';

export const DEMO_ENROLMENT_MINUTES = 30;

const organisations = [
  { code: 'RXX', name: 'EXAMPLE HOSPITALS NHS TRUST' },
  { code: 'A99999', name: 'EXAMPLE GP PRACTICE', gnc: 'G9999998' },
];

const people = [
  {
    id: '910000000001',
    givenName: 'Ada',
    middleNames: 'Jane',
    familyName: 'Example',
    title: 'Dr',
    email: 'ada.example@example.nhs.uk',
    professionalIds: { gmc_id: '7000001' },
    roles: [
      { orgCode: 'RXX', jobRoleCode: 'R8000', activityCodes: ['B0825'] },
      { orgCode: 'A99999', jobRoleCode: 'R8003' },
      { orgCode: 'RXX', jobRoleCode: 'R8008' },
    ],
  },
  {
    id: '910000000002',
    givenName: 'Sam',
    familyName: 'Porter',
    title: 'Mr',
    email: 'sam.porter@example.nhs.uk',
    roles: [{ orgCode: 'RXX', jobRoleCode: 'R8001' }],
  },
  // RA Manager and RA Agent (Advanced) of the trust, to try the RA portal (/ra).
  {
    id: '910000000003',
    givenName: 'Rita',
    familyName: 'Registrar',
    title: 'Ms',
    email: 'rita.registrar@example.nhs.uk',
    roles: [
      { orgCode: 'RXX', jobRoleCode: 'R5080' },
      { orgCode: 'RXX', jobRoleCode: 'R5090', activityCodes: ['B0274'] },
    ],
  },
];

const RA_DEMO_USER = '910000000003';

export interface SeedResult {
  demoUserEmail: string;
  enrolmentUrl?: string;
  raUserEmail: string;
  raEnrolmentUrl?: string;
}

export async function seedDemo(
  db: Db,
  sealer: Sealer,
  provider: Provider,
  config: Config,
): Promise<SeedResult> {
  for (const org of organisations) await upsertOrganisation(db, org);
  for (const { roles, id, ...person } of people) {
    if (!(await findPersonById(db, id))) await createPerson(db, { ...person, idAssuranceLevel: 3 }, { id });
    if ((await listRoleAssignments(db, id)).length === 0) {
      for (const role of roles) await assignRole(db, { personId: id, ...role });
    }
  }
  const key = loadOrCreateDemoKey(demoKeyPath(config.database.sqlitePath));
  await registerClient(db, sealer, provider, demoClientMetadata(config.publicUrl, key.publicJwk), {
    replace: true,
  });

  const demoUser = people[0]!;
  const raUser = people.find((p) => p.id === RA_DEMO_USER)!;
  const enrolmentUrl = await setUpLink(db, config, demoUser.id);
  const raEnrolmentUrl = await setUpLink(db, config, raUser.id);
  return {
    demoUserEmail: demoUser.email,
    ...(enrolmentUrl ? { enrolmentUrl } : {}),
    raUserEmail: raUser.email,
    ...(raEnrolmentUrl ? { raEnrolmentUrl } : {}),
  };
}

/** A one-time link to set up Microsoft Authenticator, unless the person already has one. */
async function setUpLink(db: Db, config: Config, personId: string): Promise<string | undefined> {
  const active = await listAuthenticators(db, personId, { kind: 'password-totp', status: 'active' });
  if (active.length > 0) return undefined;
  const link = await issueEnrolmentLink(db, {
    personId,
    kind: 'password-totp',
    createdBy: 'demo seed',
    ttlMs: DEMO_ENROLMENT_MINUTES * 60_000,
  });
  return `${config.publicUrl}${link.path}`;
}
