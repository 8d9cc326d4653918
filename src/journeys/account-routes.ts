// The signed-in person's own account (/account): list, name and remove their authenticators, and
// register a passkey, Windows Hello or a security key. The area signs people in through Care
// Identity's own OpenID flow (src/web-session). Registering needs a session at the highest level the
// account already holds (NIST 800-63B-4 §4.1.2.1), so a person with an AAL3 key steps up first.
import Router from '@koa/router';
import type { Context } from 'koa';
import { authenticatorKinds, type Level } from '../assurance/policy.ts';
import { recordAuditEvent } from '../audit/audit-log.ts';
import { updateAuthenticator } from '../authenticators/authenticator-store.ts';
import { attainableKinds } from '../authenticators/webauthn/metadata.ts';
import {
  finishRegistration,
  isWebAuthnIntent,
  registrationOptions,
  type WebAuthnIntent,
} from '../authenticators/webauthn/registration.ts';
import { webauthnSettings } from '../authenticators/webauthn/settings.ts';
import { findPersonById } from '../directory/people.ts';
import { setCookie } from '../server/cookies.ts';
import { readForm } from '../server/form-body.ts';
import { PageError } from '../server/page-error.ts';
import type { Services } from '../server/services.ts';
import { type SignedInSession, webSessions } from '../web-session/web-session.ts';
import {
  type AccountAuthenticator,
  accountAuthenticators,
  highestLevel,
  isLastAtItsLevel,
} from './account-authenticators.ts';
import { authenticatorNotices } from './account-notices.ts';
import { accountProfile } from './account-profile.ts';
import { endEverySession } from './account-sessions.ts';
import { levelNames } from './sign-in-routes.ts';
import {
  cleanLabel,
  intentHelp,
  intentTitles,
  registrationFailureMessage,
  registrationPerson,
  renderRegistered,
} from './webauthn-registration.ts';

export const ACCOUNT_CLIENT_ID = 'care-identity-account';

const notFound = () =>
  new PageError(404, 'Page not found', 'This authenticator is not one of yours, or it has been removed.');

function when(ms: number | null): string {
  if (!ms) return 'Not used yet';
  return new Date(ms).toLocaleString('en-GB', {
    timeZone: 'Europe/London',
    dateStyle: 'medium',
    timeStyle: 'short',
  });
}

export function accountRoutes(services: Services): Router {
  const router = new Router();
  const { db, render, csrf, config } = services;
  const settings = webauthnSettings(config);
  const offered = new Set(attainableKinds(settings.anchors));
  const notify = authenticatorNotices(services);
  const sessions = webSessions(services, {
    name: 'account',
    clientId: ACCOUNT_CLIENT_ID,
    clientName: 'Your Care Identity account',
    callbackPath: '/account/callback',
    signedOutPath: '/account/signed-out',
    scope: 'openid profile email',
    home: '/account',
  });

  async function mine(signedIn: SignedInSession) {
    return accountAuthenticators(db, settings, signedIn.person.personId);
  }

  async function ownAuthenticator(ctx: Context, signedIn: SignedInSession): Promise<AccountAuthenticator> {
    const found = (await mine(signedIn)).find((a) => a.id === ctx.params['id']);
    if (!found) throw notFound();
    return found;
  }

  /** The level registering needs: the highest the account holds, at least AAL2. */
  async function bindingLevel(personId: string): Promise<Level> {
    const held = highestLevel(await accountAuthenticators(db, settings, personId));
    return held >= 3 ? 3 : 2;
  }

  function intentOf(ctx: Context): WebAuthnIntent {
    const intent = ctx.params['intent'];
    if (!isWebAuthnIntent(intent) || !offered.has(intent)) {
      throw new PageError(
        404,
        'You cannot set this up here',
        'This service does not accept this kind of authenticator yet. Ask your Registration Authority (RA).',
      );
    }
    return intent;
  }

  /**
   * Signed in at the binding level. Pages redirect to sign in (or step up) and return undefined;
   * posts never redirect (they would lose what was sent) and return undefined for the caller to refuse.
   */
  async function forRegistration(
    ctx: Context,
    mode: 'page' | 'post',
  ): Promise<{ signedIn: SignedInSession; intent: WebAuthnIntent } | undefined> {
    const intent = intentOf(ctx);
    const first = mode === 'page' ? await sessions.requireSignIn(ctx, 2) : await sessions.signedIn(ctx, 2);
    if (!first) return undefined;
    const needed = await bindingLevel(first.person.personId);
    if (first.level >= needed) return { signedIn: first, intent };
    // Binding needs the account's highest level: sign in again with such an authenticator.
    const stepped = mode === 'page' ? await sessions.requireSignIn(ctx, needed) : undefined;
    return stepped ? { signedIn: stepped, intent } : undefined;
  }

  const expired = () =>
    new PageError(
      403,
      'Sign in again to continue',
      'Your sign-in has expired, or is not at the level needed to set this up. Go back to your account and try again.',
    );

  async function audit(
    ctx: Context,
    personId: string,
    type: string,
    detail: Record<string, unknown>,
    outcome: 'success' | 'refused' = 'success',
  ) {
    await recordAuditEvent(db, {
      type,
      outcome,
      actor: personId,
      subject: personId,
      sourceIp: ctx.ip,
      detail: { via: 'account', ...detail },
    });
  }

  router.get('/account/callback', (ctx) => sessions.callback(ctx));

  router.get('/account/signed-out', (ctx) => {
    render(ctx, 'account/signed-out.njk', { title: 'You have signed out' });
  });

  router.post('/account/sign-out', async (ctx) => {
    const form = await readForm(ctx);
    csrf.verify(ctx, form['csrf']);
    await sessions.signOut(ctx);
  });

  // Sign out everywhere (ASVS 7.4.3, 7.4.5): every IdP session, web session and grant of the person.
  router.get('/account/sign-out-everywhere', async (ctx) => {
    const signedIn = await sessions.requireSignIn(ctx, 2);
    if (!signedIn) return;
    render(ctx, 'account/sign-out-everywhere.njk', { title: 'Sign out everywhere?' });
  });

  router.post('/account/sign-out-everywhere', async (ctx) => {
    const form = await readForm(ctx);
    csrf.verify(ctx, form['csrf']);
    const signedIn = await sessions.signedIn(ctx, 2);
    if (!signedIn) throw expired();
    const personId = signedIn.person.personId;
    const ended = await endEverySession(db, services.provider, personId);
    setCookie(ctx, { secure: config.publicUrl.startsWith('https://') }, 'care_account', null);
    await audit(ctx, personId, 'signed_out_everywhere', {
      sessions: ended.sessions,
      grants: ended.grants,
      tokens: ended.tokens,
      web_sessions: ended.webSessions,
      backchannel_notified: ended.backchannel.notified,
      backchannel_failed: ended.backchannel.failed,
    });
    ctx.status = 303;
    ctx.redirect('/account/signed-out-everywhere');
  });

  router.get('/account/signed-out-everywhere', (ctx) => {
    render(ctx, 'account/signed-out.njk', {
      title: 'You have signed out everywhere',
      everywhere: true,
    });
  });

  router.get('/account', async (ctx) => {
    const signedIn = await sessions.requireSignIn(ctx, 2);
    if (!signedIn) return;
    const profile = await accountProfile(db, signedIn.person.personId);
    if (!profile) throw notFound();
    const authenticators = await mine(signedIn);
    render(ctx, 'account/index.njk', {
      title: 'Your account',
      person: profile.person,
      profile,
      sessionLevel: levelNames[signedIn.level],
      authenticators: authenticators.map((a) => ({
        ...a,
        levelName: a.level === 0 ? 'Unknown' : levelNames[a.level],
        lastUsed: when(a.lastUsedAt),
        added: when(a.createdAt),
      })),
      canAdd: (['passkey', 'windows-hello', 'security-key'] as const)
        .filter((kind) => offered.has(kind))
        .map((kind) => ({ kind, text: `Set up ${authenticatorKinds[kind].label.replace(/^A /, 'a ')}` })),
      noAal3: highestLevel(authenticators) < 3,
    });
  });

  router.get('/account/add/:intent', async (ctx) => {
    const ready = await forRegistration(ctx, 'page');
    if (!ready) return;
    render(ctx, 'account/register-webauthn.njk', {
      title: intentTitles[ready.intent],
      help: intentHelp[ready.intent],
      intent: ready.intent,
      action: `/account/add/${ready.intent}`,
      optionsUrl: `/account/add/${ready.intent}/options`,
      backHref: '/account',
    });
  });

  router.post('/account/add/:intent/options', async (ctx) => {
    const form = await readForm(ctx);
    csrf.verify(ctx, form['csrf']);
    const ready = await forRegistration(ctx, 'post');
    if (!ready) {
      ctx.status = 403;
      ctx.body = { error: 'Your sign-in has expired or is not at the level needed. Reload the page.' };
      return;
    }
    const person = await findPersonById(db, ready.signedIn.person.personId);
    if (person?.status !== 'active') throw notFound();
    ctx.set('Cache-Control', 'no-store');
    ctx.body = {
      options: await registrationOptions(db, settings, {
        person: registrationPerson(person),
        intent: ready.intent,
        binding: `web:${ready.signedIn.session.idHash}`,
      }),
    };
  });

  router.post('/account/add/:intent', async (ctx) => {
    const form = await readForm(ctx, 64 * 1024);
    csrf.verify(ctx, form['csrf']);
    const ready = await forRegistration(ctx, 'post');
    if (!ready) throw expired();
    const { signedIn, intent } = ready;
    const personId = signedIn.person.personId;
    const outcome = await finishRegistration(db, settings, {
      personId,
      intent,
      binding: `web:${signedIn.session.idHash}`,
      response: form['response'] ?? '',
      label: cleanLabel(form['label'], intent),
    });
    if (!outcome.ok) {
      await audit(
        ctx,
        personId,
        'authenticator_added',
        { kind: intent, reason: outcome.reason, facts: outcome.detail },
        'refused',
      );
      return render(
        ctx,
        'account/register-webauthn.njk',
        {
          title: intentTitles[intent],
          help: intentHelp[intent],
          intent,
          action: `/account/add/${intent}`,
          optionsUrl: `/account/add/${intent}/options`,
          backHref: '/account',
          label: form['label'] ?? '',
          errors: [{ text: registrationFailureMessage(outcome), href: '#webauthn-start' }],
        },
        400,
      );
    }
    await audit(ctx, personId, 'authenticator_added', {
      kind: outcome.kind,
      level: outcome.level,
      authenticator_id: outcome.authenticatorId,
      session_level: signedIn.level,
      aaguid: outcome.facts.attestation.aaguid,
      attestation_trusted: outcome.facts.attestation.trusted,
    });
    await notify(ctx, {
      personId,
      notice: 'authenticator-added',
      authenticatorId: outcome.authenticatorId,
      name: cleanLabel(form['label'], intent),
      kind: outcome.kind,
      by: 'you, from your Care Identity account',
    });
    renderRegistered(render, ctx, outcome, '/account');
  });

  router.get('/account/authenticators/:id/rename', async (ctx) => {
    const signedIn = await sessions.requireSignIn(ctx, 2);
    if (!signedIn) return;
    const authenticator = await ownAuthenticator(ctx, signedIn);
    render(ctx, 'account/rename.njk', { title: 'Change the name', authenticator, name: authenticator.name });
  });

  router.post('/account/authenticators/:id/rename', async (ctx) => {
    const form = await readForm(ctx);
    csrf.verify(ctx, form['csrf']);
    const signedIn = await sessions.signedIn(ctx, 2);
    if (!signedIn) throw expired();
    const authenticator = await ownAuthenticator(ctx, signedIn);
    const name = (form['name'] ?? '').replace(/\s+/g, ' ').trim();
    if (!name || name.length > 60) {
      const text = name ? 'The name must be 60 characters or fewer' : 'Enter a name';
      return render(
        ctx,
        'account/rename.njk',
        {
          title: 'Change the name',
          authenticator,
          name: name.slice(0, 60),
          errors: [{ text, href: '#name' }],
          fieldError: text,
        },
        400,
      );
    }
    await updateAuthenticator(db, authenticator.id, { label: name });
    await audit(ctx, signedIn.person.personId, 'authenticator_renamed', {
      authenticator_id: authenticator.id,
    });
    ctx.status = 303;
    ctx.redirect('/account');
  });

  async function showRemove(
    ctx: Context,
    signedIn: SignedInSession,
    errors: { text: string; href: string }[] = [],
    status = 200,
  ) {
    const all = await mine(signedIn);
    const authenticator = await ownAuthenticator(ctx, signedIn);
    const last = isLastAtItsLevel(all, authenticator.id);
    render(
      ctx,
      'account/remove.njk',
      {
        title: `Remove ${authenticator.name}?`,
        authenticator,
        last,
        warning: last
          ? `This is your last authenticator at ${authenticator.level === 0 ? 'its level' : levelNames[authenticator.level]}. Applications that need that level will not let you sign in until your Registration Authority (RA) gives you another one.`
          : undefined,
        errors,
      },
      status,
    );
  }

  router.get('/account/authenticators/:id/remove', async (ctx) => {
    const signedIn = await sessions.requireSignIn(ctx, 2);
    if (!signedIn) return;
    await showRemove(ctx, signedIn);
  });

  router.post('/account/authenticators/:id/remove', async (ctx) => {
    const form = await readForm(ctx);
    csrf.verify(ctx, form['csrf']);
    const signedIn = await sessions.signedIn(ctx, 2);
    if (!signedIn) throw expired();
    const all = await mine(signedIn);
    const authenticator = await ownAuthenticator(ctx, signedIn);
    if (isLastAtItsLevel(all, authenticator.id) && form['confirm'] !== 'yes') {
      return showRemove(
        ctx,
        signedIn,
        [{ text: 'Confirm that you understand what removing it means', href: '#confirm' }],
        400,
      );
    }
    await updateAuthenticator(db, authenticator.id, { status: 'revoked' });
    await audit(ctx, signedIn.person.personId, 'authenticator_removed', {
      authenticator_id: authenticator.id,
      kind: authenticator.kind,
      level: authenticator.level,
    });
    await notify(ctx, {
      personId: signedIn.person.personId,
      notice: 'authenticator-removed',
      authenticatorId: authenticator.id,
      name: authenticator.name,
      kind: authenticator.kind,
      by: 'you, from your Care Identity account',
    });
    ctx.status = 303;
    ctx.redirect('/account');
  });

  return router;
}
