// Setting up a passkey, Windows Hello or a security key from a one-time link an RA issued for that
// kind (NIST 800-63B-4 §4.1.2.1: the link is the binding code). Links of other kinds fall through
// to their own pages.
import Router from '@koa/router';
import type { Context, Next } from 'koa';
import { authenticatorKinds } from '../assurance/policy.ts';
import { recordAuditEvent } from '../audit/audit-log.ts';
import { updateAuthenticator } from '../authenticators/authenticator-store.ts';
import { consumeEnrolmentLink, findUsableEnrolmentLink } from '../authenticators/enrolment-links.ts';
import {
  finishRegistration,
  isWebAuthnIntent,
  registrationOptions,
  type WebAuthnIntent,
} from '../authenticators/webauthn/registration.ts';
import { webauthnSettings } from '../authenticators/webauthn/settings.ts';
import { findPersonById } from '../directory/people.ts';
import { readForm } from '../server/form-body.ts';
import type { Services } from '../server/services.ts';
import { authenticatorNotices } from './account-notices.ts';
import { linkNotValid } from './enrolment-routes.ts';
import {
  cleanLabel,
  intentHelp,
  intentTitles,
  registrationFailureMessage,
  registrationPerson,
  renderRegistered,
} from './webauthn-registration.ts';

export function webauthnEnrolmentRoutes(services: Services): Router {
  const router = new Router();
  const { db, render, csrf, config } = services;
  const settings = webauthnSettings(config);
  const notify = authenticatorNotices(services);

  /** The link and person when it is a usable link for a WebAuthn kind; undefined for other kinds. */
  async function load(ctx: Context) {
    const link = await findUsableEnrolmentLink(db, String(ctx.params['token']));
    if (!link) return undefined;
    if (!isWebAuthnIntent(link.kind)) return undefined;
    const person = await findPersonById(db, link.personId);
    if (person?.status !== 'active') throw linkNotValid();
    return { link, intent: link.kind as WebAuthnIntent, person };
  }

  function show(
    ctx: Context,
    loaded: NonNullable<Awaited<ReturnType<typeof load>>>,
    error?: string,
    status = 200,
  ) {
    const token = String(ctx.params['token']);
    render(
      ctx,
      'account/register-webauthn.njk',
      {
        title: intentTitles[loaded.intent],
        intro: `This sets up ${authenticatorKinds[loaded.intent].label.toLowerCase()} for ${loaded.person.givenName} ${loaded.person.familyName} (${loaded.person.email}).`,
        help: intentHelp[loaded.intent],
        intent: loaded.intent,
        action: `/enrol/${token}/webauthn`,
        optionsUrl: `/enrol/${token}/webauthn/options`,
        errors: error ? [{ text: error, href: '#webauthn-start' }] : [],
      },
      status,
    );
  }

  router.get('/enrol/:token', async (ctx: Context, next: Next) => {
    const loaded = await load(ctx);
    if (!loaded) return next();
    show(ctx, loaded);
  });

  router.post('/enrol/:token/webauthn/options', async (ctx) => {
    const form = await readForm(ctx);
    csrf.verify(ctx, form['csrf']);
    const loaded = await load(ctx);
    if (!loaded) {
      ctx.status = 404;
      ctx.body = { error: 'This link is not valid any more. Ask your Registration Authority for a new one.' };
      return;
    }
    ctx.set('Cache-Control', 'no-store');
    ctx.body = {
      options: await registrationOptions(db, settings, {
        person: registrationPerson(loaded.person),
        intent: loaded.intent,
        binding: `enrol:${loaded.link.tokenHash}`,
      }),
    };
  });

  router.post('/enrol/:token/webauthn', async (ctx) => {
    const form = await readForm(ctx, 64 * 1024);
    csrf.verify(ctx, form['csrf']);
    const loaded = await load(ctx);
    if (!loaded) throw linkNotValid();
    const { link, intent, person } = loaded;
    const outcome = await finishRegistration(db, settings, {
      personId: person.id,
      intent,
      binding: `enrol:${link.tokenHash}`,
      response: form['response'] ?? '',
      label: cleanLabel(form['label'], intent),
    });
    if (!outcome.ok) {
      await recordAuditEvent(db, {
        type: 'authenticator_added',
        outcome: 'refused',
        actor: person.id,
        subject: person.id,
        sourceIp: ctx.ip,
        detail: {
          kind: intent,
          via: 'enrolment link',
          reason: outcome.reason,
          shown_kind: outcome.kind,
          facts: outcome.detail,
        },
      });
      return show(ctx, loaded, registrationFailureMessage(outcome), 400);
    }
    if (!(await consumeEnrolmentLink(db, link.tokenHash))) {
      // Used in another tab meanwhile: one link, one authenticator.
      await updateAuthenticator(db, outcome.authenticatorId, { status: 'revoked' });
      throw linkNotValid();
    }
    await recordAuditEvent(db, {
      type: 'authenticator_added',
      outcome: 'success',
      actor: person.id,
      subject: person.id,
      sourceIp: ctx.ip,
      detail: {
        kind: outcome.kind,
        level: outcome.level,
        authenticator_id: outcome.authenticatorId,
        via: 'enrolment link',
        aaguid: outcome.facts.attestation.aaguid,
        attestation_trusted: outcome.facts.attestation.trusted,
      },
    });
    await notify(ctx, {
      personId: person.id,
      notice: 'authenticator-added',
      authenticatorId: outcome.authenticatorId,
      name: cleanLabel(form['label'], intent),
      kind: outcome.kind,
      by: 'you, with a one-time link from your Registration Authority',
    });
    renderRegistered(render, ctx, outcome);
  });

  return router;
}
