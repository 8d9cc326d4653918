// Loads configuration from an optional JSON file, then environment variables (which win).
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { type Config, type ConfigInput, configSchema, environmentKeys } from './schema.ts';

export interface ConfigProblem {
  key: string;
  message: string;
  fix: string;
}

export class ConfigError extends Error {
  readonly problems: ConfigProblem[];
  constructor(problems: ConfigProblem[]) {
    super(`invalid configuration:\n${problems.map((p) => `  ${p.key}: ${p.message} (${p.fix})`).join('\n')}`);
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

function setPath(target: Record<string, unknown>, path: string, value: unknown): void {
  const parts = path.split('.');
  let node = target;
  for (const part of parts.slice(0, -1)) {
    node[part] ??= {};
    node = node[part] as Record<string, unknown>;
  }
  node[parts.at(-1)!] = value;
}

function envKeyFor(path: string): string | undefined {
  return Object.entries(environmentKeys).find(([, key]) => key === path)?.[0];
}

function fixFor(key: string): string {
  const env = envKeyFor(key);
  return env ? `set ${env} or "${key}" in the config file` : `set "${key}" in the config file`;
}

export interface LoadOptions {
  file?: string | undefined;
  env?: NodeJS.ProcessEnv;
  overrides?: ConfigInput;
}

/** Returns the parsed configuration, or every problem found. */
export function parseConfig(options: LoadOptions = {}): { config?: Config; problems: ConfigProblem[] } {
  const env = options.env ?? process.env;
  const raw: Record<string, unknown> = {};
  const problems: ConfigProblem[] = [];
  const file = options.file ?? env['CARE_IDENTITY_CONFIG'];
  if (file) {
    try {
      Object.assign(raw, JSON.parse(readFileSync(file, 'utf8')));
    } catch (error) {
      problems.push({
        key: '(config file)',
        message: `cannot read ${file}: ${(error as Error).message}`,
        fix: 'point CARE_IDENTITY_CONFIG at a readable JSON file',
      });
    }
  }
  for (const [name, key] of Object.entries(environmentKeys)) {
    const value = env[name];
    if (value === undefined || value === '') continue;
    const isList = key === 'secrets.cookieKeys' || key === 'outboundPrivateHosts';
    setPath(raw, key, isList ? value.split(',').map((s) => s.trim()) : value);
  }
  deepAssign(raw, options.overrides ?? {});
  const result = configSchema.safeParse(raw);
  if (!result.success) {
    for (const issue of result.error.issues) {
      const key = issue.path.join('.') || '(root)';
      problems.push({ key, message: issue.message, fix: fixFor(key) });
    }
  }
  if (problems.length > 0 || !result.success) return { problems };
  const config = result.data;
  if (!config.demo) {
    for (const key of ['secrets.keyEncryption', 'secrets.cookieKeys'] as const) {
      const [group, name] = key.split('.') as ['secrets', 'keyEncryption' | 'cookieKeys'];
      if (config[group][name] === undefined) {
        problems.push({ key, message: 'is required outside demo mode', fix: fixFor(key) });
      }
    }
  }
  if (config.publicUrl.startsWith('http://') && !isLoopbackUrl(config.publicUrl) && !config.demo) {
    problems.push({
      key: 'publicUrl',
      message: 'plain http is only allowed for localhost',
      fix: 'use https:// (terminate TLS here or at a reverse proxy)',
    });
  }
  if (config.publicUrl.startsWith('https://') && !config.trustProxy) {
    problems.push({
      key: 'trustProxy',
      message:
        'an https public URL needs a TLS-terminating proxy in front of the node, and the node must trust it',
      fix: 'set CARE_IDENTITY_TRUST_PROXY=true (and make the proxy send X-Forwarded-Proto)',
    });
  }
  return problems.length > 0 ? { problems } : { config, problems };
}

export function loadConfig(options: LoadOptions = {}): Config {
  const { config, problems } = parseConfig(options);
  if (!config) throw new ConfigError(problems);
  return config;
}

export function isLoopbackUrl(url: string): boolean {
  const host = new URL(url).hostname;
  return host === 'localhost' || host === '127.0.0.1' || host === '[::1]' || host.endsWith('.localhost');
}

function deepAssign(target: Record<string, unknown>, source: Record<string, unknown>): void {
  for (const [key, value] of Object.entries(source)) {
    if (value && typeof value === 'object' && !Array.isArray(value)) {
      target[key] ??= {};
      deepAssign(target[key] as Record<string, unknown>, value as Record<string, unknown>);
    } else {
      target[key] = value;
    }
  }
}

/** SHA-256 of the configuration without its secrets (secret values change the hash only as "set"). */
export function configFingerprint(config: Config): string {
  const { secrets, smtp, ...rest } = config as Config & { smtp?: Record<string, unknown> };
  const redacted = {
    ...rest,
    secrets: { keyEncryption: Boolean(secrets.keyEncryption), cookieKeys: secrets.cookieKeys?.length ?? 0 },
    ...(smtp ? { smtp: { ...smtp, password: smtp['password'] ? 'set' : undefined } } : {}),
  };
  return createHash('sha256').update(JSON.stringify(redacted)).digest('hex');
}
