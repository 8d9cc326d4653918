// `npm test`: runs every test file under test/ (except the benchmark and the helpers) with Node's
// test runner. Extra arguments narrow or tune the run:
//   npm test -- test/store                      files under a folder (or one file)
//   npm test -- --test-name-pattern=consume     any option of `node --test`
// PostgreSQL tests run when DATABASE_URL is set (CI sets it) and are skipped otherwise.
import { spawnSync } from 'node:child_process';
import { existsSync, globSync } from 'node:fs';
import { normalize, relative, resolve, sep } from 'node:path';

const root = resolve(import.meta.dirname, '..');
const EXCLUDED = ['test/bench/', 'test/helpers/'];
// Options of `node --test` whose value may come as the next argument.
const OPTIONS_WITH_VALUE = new Set([
  '--test-name-pattern',
  '--test-skip-pattern',
  '--test-reporter',
  '--test-reporter-destination',
  '--test-concurrency',
  '--test-timeout',
  '--test-shard',
  '--import',
  '--require',
  '-r',
]);

function toPosix(path: string): string {
  return path.split(sep).join('/');
}

function redact(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '(unparsable URL)';
  }
}

const options: string[] = [];
const filters: string[] = [];
const args = process.argv.slice(2);
for (let i = 0; i < args.length; i++) {
  const arg = args[i]!;
  if (arg.startsWith('-')) {
    options.push(arg);
    const next = args[i + 1];
    if (!arg.includes('=') && OPTIONS_WITH_VALUE.has(arg) && next !== undefined) {
      options.push(next);
      i++;
    }
  } else {
    filters.push(toPosix(relative(root, resolve(arg))).replace(/\/+$/, '') || '.');
  }
}

const allFiles = globSync('test/**/*.test.ts', { cwd: root })
  .map(toPosix)
  .filter((file) => !EXCLUDED.some((dir) => file.startsWith(dir)))
  .sort();
const files =
  filters.length === 0
    ? allFiles
    : allFiles.filter((file) =>
        filters.some((filter) => filter === '.' || file === filter || file.startsWith(`${filter}/`)),
      );

if (files.length === 0) {
  const missing = filters.filter((filter) => !existsSync(resolve(root, filter)));
  console.error(
    filters.length === 0
      ? 'No test files found (test/**/*.test.ts).'
      : `No test files match ${filters.join(', ')}${missing.length ? ` (not found: ${missing.join(', ')})` : ''}.`,
  );
  process.exit(1);
}

const databaseUrl = process.env.DATABASE_URL;
console.log(
  databaseUrl
    ? `PostgreSQL: tests will run against ${redact(databaseUrl)} (DATABASE_URL is set)`
    : 'PostgreSQL: tests will be skipped because DATABASE_URL is not set (CI sets it)',
);

const has = (name: string) => options.some((option) => option === name || option.startsWith(`${name}=`));
const runnerArgs = [
  '--test',
  ...(has('--test-reporter') ? [] : ['--test-reporter=spec']),
  ...(has('--test-concurrency') ? [] : ['--test-concurrency=2']),
  ...options,
  ...files.map((file) => normalize(file)),
];

const result = spawnSync(process.execPath, runnerArgs, { cwd: root, stdio: 'inherit' });
if (result.error) {
  console.error(`Could not start the test runner: ${result.error.message}`);
  process.exit(1);
}
process.exit(result.status ?? 1);
