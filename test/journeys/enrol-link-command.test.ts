// `care-identity user enrol-link ID --kind ...` (run as a real child process): issues a one-time link
// of each kind the RA services and /enrol/:token accept, and the link opens that kind's set-up page.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, test } from 'node:test';
import { enrolmentKinds } from '../../src/authenticators/enrolment-links.ts';
import { webauthnIntents } from '../../src/authenticators/webauthn/registration.ts';
import { registrableKinds } from '../../src/ra/authenticators.ts';
import { type Db, openDatabase } from '../../src/store/database.ts';
import { heading } from '../helpers/pages.ts';
import { startTestServer, type TestServer } from '../helpers/test-server.ts';

const root = resolve(import.meta.dirname, '..', '..');
const node = join(root, 'node_modules', '.bin', 'node');
const main = join(root, 'src', 'main.ts');
const cwd = mkdtempSync(join(tmpdir(), 'care-identity-enrol-link-'));
const sqlitePath = join(cwd, 'care-identity.sqlite');
const PUBLIC_URL = 'https://idp.example.nhs.uk';

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function cli(args: string[]): Promise<Run> {
  return new Promise((done) => {
    execFile(
      node,
      [main, ...args],
      {
        cwd,
        env: {
          PATH: process.env['PATH'] ?? '',
          HOME: cwd,
          CARE_IDENTITY_PUBLIC_URL: PUBLIC_URL,
          CARE_IDENTITY_SQLITE_PATH: sqlitePath,
          CARE_IDENTITY_KEY_ENCRYPTION_SECRET: 'k'.repeat(44),
          CARE_IDENTITY_COOKIE_KEYS: 'c'.repeat(43),
          CARE_IDENTITY_TRUST_PROXY: 'true',
        },
        timeout: 60_000,
      },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : null) : 0;
        done({ code, stdout, stderr });
      },
    );
  });
}

let personId: string;
let db: Db;
let server: TestServer;

before(async () => {
  const created = await cli([
    'user',
    'create',
    '--given',
    'Ada',
    '--family',
    'Lovelace',
    '--email',
    'ada.enrol-link@example.nhs.uk',
  ]);
  assert.equal(created.code, 0, created.stderr);
  personId = (JSON.parse(created.stdout) as { id: string }).id;
  db = openDatabase({ sqlitePath });
  server = await startTestServer({ db });
});
after(async () => {
  await server?.close();
  await db?.destroy();
  rmSync(cwd, { recursive: true, force: true });
});

async function links(): Promise<{ kind: string; created_by: string | null }[]> {
  return db
    .selectFrom('enrolment_tokens')
    .select(['kind', 'created_by'])
    .where('person_id', '=', personId)
    .orderBy('created_at')
    .execute();
}

test("the kinds a link can set up are the RA services' kinds: Microsoft Authenticator and the WebAuthn intents", () => {
  assert.deepEqual([...enrolmentKinds].sort(), Object.keys(registrableKinds).sort());
  assert.deepEqual([...enrolmentKinds].sort(), ['password-totp', ...webauthnIntents].sort());
});

test("care-identity user enrol-link: each --kind (default password-totp) issues a one-time link that opens that kind's set-up page", async () => {
  const cases: [string[], string, string][] = [
    [[], 'password-totp', 'Set up Microsoft Authenticator'],
    [['--kind', 'password-totp'], 'password-totp', 'Set up Microsoft Authenticator'],
    [['--kind', 'passkey'], 'passkey', 'Set up a passkey'],
    [['--kind', 'windows-hello'], 'windows-hello', 'Set up Windows Hello'],
    [['--kind', 'security-key', '--minutes', '5'], 'security-key', 'Set up a security key'],
  ];
  for (const [options, kind, title] of cases) {
    const before = (await links()).length;
    const run = await cli(['user', 'enrol-link', personId, ...options]);
    assert.equal(run.code, 0, run.stderr);
    const match =
      /^(https:\/\/idp\.example\.nhs\.uk)(\/enrol\/([A-Za-z0-9_-]{43}))\s+\((\S+), valid for (\d+) minutes, single use\)$/.exec(
        run.stdout.trim(),
      );
    assert.ok(match, run.stdout);
    assert.equal(match[4], kind);
    assert.equal(match[5], options.includes('--minutes') ? '5' : '15');
    const stored = await links();
    assert.equal(stored.length, before + 1);
    assert.deepEqual({ ...stored.at(-1) }, { kind, created_by: 'cli' });
    const page = await fetch(`${server.url}${match[2]}`);
    assert.equal(page.status, 200);
    assert.equal(heading(await page.text()), title);
  }
  const events = await db
    .selectFrom('audit_events')
    .select('detail')
    .where('type', '=', 'enrolment_link_issued')
    .where('subject', '=', personId)
    .orderBy('seq')
    .execute();
  assert.deepEqual(
    events.map((e) => (JSON.parse(e.detail) as { kind: string }).kind),
    cases.map(([, kind]) => kind),
  );
});

test('care-identity user enrol-link: an unknown kind, bad minutes or an unknown person is a usage error and issues nothing', async () => {
  const before = (await links()).length;
  for (const [args, message] of [
    [['--kind', 'smartcard'], /--kind must be one of password-totp, passkey, windows-hello, security-key/],
    [['--kind', ''], /--kind must be one of/],
    [['--minutes', '0'], /--minutes must be 1 to 1440/],
    [['--minutes', 'ten'], /--minutes must be 1 to 1440/],
  ] as const) {
    const run = await cli(['user', 'enrol-link', personId, ...args]);
    assert.equal(run.code, 2, `${args.join(' ')}: ${run.stdout}`);
    assert.match(run.stderr, message);
  }
  const unknown = await cli(['user', 'enrol-link', '999999999999', '--kind', 'passkey']);
  assert.equal(unknown.code, 2);
  assert.match(unknown.stderr, /no user 999999999999/);
  assert.equal((await links()).length, before);
});
