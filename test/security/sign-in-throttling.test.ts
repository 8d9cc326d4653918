// Throttling, one-time codes and no account enumeration, through the real sign-in pages
// (NIST 800-63B-4 §3.2.2, §3.1.4.2; ASVS 6.3.1, 6.3.8, 6.5.1). The node locks after 10 consecutive
// failures and delays after 3, to keep the file quick; waiting out a delay is simulated by moving
// the authenticator's locked_until into the past (clock travel), never by sleeping.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { configSchema } from '../../src/config/schema.ts';
import type { Browser, Landing } from '../helpers/browser.ts';
import { databaseKinds, POSTGRES_SKIP_MESSAGE, postgresUrl } from '../helpers/databases.ts';
import { errorSummary, heading } from '../helpers/pages.ts';
import { createTestPerson, nextCode, oathtoolCode, type TestPerson } from '../helpers/people.ts';
import { createRelyingParty, type TestRelyingParty } from '../helpers/relying-party.ts';
import { describeLanding, startSignIn } from '../helpers/sign-in.ts';
import { startTestServer, type TestServer } from '../helpers/test-server.ts';

const MAX_FAILURES = 10;
const DELAY_AFTER = 3;

// Set by each database kind's suite before its tests run (the suites run one after the other).
let server: TestServer;
let rp: TestRelyingParty;
/** A 6-digit code that is wrong for every step the server accepts now (±1 step). */
function wrongCode(person: TestPerson): string {
  const now = Date.now();
  const valid = new Set(
    [-60_000, -30_000, 0, 30_000, 60_000].map((d) => oathtoolCode(person.totpSecret, now + d)),
  );
  for (let n = 0; ; n++) {
    const candidate = String(n).padStart(6, '0');
    if (!valid.has(candidate)) return candidate;
  }
}

/** The right code for now, without marking its step as handed out (for attempts that must fail). */
const currentCode = (person: TestPerson) => oathtoolCode(person.totpSecret, Date.now());

interface Attempt {
  landing: Landing;
  status: number;
  errors: { text: string; href: string }[];
}

/** One submission of the Microsoft Authenticator form, in a fresh sign-in. */
async function attempt(fields: { email: string; password: string; code: string }): Promise<Attempt> {
  const signIn = await startSignIn(server, rp);
  return submit(signIn.browser, signIn.uid, signIn.csrf, fields);
}

async function submit(
  browser: Browser,
  uid: string,
  csrf: string,
  fields: { email: string; password: string; code: string },
): Promise<Attempt> {
  const form = { csrf, email: fields.email, password: fields.password, code: fields.code };
  const landing = await browser.go(`${server.url}/interaction/${uid}/password-totp`, { form });
  if (landing.kind === 'callback') return { landing, status: 303, errors: [] };
  return { landing, status: landing.page.status, errors: errorSummary(landing.page.html) };
}

function assertRefused(result: Attempt, what: string): void {
  assert.equal(result.landing.kind, 'page', `${what}: refused, got ${describeLanding(result.landing)}`);
  assert.equal(result.status, 401, what);
  assert.equal(result.errors.length, 1, what);
}

function assertSignedIn(result: Attempt, what: string): void {
  assert.equal(result.landing.kind, 'callback', `${what}: ${describeLanding(result.landing)}`);
  if (result.landing.kind === 'callback') assert.ok(result.landing.url.searchParams.get('code'), what);
}

async function authenticator(person: TestPerson) {
  return server.db
    .selectFrom('authenticators')
    .select(['failed_attempts', 'locked_until', 'status'])
    .where('id', '=', person.authenticatorId)
    .executeTakeFirstOrThrow();
}

/** Clock travel: the current delay has passed. */
async function waitOutDelay(person: TestPerson): Promise<void> {
  await server.db
    .updateTable('authenticators')
    .set({ locked_until: Date.now() - 1 })
    .where('id', '=', person.authenticatorId)
    .where('locked_until', 'is not', null)
    .execute();
}

async function failureEvents(person: TestPerson) {
  const rows = await server.db
    .selectFrom('audit_events')
    .selectAll()
    .where('subject', '=', person.id)
    .where('type', '=', 'sign_in')
    .orderBy('seq')
    .execute();
  return rows.map((row) => ({ ...row, detail: JSON.parse(row.detail) as Record<string, unknown> }));
}

for (const kind of databaseKinds) {
  describe(`sign-in throttling [${kind}]`, () => {
    before(async () => {
      server = await startTestServer({
        kind,
        config: { lockout: { maxConsecutiveFailures: MAX_FAILURES, delayAfterFailures: DELAY_AFTER } },
      });
      rp = await createRelyingParty(server);
    });
    after(async () => {
      await server.close();
    });

    describe('NIST 800-63B-4 §3.2.2 rate limiting', () => {
      test('NIST 800-63B-4 §3.2.2: the default cap on consecutive failures is 100, and more than 100 is refused', () => {
        const defaults = configSchema.parse({});
        assert.equal(defaults.lockout.maxConsecutiveFailures, 100);
        assert.equal(configSchema.safeParse({ lockout: { maxConsecutiveFailures: 101 } }).success, false);
        assert.equal(configSchema.safeParse({ lockout: { maxConsecutiveFailures: 0 } }).success, false);
        assert.equal(server.config.lockout.maxConsecutiveFailures, MAX_FAILURES);
      });

      test('NIST 800-63B-4 §3.2.2: growing delays start after delayAfterFailures failures; the correct code is refused while throttled', async () => {
        const person = await createTestPerson(server.db, server.sealer);
        for (let i = 1; i < DELAY_AFTER; i++) {
          assertRefused(await attempt({ ...person, code: wrongCode(person) }), `failure ${i}`);
          assert.equal((await authenticator(person)).locked_until, null, `no delay after ${i} failures`);
        }
        const delays: number[] = [];
        for (let i = DELAY_AFTER; i < DELAY_AFTER + 3; i++) {
          await waitOutDelay(person);
          const startedAt = Date.now();
          assertRefused(await attempt({ ...person, code: wrongCode(person) }), `failure ${i}`);
          const { failed_attempts, locked_until } = await authenticator(person);
          assert.equal(failed_attempts, i);
          assert.ok(locked_until !== null && locked_until > startedAt, `a delay applies after ${i} failures`);
          delays.push(locked_until - startedAt);
          // While the delay runs, even the right password and code are refused, and not counted.
          assertRefused(
            await attempt({ ...person, code: currentCode(person) }),
            `correct code while throttled (${i})`,
          );
          assert.equal((await authenticator(person)).failed_attempts, i, 'a throttled try is not counted');
        }
        for (let i = 1; i < delays.length; i++) {
          assert.ok(
            delays[i]! > delays[i - 1]!,
            `each delay is longer than the one before: ${delays.join(', ')} ms`,
          );
        }
        const reasons = (await failureEvents(person)).map((e) => e.detail['reason']);
        assert.ok(
          reasons.includes('throttled'),
          `throttled tries are audited as such: ${reasons.join(', ')}`,
        );
      });

      test(`NIST 800-63B-4 §3.2.2: after ${MAX_FAILURES} consecutive failures the correct password and code are refused`, async () => {
        const person = await createTestPerson(server.db, server.sealer);
        // Wrong password with the right code, and right password with a wrong code: both count.
        for (let i = 1; i <= MAX_FAILURES; i++) {
          await waitOutDelay(person);
          const fields =
            i % 2 === 0
              ? { email: person.email, password: `${person.password}x`, code: currentCode(person) }
              : { email: person.email, password: person.password, code: wrongCode(person) };
          assertRefused(await attempt(fields), `failure ${i}`);
          assert.equal((await authenticator(person)).failed_attempts, i);
        }
        await waitOutDelay(person);
        const locked = await attempt({
          email: person.email,
          password: person.password,
          code: await nextCode(person),
        });
        assertRefused(locked, 'the correct password and code after the cap');
        assert.equal(
          (await authenticator(person)).failed_attempts,
          MAX_FAILURES,
          'still locked, not counting on',
        );
        // A time-based lock would let guessing resume: the lock holds however long one waits.
        await waitOutDelay(person);
        assertRefused(await attempt({ ...person, code: currentCode(person) }), 'still locked later');
        const events = await failureEvents(person);
        assert.equal(events.at(-1)?.detail['reason'], 'locked');
      });

      test('NIST 800-63B-4 §3.2.2: a success resets the count of consecutive failures', async () => {
        const person = await createTestPerson(server.db, server.sealer);
        for (let round = 1; round <= 2; round++) {
          for (let i = 1; i < DELAY_AFTER; i++) {
            assertRefused(
              await attempt({ ...person, code: wrongCode(person) }),
              `round ${round}, failure ${i}`,
            );
          }
          assert.equal((await authenticator(person)).failed_attempts, DELAY_AFTER - 1);
          // Without a reset, this round's failures would add up to a delay that refuses this success.
          assertSignedIn(
            await attempt({ ...person, code: await nextCode(person) }),
            `round ${round} success`,
          );
          const after = await authenticator(person);
          assert.equal(after.failed_attempts, 0, 'failures forgotten after a success');
          assert.equal(after.locked_until, null);
        }
      });

      test('ASVS 6.3.1 / NIST 800-63B-4 §3.2.2: every failed sign-in is audited as a sign_in failure', async () => {
        const person = await createTestPerson(server.db, server.sealer);
        const before = (await failureEvents(person)).length;
        assertRefused(await attempt({ ...person, code: wrongCode(person) }), 'wrong code');
        assertRefused(
          await attempt({ ...person, password: 'not the password', code: currentCode(person) }),
          'wrong password',
        );
        const events = (await failureEvents(person)).slice(before);
        assert.equal(events.length, 2);
        for (const event of events) {
          assert.equal(event.type, 'sign_in');
          assert.equal(event.outcome, 'failure');
          assert.equal(event.subject, person.id);
          assert.equal(event.detail['client_id'], rp.clientId);
          assert.equal(event.source_ip?.replace(/^::ffff:/, ''), '127.0.0.1');
          assert.ok(!JSON.stringify(event).includes(person.password), 'the password is never audited');
        }
        const unknown = `nobody.${Date.now()}@example.nhs.uk`;
        const seq = await server.db
          .selectFrom('audit_events')
          .select((eb) => eb.fn.max('seq').as('seq'))
          .executeTakeFirst();
        assertRefused(
          await attempt({ email: unknown, password: 'whatever it is', code: '123456' }),
          'unknown email',
        );
        const added = await server.db
          .selectFrom('audit_events')
          .selectAll()
          .where('seq', '>', Number(seq?.seq ?? 0))
          .execute();
        assert.deepEqual(
          added.map((e) => [e.type, e.outcome]),
          [['sign_in', 'failure']],
          'a failure for an unknown account is audited too',
        );
      });
    });

    describe('NIST 800-63B-4 §3.1.4.2 one-time use', () => {
      test('NIST 800-63B-4 §3.1.4.2 / ASVS 6.5.1: the same valid code used for two sign-ins in one 30 s step — the second is refused', async () => {
        const person = await createTestPerson(server.db, server.sealer);
        const code = currentCode(person);
        assertSignedIn(await attempt({ ...person, code }), 'first use');
        const replay = await attempt({ ...person, code });
        assertRefused(replay, 'second use of the same code');
        const events = await failureEvents(person);
        assert.equal(events.at(-1)?.outcome, 'failure');
        assert.equal(events.at(-1)?.detail['reason'], 'replayed');
      });
    });

    describe('ASVS 6.3.8 no account enumeration', () => {
      test('ASVS 6.3.8: unknown email, wrong password, wrong code and a locked account give the same status and message', async () => {
        const person = await createTestPerson(server.db, server.sealer);
        const lockedPerson = await createTestPerson(server.db, server.sealer);
        for (let i = 1; i <= MAX_FAILURES; i++) {
          await waitOutDelay(lockedPerson);
          assertRefused(
            await attempt({ ...lockedPerson, code: wrongCode(lockedPerson) }),
            `locking, failure ${i}`,
          );
        }
        await waitOutDelay(lockedPerson);

        const cases: [string, { email: string; password: string; code: string }][] = [
          [
            'unknown email',
            {
              email: `nobody.${Date.now()}@example.nhs.uk`,
              password: person.password,
              code: currentCode(person),
            },
          ],
          [
            'wrong password',
            { email: person.email, password: `${person.password}!`, code: currentCode(person) },
          ],
          ['wrong code', { email: person.email, password: person.password, code: wrongCode(person) }],
          [
            'locked account',
            { email: lockedPerson.email, password: lockedPerson.password, code: currentCode(lockedPerson) },
          ],
        ];
        const seen: { label: string; status: number; errors: string; heading: string; fields: string }[] = [];
        for (const [label, fields] of cases) {
          const result = await attempt(fields);
          assert.equal(result.landing.kind, 'page', label);
          if (result.landing.kind !== 'page') continue;
          const html = result.landing.page.html;
          seen.push({
            label,
            status: result.status,
            errors: JSON.stringify(result.errors),
            heading: heading(html),
            // Which fields are marked in error must not differ either.
            fields: JSON.stringify(
              [...html.matchAll(/nhsuk-error-message[^>]*id="([^"]+)"/g)].map((m) => m[1]),
            ),
          });
        }
        const [reference, ...others] = seen;
        assert.ok(reference);
        assert.equal(reference.status, 401);
        for (const other of others) {
          assert.equal(other.status, reference.status, `${other.label} vs ${reference.label}: status`);
          assert.equal(other.errors, reference.errors, `${other.label} vs ${reference.label}: message`);
          assert.equal(other.heading, reference.heading, `${other.label} vs ${reference.label}: heading`);
          assert.equal(
            other.fields,
            reference.fields,
            `${other.label} vs ${reference.label}: fields in error`,
          );
        }
      });
    });
  });
}

if (!postgresUrl) {
  describe('sign-in throttling [postgres]', () => {
    test(POSTGRES_SKIP_MESSAGE, { skip: true }, () => {});
  });
}
