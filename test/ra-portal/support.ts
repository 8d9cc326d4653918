// Fixtures for the RA portal tests: organisations, RA staff who sign in with a password and code,
// a node (optionally at portal level 2), and a cookie-keeping HTTP browser signed in to /ra.
import { upsertOrganisation } from '../../src/directory/organisations.ts';
import { assignRole } from '../../src/directory/positions.ts';
import type { RaRole } from '../../src/ra/permissions.ts';
import type { Db } from '../../src/store/database.ts';
import type { Sealer } from '../../src/store/sealer.ts';
import { Browser, completeSignIn, csrfToken, type Page } from '../helpers/browser.ts';
import { createTestPerson, type TestPerson } from '../helpers/people.ts';
import { roleAssignments } from '../ra/support.ts';

export { roleAssignments };

let orgCounter = 0;

/** A new organisation with a unique ODS code. */
export async function createOrganisation(db: Db, name = 'TEST TRUST'): Promise<string> {
  orgCounter += 1;
  const code = `R${process.pid % 1000}${orgCounter}`.slice(0, 6).toUpperCase();
  await upsertOrganisation(db, { code, name: `${name} ${code}` });
  return code;
}

/** A person holding an RA role in the organisation (a real position), with password + TOTP. */
export async function createRaStaff(
  db: Db,
  sealer: Sealer,
  orgCode: string,
  role: RaRole,
): Promise<TestPerson> {
  const person = await createTestPerson(db, sealer);
  const { jobRoleCode, activityCodes } = roleAssignments[role];
  const assignment = await assignRole(db, { personId: person.id, orgCode, jobRoleCode, activityCodes });
  person.roleIds.push(assignment.personRoleId);
  return person;
}

/** An HTTP browser signed in to /ra as the person (portal at level 2: password and code). */
export async function signedInPortal(
  origin: string,
  person: TestPerson,
): Promise<{ browser: Browser; page: Page }> {
  const browser = new Browser('https://never.example.test/');
  const landing = await completeSignIn(browser, origin, await browser.go(`${origin}/ra`), person);
  if (landing.kind !== 'page') throw new Error('expected the portal page');
  return { browser, page: landing.page };
}

/** Gets a portal page and posts its form with the fields given (plus its CSRF token). */
export async function submit(
  browser: Browser,
  origin: string,
  path: string,
  fields: Record<string, string>,
  action = path,
): Promise<Page> {
  const form = await browser.go(`${origin}${path}`);
  if (form.kind !== 'page') throw new Error('expected a page');
  const landing = await browser.go(`${origin}${action}`, {
    form: { csrf: csrfToken(form.page.html), ...fields },
  });
  if (landing.kind !== 'page') throw new Error('expected a page');
  return landing.page;
}
