// Pages the engine renders itself (errors it cannot redirect, logout confirmation), drawn in the
// same design as every other page.
import type { KoaContextWithOIDC } from 'oidc-provider';
import type { ProviderPages } from '../oidc/provider.ts';
import type { Render } from './views.ts';

const errorTitles: Record<string, string> = {
  invalid_redirect_uri: 'The application sent you to the wrong address',
  invalid_client: 'The application is not registered',
  invalid_request: 'The application sent a request that cannot be accepted',
  session_not_found: 'Your sign-in has expired',
};

export function engineProviderPages(render: Render): ProviderPages {
  return {
    async renderError(ctx, out) {
      const title = errorTitles[out.error] ?? 'Sign-in cannot continue';
      render(
        ctx,
        'error.njk',
        {
          title,
          message:
            out.error === 'session_not_found'
              ? 'Go back to the application and sign in again.'
              : 'Go back to the application and try again. If it keeps happening, contact the application’s support team and quote the reference below.',
          detail: [out.error, out.error_description].filter(Boolean).join(': '),
        },
        Math.max(ctx.status, 400),
      );
    },
    async logoutSource(ctx: KoaContextWithOIDC) {
      const secret = (ctx.oidc.session as unknown as { state?: { secret?: string } }).state?.secret;
      render(ctx, 'sign-in/logout.njk', {
        title: 'Do you want to sign out?',
        message:
          'Signing out ends your Care Identity session on this device and tells the applications you used.',
        form: { action: ctx.oidc.urlFor('end_session_confirm'), xsrf: secret },
      });
    },
    async postLogoutSuccessSource(ctx: KoaContextWithOIDC) {
      render(ctx, 'sign-in/logout.njk', {
        title: 'You have signed out',
        message: 'You can close this window. On a shared computer, close the browser too.',
      });
    },
  };
}
