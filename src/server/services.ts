// What the HTTP routes are given: built once at start by src/server/app.ts.
import type Provider from 'oidc-provider';
import type { Logger } from 'pino';
import type { Config } from '../config/schema.ts';
import type { Notifier } from '../notifications/notifier.ts';
import type { Db } from '../store/database.ts';
import type { Sealer } from '../store/sealer.ts';
import type { Csrf } from './csrf.ts';
import type { Render } from './views.ts';

export interface Services {
  config: Config;
  issuer: string;
  db: Db;
  sealer: Sealer;
  provider: Provider;
  render: Render;
  csrf: Csrf;
  logger: Logger;
  /** Email to people about their own account (src/notifications); never fails the caller. */
  notifier: Notifier;
}
