// care-identity: the command line. `serve` runs a node; the rest manage one.
import { recordAuditEvent } from './audit/audit-log.ts';
import { print, UsageError } from './cli/args.ts';
import { auditCommand, auditUsage } from './cli/audit-command.ts';
import { clientCommand, clientUsage } from './cli/client-command.ts';
import { withContext } from './cli/context.ts';
import { keysCommand, keysUsage } from './cli/keys-command.ts';
import { orgCommand, userCommand, userUsage } from './cli/user-command.ts';
import { ConfigError, configFingerprint, loadConfig, parseConfig } from './config/load.ts';
import { DEMO_ENROLMENT_MINUTES, seedDemo } from './demo/seed.ts';
import { DirectoryError } from './directory/errors.ts';
import { ClientRegistrationError } from './oidc/clients.ts';
import { issuerFor } from './oidc/paths.ts';
import { startServer } from './server/start.ts';
import { migrate } from './store/database.ts';
import { Sealer } from './store/sealer.ts';

const usage = `Usage: care-identity [--demo] [--config FILE] COMMAND

Commands:
  serve                 start a node (with --demo: demo data and generated secrets under ./data)
  migrate               apply database migrations
  config check          print every configuration problem with its key and a fix
  ${clientUsage}
  ${userUsage}
  ${keysUsage}
  ${auditUsage}

Configuration comes from environment variables and an optional JSON file; see docs/configuration.md.`;

async function serve(demo: boolean, configFile: string | undefined): Promise<void> {
  const config = loadConfig({ file: configFile, overrides: demo ? { demo: true } : {} });
  let seeded: Awaited<ReturnType<typeof seedDemo>> | undefined;
  const running = await startServer(config, {
    async beforeListen(app, db, secrets) {
      if (config.demo) seeded = await seedDemo(db, new Sealer(secrets.keyEncryption), app.provider, config);
    },
  });
  await recordAuditEvent(running.db, {
    type: 'node_started',
    outcome: 'success',
    actor: 'system',
    // A fingerprint of the settings (secrets left out), so a changed configuration shows in the trail.
    detail: { demo: config.demo, config_sha256: configFingerprint(config) },
  });
  const issuer = issuerFor(config.publicUrl, config.pathProfile);
  const lines = [
    '',
    `Care Identity is listening on ${running.url} and serving ${config.publicUrl}`,
    `  issuer:    ${issuer}`,
    `  discovery: ${issuer}/.well-known/openid-configuration`,
  ];
  if (config.demo && seeded) {
    lines.push(
      `  database:  ${config.database.url ? 'PostgreSQL' : config.database.sqlitePath}`,
      '',
      'Demo:',
      `  1. Open ${config.publicUrl}/demo and choose "Sign in with Care Identity".`,
      `  2. Sign in as ${seeded.demoUserEmail} with the password you choose at set-up and a code from your authenticator app.`,
    );
    if (seeded.enrolmentUrl) {
      lines.push(
        `     First set up the authenticator (one-time link, valid ${DEMO_ENROLMENT_MINUTES} minutes):`,
        `     ${seeded.enrolmentUrl}`,
        '     No authenticator app to hand? `oathtool --totp -b KEY` prints codes for the key shown on that page.',
      );
    }
    lines.push(
      `  3. RA portal: open ${config.publicUrl}/ra as ${seeded.raUserEmail} (RA Manager and RA Agent (Advanced) of RXX).`,
      config.ra.portalMinimumLevel === 3
        ? '     It needs AAL3 (a security key); to try it with a password and code, start with CARE_IDENTITY_RA_PORTAL_MINIMUM_LEVEL=2.'
        : '     The portal is set to AAL2 (ra.portalMinimumLevel=2): a password and code will do.',
      ...(seeded.raEnrolmentUrl ? [`     Set up their authenticator first: ${seeded.raEnrolmentUrl}`] : []),
    );
  }
  process.stdout.write(`${lines.join('\n')}\n\n`);
  const stop = async () => {
    await running.close();
    process.exit(0);
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

async function main(argv: string[]): Promise<number> {
  // Global options come before the command; everything after it belongs to the command.
  const values = { demo: false, help: false, config: undefined as string | undefined };
  let index = 0;
  for (; index < argv.length; index++) {
    const arg = argv[index]!;
    if (arg === '--demo') values.demo = true;
    else if (arg === '--help' || arg === '-h') values.help = true;
    else if (arg === '--config') values.config = argv[++index];
    else if (arg.startsWith('--config=')) values.config = arg.slice('--config='.length);
    else if (arg.startsWith('-')) throw new UsageError(`unknown option ${arg}\n\n${usage}`);
    else break;
  }
  const command = argv[index];
  const rest = argv.slice(index + 1);
  const options = { demo: values.demo, configFile: values.config };
  if (values.help || !command || command === 'help') {
    print(usage);
    return 0;
  }
  switch (command) {
    case 'serve': {
      const unknown = rest.filter((arg) => arg !== '--demo');
      if (unknown.length > 0) throw new UsageError(`unknown option ${unknown[0]} for serve`);
      await serve(options.demo || rest.includes('--demo'), options.configFile);
      return -1;
    }
    case 'migrate':
      return withContext(options, async ({ db }) => {
        const applied = await migrate(db);
        print(applied.length ? `applied: ${applied.join(', ')}` : 'database is up to date');
        return 0;
      });
    case 'config': {
      if (rest[0] !== 'check') throw new UsageError('usage: care-identity config check');
      const { problems } = parseConfig({
        file: options.configFile,
        overrides: options.demo ? { demo: true } : {},
      });
      if (problems.length === 0) {
        print('configuration is valid');
        return 0;
      }
      for (const p of problems) print(`${p.key}: ${p.message}\n  fix: ${p.fix}`);
      return 1;
    }
    case 'client':
      return withContext(options, async (context) => {
        await clientCommand(rest, context);
        return 0;
      });
    case 'user':
      return withContext(options, async (context) => {
        await userCommand(rest, context);
        return 0;
      });
    case 'org':
      return withContext(options, async (context) => {
        await orgCommand(rest, context);
        return 0;
      });
    case 'audit':
      return withContext(options, (context) => auditCommand(rest, context));
    case 'keys':
      return withContext(options, async (context) => {
        await keysCommand(rest, context);
        return 0;
      });
    default:
      throw new UsageError(`unknown command ${command}\n\n${usage}`);
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code >= 0) process.exitCode = code;
  },
  (error: unknown) => {
    if (
      error instanceof UsageError ||
      error instanceof ClientRegistrationError ||
      error instanceof DirectoryError
    ) {
      process.stderr.write(`care-identity: ${error.message}\n`);
      process.exitCode = 2;
    } else if (error instanceof ConfigError) {
      process.stderr.write(`care-identity: ${error.message}\n`);
      process.exitCode = 78;
    } else {
      process.stderr.write(`care-identity: ${(error as Error).stack ?? String(error)}\n`);
      process.exitCode = 1;
    }
  },
);
