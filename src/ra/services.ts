// The RA service layer: one object the portal pages and the administration API both call. Nothing
// above it talks to the store.
import type { Logger } from 'pino';
import { webauthnSettings } from '../authenticators/webauthn/settings.ts';
import type { Config } from '../config/schema.ts';
import { createNotifier, type Notifier } from '../notifications/notifier.ts';
import type { Db } from '../store/database.ts';
import type { RaDependencies } from './action.ts';
import { auditServices } from './audit-search.ts';
import { authenticatorServices } from './authenticators.ts';
import { raCapabilities } from './capabilities.ts';
import { peopleServices } from './people.ts';
import { personRecordServices } from './person-record.ts';
import { positionServices } from './positions.ts';

export function createRaServices(deps: RaDependencies) {
  return {
    ...peopleServices(deps),
    ...personRecordServices(deps),
    ...positionServices(deps),
    ...authenticatorServices(deps),
    ...auditServices(deps),
    /** What the actor may do today, by organisation (for menus; every service checks again). */
    capabilities: (personId: string, today: string) => raCapabilities(deps.db, personId, today),
  };
}

export type RaServices = ReturnType<typeof createRaServices>;

/** The services as a node runs them: policy from the configuration, email through `smtp`. */
export function raServicesFromConfig(
  config: Config,
  db: Db,
  logger: Pick<Logger, 'info' | 'warn'>,
  notifier: Notifier = createNotifier(config.smtp, logger),
): { ra: RaServices; notifier: Notifier } {
  const ra = createRaServices({
    db,
    notifier,
    policy: {
      publicUrl: config.publicUrl,
      registrationLinkMinutes: config.ra.registrationLinkMinutes,
      photoMaxBytes: config.ra.photoMaxBytes,
      maxConsecutiveFailures: config.lockout.maxConsecutiveFailures,
    },
    webauthn: webauthnSettings(config),
  });
  return { ra, notifier };
}
