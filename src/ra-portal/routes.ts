// The Registration Authority portal (/ra): RA staff sign in through Care Identity's own OpenID
// flow at the portal's level, and see only what their RA roles allow in the organisations they
// serve. Pages call the RA service layer (src/ra), the same one the administration API calls.
import Router from '@koa/router';
import { findOrganisation } from '../directory/organisations.ts';
import { findPersonById } from '../directory/people.ts';
import { levelNames } from '../journeys/sign-in-routes.ts';
import { raRoleNames } from '../ra/permissions.ts';
import type { RaServices } from '../ra/services.ts';
import { readForm } from '../server/form-body.ts';
import type { Services } from '../server/services.ts';
import { auditRoutes } from './audit-routes.ts';
import { authenticatorRoutes } from './authenticator-routes.ts';
import { can, nav } from './page-model.ts';
import { peopleRoutes } from './people-routes.ts';
import { createPortal } from './portal.ts';
import { positionRoutes } from './position-routes.ts';

export function raPortalRoutes(services: Services, ra: RaServices): Router {
  const router = new Router();
  const portal = createPortal(services, ra);
  const { render, csrf, db } = services;

  router.get('/ra/callback', (ctx) => portal.sessions.callback(ctx));

  router.get('/ra/signed-out', (ctx) => {
    render(ctx, 'ra/signed-out.njk', { title: 'You have signed out' });
  });

  router.post('/ra/sign-out', async (ctx) => {
    const form = await readForm(ctx);
    csrf.verify(ctx, form['csrf']);
    await portal.sessions.signOut(ctx);
  });

  router.get('/ra', async (ctx) => {
    const staff = await portal.page(ctx);
    if (!staff) return;
    const me = await findPersonById(db, staff.actor.personId);
    const organisations = [];
    for (const [code, roles] of [...staff.capabilities.organisations].sort()) {
      const org = await findOrganisation(db, code);
      organisations.push({ code, name: org?.name ?? code, roles: roles.map((role) => raRoleNames[role]) });
    }
    render(ctx, 'ra/home.njk', {
      title: 'Registration Authority',
      nav: nav(staff, '/ra'),
      me: me ?? { givenName: 'RA', familyName: 'staff' },
      level: levelNames[staff.signedIn.level],
      organisations,
      can: {
        register: can(staff, 'create_profile'),
        approve: can(staff, 'approve_position_request'),
        audit: can(staff, 'search_audit'),
      },
    });
  });

  for (const sub of [
    peopleRoutes(portal),
    positionRoutes(portal),
    authenticatorRoutes(portal),
    auditRoutes(portal),
  ]) {
    router.use(sub.routes());
  }
  return router;
}
