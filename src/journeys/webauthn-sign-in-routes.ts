// WebAuthn sign-in, plugged into the sign-in journey: passkeys, Windows Hello and security keys
// share one ceremony; the assurance policy decides from its facts which kind it was and the level.
// The page's script asks for options (a stored single-use challenge bound to this interaction),
// runs the browser ceremony and posts the result as an ordinary form, so the journey goes on with
// the engine's redirects as for any other method.
import { createHmac } from 'node:crypto';
import type Router from '@koa/router';
import type { Context } from 'koa';
import { decideLevel } from '../assurance/levels.ts';
import { authenticatorKinds } from '../assurance/policy.ts';
import { kindsThatCanMeet } from '../assurance/requirement.ts';
import { recordAuditEvent } from '../audit/audit-log.ts';
import { findAuthenticator } from '../authenticators/authenticator-store.ts';
import { activeCredentials } from '../authenticators/webauthn/credentials.ts';
import type { WebAuthnData } from '../authenticators/webauthn/facts.ts';
import { webauthnSettings } from '../authenticators/webauthn/settings.ts';
import {
  type AuthenticationFailure,
  authenticationOptions,
  finishAuthentication,
} from '../authenticators/webauthn/verification.ts';
import { findPersonByEmail } from '../directory/people.ts';
import { readForm } from '../server/form-body.ts';
import type { Services } from '../server/services.ts';
import { authenticatorNotices, kindName } from './account-notices.ts';
import { type LoadedInteraction, loadInteraction, sourceIp } from './interaction.ts';
import type { SignInJourney } from './sign-in-routes.ts';
import { credentialKind } from './webauthn-credential-kind.ts';

const failureMessages: Partial<Record<AuthenticationFailure, string>> & { default: string } = {
  challenge: 'This sign-in attempt has expired or was already used. Select the button to try again.',
  'counter-regression':
    'This passkey or security key may have been copied, so it has been suspended to keep your account safe. Contact your Registration Authority (RA) straight away; use another way to sign in until then.',
  default:
    'Your passkey or security key could not be checked. Try again, or use another way to sign in. If it keeps happening, contact your Registration Authority (RA).',
};

export async function renderWebAuthnSignIn(
  services: Services,
  journey: SignInJourney,
  ctx: Context,
  interaction: LoadedInteraction,
  extra: { error?: string } = {},
  status = 200,
) {
  const kinds = kindsThatCanMeet(interaction.requirement, journey.available).filter(
    (kind) => authenticatorKinds[kind].method === 'webauthn',
  );
  services.render(
    ctx,
    'sign-in/webauthn.njk',
    {
      title: 'Sign in with a passkey or security key',
      uid: interaction.uid,
      clientName: interaction.clientName,
      stepUp: await journey.stepUpReason(interaction),
      accepted: kinds.map((kind) => authenticatorKinds[kind].label),
      email: typeof interaction.params['login_hint'] === 'string' ? interaction.params['login_hint'] : '',
      otherMethods: journey.methods(interaction).length > 1,
      errors: extra.error ? [{ text: extra.error, href: '#webauthn-start' }] : [],
    },
    status,
  );
}

export function webauthnSignInRoutes(router: Router, services: Services, journey: SignInJourney): void {
  const { db, csrf, config } = services;
  const settings = webauthnSettings(config);
  const notify = authenticatorNotices(services);
  // Unknown emails get a credential ID that looks real and stays the same (keyed by the cookie key,
  // the same on every node), so options do not reveal who has an account.
  const decoyFor = (ctx: Context, email: string) =>
    createHmac('sha256', `webauthn decoy:${String((ctx.app.keys as string[] | undefined)?.[0] ?? '')}`)
      .update(email)
      .digest()
      .subarray(0, 32)
      .toString('base64url');

  async function loadForWebAuthn(ctx: Context): Promise<LoadedInteraction | undefined> {
    const interaction = await loadInteraction(services, ctx);
    if (interaction.promptName !== 'login' || !journey.methods(interaction).includes('webauthn')) {
      return undefined;
    }
    return interaction;
  }

  router.post('/interaction/:uid/webauthn/options', async (ctx) => {
    const form = await readForm(ctx);
    csrf.verify(ctx, form['csrf']);
    const interaction = await loadForWebAuthn(ctx);
    if (!interaction) {
      ctx.status = 403;
      ctx.body = { error: 'This application does not accept passkeys or security keys.' };
      return;
    }
    const email = (form['email'] ?? '').trim().toLowerCase().slice(0, 320);
    let allow: { id: string; transports?: string[] }[] = [];
    let personId: string | null = null;
    if (email) {
      // Email first: only this person's credentials that could meet what the application needs.
      const person = await findPersonByEmail(db, email);
      const wanted = new Set(kindsThatCanMeet(interaction.requirement, journey.available));
      const records = person?.status === 'active' ? await activeCredentials(db, person.id) : [];
      allow = records
        .filter((record) => wanted.has(credentialKind(settings, record.data)))
        .map((record) => ({ id: record.data.credentialId, transports: record.data.transports }));
      if (person) personId = person.id;
      if (allow.length === 0) allow = [{ id: decoyFor(ctx, email) }];
    }
    const options = await authenticationOptions(db, settings, { binding: interaction.uid, personId, allow });
    ctx.set('Cache-Control', 'no-store');
    ctx.body = { options };
  });

  router.post('/interaction/:uid/webauthn', async (ctx) => {
    const form = await readForm(ctx);
    csrf.verify(ctx, form['csrf']);
    const interaction = await loadForWebAuthn(ctx);
    if (!interaction) {
      const loaded = await loadInteraction(services, ctx);
      await journey.audit(ctx, loaded, 'sign_in', 'refused', {
        method: 'webauthn',
        reason: 'below required level',
      });
      return journey.renderLevelNotMet(ctx, loaded);
    }
    const outcome = await finishAuthentication(db, settings, {
      binding: interaction.uid,
      response: form['response'] ?? '',
    });
    if (!outcome.ok) {
      if (outcome.reason === 'counter-regression') {
        // A cloned-key signal (WebAuthn §6.1.1): the RA reads it in the audit trail.
        await recordAuditEvent(db, {
          type: 'webauthn_counter_regression',
          outcome: 'refused',
          actor: outcome.personId ?? null,
          subject: outcome.personId ?? null,
          sourceIp: sourceIp(ctx),
          detail: {
            client_id: interaction.clientId,
            authenticator_id: outcome.authenticatorId,
            action: 'authenticator suspended',
            ...outcome.detail,
          },
        });
        if (outcome.personId && outcome.authenticatorId) {
          const record = await findAuthenticator<WebAuthnData>(db, outcome.authenticatorId);
          const kind = record ? credentialKind(settings, record.data) : 'passkey';
          await notify(ctx, {
            personId: outcome.personId,
            notice: 'authenticator-suspended-cloned',
            authenticatorId: outcome.authenticatorId,
            name: record?.label ?? kindName(kind),
            kind,
            by: 'Care Identity',
          });
        }
      }
      await journey.audit(
        ctx,
        interaction,
        'sign_in',
        'failure',
        {
          method: 'webauthn',
          reason: outcome.reason,
          authenticator_id: outcome.authenticatorId,
          ...outcome.detail,
        },
        outcome.personId,
      );
      const error = failureMessages[outcome.reason] ?? failureMessages.default;
      return renderWebAuthnSignIn(services, journey, ctx, interaction, { error }, 401);
    }
    await journey.complete(ctx, interaction, {
      method: 'webauthn',
      decision: decideLevel(outcome.facts),
      personId: outcome.facts.personId,
      authenticatorId: outcome.facts.authenticatorId,
    });
  });
}
