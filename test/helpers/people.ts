// Test people with a working Microsoft Authenticator (password + TOTP), and codes for them from
// the real `oathtool`, never from our own TOTP code.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createAuthenticator } from '../../src/authenticators/authenticator-store.ts';
import { totpSealContext } from '../../src/authenticators/password-totp/facts.ts';
import { hashPassword } from '../../src/authenticators/password-totp/password-hash.ts';
import { base32Encode } from '../../src/authenticators/password-totp/totp.ts';
import { upsertOrganisation } from '../../src/directory/organisations.ts';
import { createPerson } from '../../src/directory/people.ts';
import { assignRole } from '../../src/directory/positions.ts';
import type { Db } from '../../src/store/database.ts';
import type { Sealer } from '../../src/store/sealer.ts';

export interface TestPerson {
  id: string;
  email: string;
  password: string;
  totpSecret: string;
  authenticatorId: string;
  roleIds: string[];
  /** The newest time step a code was handed out for: codes are single use. */
  lastStep: number;
}

let counter = 0;

export async function createTestPerson(
  db: Db,
  sealer: Sealer,
  options: { roles?: { orgCode: string; jobRoleCode: string }[]; idAssuranceLevel?: number } = {},
): Promise<TestPerson> {
  counter += 1;
  const tag = `${process.pid}-${counter}-${randomBytes(3).toString('hex')}`;
  const email = `person.${tag}@example.nhs.uk`;
  const password = `correct horse battery ${tag}`;
  const person = await createPerson(db, {
    givenName: 'Test',
    familyName: `Person${counter}`,
    email,
    idAssuranceLevel: options.idAssuranceLevel ?? 3,
  });
  const totpSecret = base32Encode(randomBytes(20));
  const authenticatorId = await createAuthenticator(db, {
    personId: person.id,
    kind: 'password-totp',
    label: 'Microsoft Authenticator',
    status: 'active',
    data: {},
  });
  await db
    .updateTable('authenticators')
    .set({
      data: JSON.stringify({
        passwordHash: await hashPassword(password),
        totpSecretSealed: sealer.seal(totpSecret, totpSealContext(authenticatorId)),
        lastUsedStep: null,
      }),
    })
    .where('id', '=', authenticatorId)
    .execute();
  const roleIds: string[] = [];
  for (const role of options.roles ?? []) {
    await upsertOrganisation(db, { code: role.orgCode, name: `ORGANISATION ${role.orgCode}` });
    roleIds.push((await assignRole(db, { personId: person.id, ...role })).personRoleId);
  }
  return { id: person.id, email, password, totpSecret, authenticatorId, roleIds, lastStep: 0 };
}

/** A code from oathtool for the given time (ms). */
export function oathtoolCode(secret: string, atMs: number): string {
  return execFileSync('oathtool', ['--totp', '-b', secret, '-N', `@${Math.floor(atMs / 1000)}`], {
    encoding: 'utf8',
  }).trim();
}

/**
 * A code the server will accept now: for the current step, or the next one (inside the ±1 window)
 * when the current step's code was already used; waits for the clock when both were.
 */
export async function nextCode(person: TestPerson): Promise<string> {
  for (;;) {
    const now = Date.now();
    const step = Math.floor(now / 30_000);
    const candidate = Math.max(step, person.lastStep + 1);
    if (candidate <= step + 1) {
      person.lastStep = candidate;
      return oathtoolCode(person.totpSecret, candidate * 30_000 + 1_000);
    }
    await new Promise((resolve) => setTimeout(resolve, (step + 1) * 30_000 - now + 50));
  }
}
