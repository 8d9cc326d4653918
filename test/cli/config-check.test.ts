// `care-identity config check` and the command line's usage handling, run as a real child process
// with a controlled environment (nothing inherited but PATH and HOME).
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, describe, test } from 'node:test';

const root = resolve(import.meta.dirname, '..', '..');
const node = join(root, 'node_modules', '.bin', 'node');
const main = join(root, 'src', 'main.ts');
const cwd = mkdtempSync(join(tmpdir(), 'care-identity-cli-'));
after(() => rmSync(cwd, { recursive: true, force: true }));

const VALID = {
  CARE_IDENTITY_PUBLIC_URL: 'https://idp.example.nhs.uk',
  CARE_IDENTITY_KEY_ENCRYPTION_SECRET: 'k'.repeat(44),
  CARE_IDENTITY_COOKIE_KEYS: `${'c'.repeat(43)},${'d'.repeat(43)}`,
  CARE_IDENTITY_TRUST_PROXY: 'true',
  PORT: '8080',
  DATABASE_URL: 'postgres://care:secret@db.internal:5432/care_identity',
};

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function run(args: string[], env: Record<string, string> = {}): Promise<Run> {
  return new Promise((done) => {
    execFile(
      node,
      [main, ...args],
      { cwd, env: { PATH: process.env['PATH'] ?? '', HOME: cwd, ...env }, timeout: 60_000 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : null) : 0;
        done({ code, stdout, stderr });
      },
    );
  });
}

/** The problems `config check` printed: `key: message` lines, each followed by `  fix: ...`. */
function problems(output: string): { key: string; message: string; fix: string }[] {
  const lines = output.trimEnd().split('\n');
  const found: { key: string; message: string; fix: string }[] = [];
  for (let i = 0; i < lines.length; i++) {
    const fix = /^\s+fix: (.+)$/.exec(lines[i + 1] ?? '');
    const problem = /^([\w.()]+): (.+)$/.exec(lines[i]!);
    if (problem && fix) found.push({ key: problem[1]!, message: problem[2]!, fix: fix[1]! });
  }
  return found;
}

function assertProblem(result: Run, key: string, message?: RegExp, fix?: RegExp): void {
  const all = problems(result.stdout);
  const problem = all.find((p) => p.key === key);
  assert.ok(problem, `a problem for ${key} with a fix: line (printed: ${result.stdout}${result.stderr})`);
  if (message) assert.match(problem.message, message);
  if (fix) assert.match(problem.fix, fix);
}

describe('care-identity config check', { concurrency: 4 }, () => {
  test('config check: no secrets outside demo mode → exit 1, each problem with its key and "fix:"', async () => {
    const result = await run(['config', 'check']);
    assert.equal(result.code, 1, result.stdout + result.stderr);
    assertProblem(result, 'secrets.keyEncryption', /required/, /CARE_IDENTITY_KEY_ENCRYPTION_SECRET/);
    assertProblem(result, 'secrets.cookieKeys', /required/, /CARE_IDENTITY_COOKIE_KEYS/);
    const lines = result.stdout.trimEnd().split('\n');
    assert.equal(lines.length, problems(result.stdout).length * 2, 'nothing but problems and their fixes');
  });

  test('config check: a PORT that is not a port number → exit 1 naming listen.port', async () => {
    for (const port of ['http', '70000']) {
      const result = await run(['config', 'check'], { ...VALID, PORT: port });
      assert.equal(result.code, 1, `PORT=${port}: ${result.stdout}${result.stderr}`);
      assertProblem(result, 'listen.port', undefined, /PORT/);
    }
  });

  test('config check: a DATABASE_URL that is not postgres:// → exit 1 naming database.url', async () => {
    for (const url of ['mysql://db/care']) {
      const result = await run(['config', 'check'], { ...VALID, DATABASE_URL: url });
      assert.equal(result.code, 1, `DATABASE_URL=${url}: ${result.stdout}${result.stderr}`);
      assertProblem(result, 'database.url', /postgres/, /DATABASE_URL/);
    }
  });

  test('NIST 800-63B-4 §5.1 (no http): an http public URL that is not localhost → exit 1 naming publicUrl', async () => {
    const result = await run(['config', 'check'], {
      ...VALID,
      CARE_IDENTITY_PUBLIC_URL: 'http://idp.example.nhs.uk',
    });
    assert.equal(result.code, 1, result.stdout + result.stderr);
    assertProblem(result, 'publicUrl', /http/, /https:\/\//);
    for (const local of ['http://localhost:3000']) {
      const ok = await run(['config', 'check'], { ...VALID, CARE_IDENTITY_PUBLIC_URL: local });
      assert.equal(ok.code, 0, `${local} is allowed: ${ok.stdout}${ok.stderr}`);
    }
  });

  test('NIST 800-63B-4 §5.1: an https public URL without a trusted TLS proxy → exit 1 naming trustProxy', async () => {
    const { CARE_IDENTITY_TRUST_PROXY: _trusted, ...untrusted } = VALID;
    const result = await run(['config', 'check'], untrusted);
    assert.equal(result.code, 1, result.stdout + result.stderr);
    assertProblem(result, 'trustProxy', /proxy/, /CARE_IDENTITY_TRUST_PROXY/);
  });

  test('config check: a key encryption secret shorter than 32 characters → exit 1 naming secrets.keyEncryption', async () => {
    const result = await run(['config', 'check'], {
      ...VALID,
      CARE_IDENTITY_KEY_ENCRYPTION_SECRET: 'short secret',
    });
    assert.equal(result.code, 1, result.stdout + result.stderr);
    assertProblem(result, 'secrets.keyEncryption', /32 characters/, /CARE_IDENTITY_KEY_ENCRYPTION_SECRET/);
    assert.ok(!result.stdout.includes('short secret'), 'the secret itself is not printed');
  });

  test('config check: several problems at once are all printed', async () => {
    const result = await run(['config', 'check'], {
      ...VALID,
      PORT: 'http',
      DATABASE_URL: 'mysql://db/care',
      CARE_IDENTITY_KEY_ENCRYPTION_SECRET: 'short',
    });
    assert.equal(result.code, 1, result.stdout + result.stderr);
    for (const key of ['listen.port', 'database.url', 'secrets.keyEncryption']) assertProblem(result, key);
    assert.ok(!result.stdout.includes('care:secret'), 'the database password is not printed');
  });

  test('config check: a valid configuration → exit 0 "configuration is valid"', async () => {
    const result = await run(['config', 'check'], VALID);
    assert.equal(result.code, 0, result.stdout + result.stderr);
    assert.equal(result.stdout.trim(), 'configuration is valid');
  });

  test('config check: --demo with nothing set → valid', async () => {
    const result = await run(['--demo', 'config', 'check']);
    assert.equal(result.code, 0, result.stdout + result.stderr);
    assert.equal(result.stdout.trim(), 'configuration is valid');
  });
});

describe('care-identity usage', { concurrency: 4 }, () => {
  test('help prints the usage and exits 0', async () => {
    for (const args of [['help'], ['--help']]) {
      const result = await run(args);
      assert.equal(result.code, 0, `${args.join(' ')}: ${result.stderr}`);
      assert.match(result.stdout, /^Usage: care-identity/);
      for (const command of ['serve', 'migrate', 'config check'])
        assert.match(result.stdout, new RegExp(command));
    }
  });

  test('an unknown command exits 2 with a message and the usage', async () => {
    const result = await run(['frobnicate']);
    assert.equal(result.code, 2, result.stdout + result.stderr);
    assert.match(result.stderr, /unknown command frobnicate/);
    assert.match(result.stderr, /Usage: care-identity/);
    assert.equal(result.stdout, '');
  });

  test('an unknown option or config subcommand exits 2', async () => {
    for (const args of [
      ['--frobnicate', 'serve'],
      ['config', 'frobnicate'],
    ]) {
      const result = await run(args);
      assert.equal(result.code, 2, `${args.join(' ')}: ${result.stdout}${result.stderr}`);
      assert.match(result.stderr, /^care-identity: /);
    }
  });
});
