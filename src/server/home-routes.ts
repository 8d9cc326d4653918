// The landing page: what this server is and where its endpoints are.
import Router from '@koa/router';
import type { Services } from './services.ts';

export function homeRoutes(services: Services): Router {
  const router = new Router();
  router.get('/', (ctx) => {
    services.render(ctx, 'home.njk', {
      title: 'Care Identity',
      issuer: services.issuer,
      discovery: `${services.issuer}/.well-known/openid-configuration`,
      demo: services.config.demo,
    });
  });
  return router;
}
