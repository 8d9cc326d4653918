// The sign-in journey: choose a method → verify → (step-up) → pick a role → back to the engine.
import Router from '@koa/router';
import type { Context } from 'koa';
import { decideLevel } from '../assurance/levels.ts';
import { type AuthenticatorKind, authenticatorKinds, type Level } from '../assurance/policy.ts';
import { acrFor, kindsThatCanMeet, type Requirement } from '../assurance/requirement.ts';
import { effectiveLevel } from '../assurance/session-lifetime.ts';
import { recordAuditEvent } from '../audit/audit-log.ts';
import { verifyPasswordTotp } from '../authenticators/password-totp/verification.ts';
import type { CareIdentityResult } from '../oidc/request-assurance.ts';
import { readForm } from '../server/form-body.ts';
import { PageError } from '../server/page-error.ts';
import type { Services } from '../server/services.ts';
import { finishInteraction, type LoadedInteraction, loadInteraction, sourceIp } from './interaction.ts';
import { roleOptions } from './role-options.ts';
import { findSignInContext } from './sign-in-context.ts';

const FAILED_SIGN_IN =
  'The details you entered are not right, or there have been too many attempts. Check them and try again. If it keeps happening, contact your Registration Authority.';

const levelNames: Record<Level, string> = {
  1: 'AAL1',
  2: 'AAL2 (high confidence)',
  3: 'AAL3 (very high confidence)',
};

export function signInRoutes(services: Services): Router {
  const router = new Router();
  const { db, render, csrf } = services;

  function renderLevelNotMet(ctx: Context, interaction: LoadedInteraction, status = 403) {
    const needed = levelNames[interaction.requirement.minimumLevel];
    render(
      ctx,
      'sign-in/level-not-met.njk',
      {
        title: 'You cannot sign in to this application this way',
        uid: interaction.uid,
        clientName: interaction.clientName,
        reason: `${interaction.clientName ?? 'This application'} needs an authenticator at ${needed}. None of the ways you can sign in here reach that level.`,
        advice:
          'Ask your Registration Authority (RA) for an authenticator at this level, such as a smartcard or a security key. You can still use your current authenticator for applications that accept it.',
      },
      status,
    );
  }

  function renderPasswordTotp(
    ctx: Context,
    interaction: LoadedInteraction,
    extra: {
      email?: string;
      fieldErrors?: Record<string, string>;
      errors?: { text: string; href: string }[];
    } = {},
    status = 200,
  ) {
    render(
      ctx,
      'sign-in/password-totp.njk',
      {
        title: 'Sign in with Microsoft Authenticator',
        uid: interaction.uid,
        clientName: interaction.clientName,
        stepUp: Boolean(interaction.session?.accountId),
        email:
          extra.email ??
          (typeof interaction.params['login_hint'] === 'string' ? interaction.params['login_hint'] : ''),
        fieldErrors: extra.fieldErrors ?? {},
        errors: extra.errors ?? [],
        otherMethods: kindsThatCanMeet(interaction.requirement).length > 1,
      },
      status,
    );
  }

  async function showLogin(ctx: Context, interaction: LoadedInteraction) {
    const kinds = kindsThatCanMeet(interaction.requirement);
    if (kinds.length === 0) {
      await audit(ctx, interaction, 'sign_in', 'refused', { reason: 'no method meets the required level' });
      return renderLevelNotMet(ctx, interaction);
    }
    const chosen = ctx.query['method'];
    if (kinds.length === 1 || (typeof chosen === 'string' && kinds.includes(chosen as AuthenticatorKind))) {
      return renderPasswordTotp(ctx, interaction);
    }
    render(ctx, 'sign-in/choose.njk', {
      title: 'How do you want to sign in?',
      hint: `${interaction.clientName ?? 'This application'} accepts these authenticators.`,
      uid: interaction.uid,
      clientName: interaction.clientName,
      methods: kinds.map((kind) => ({ value: kind, text: authenticatorKinds[kind].label })),
    });
  }

  async function showCareIdentity(ctx: Context, interaction: LoadedInteraction) {
    const sessionUid = interaction.session?.uid;
    const context = sessionUid ? await findSignInContext(db, sessionUid) : undefined;
    if (!context || !interaction.session?.accountId)
      throw new PageError(400, 'Your sign-in has expired', 'Go back to the application and sign in again.');
    const level = effectiveLevel(context, services.config.assurance, Date.now());
    const acr = level === 0 ? undefined : acrFor(interaction.requirement, { level, amr: context.methods });
    if (!acr)
      throw new PageError(400, 'Your sign-in has expired', 'Go back to the application and sign in again.');
    const login = {
      accountId: context.personId,
      acr,
      amr: context.methods,
      ts: Math.floor(context.authenticatedAt / 1000),
      remember: true,
    };
    if (!interaction.reasons.includes('role_selection')) return finishInteraction(services, ctx, { login });

    const options = await roleOptions(db, context.personId);
    if (options.length <= 1) {
      const role = { id: options[0]?.value ?? null };
      return finishInteraction(services, ctx, { login, careIdentity: { role } satisfies CareIdentityResult });
    }
    const query = typeof ctx.query['q'] === 'string' ? ctx.query['q'].trim().slice(0, 100) : '';
    const needle = query.toLowerCase();
    render(ctx, 'sign-in/select-role.njk', {
      title: 'Choose a role',
      uid: interaction.uid,
      clientName: interaction.clientName,
      searchable: options.length > 5,
      query,
      roles: options
        .filter((o) => !needle || o.searchText.includes(needle))
        .map((o) => ({ value: o.value, text: o.text, hint: { text: o.hint } })),
    });
  }

  async function audit(
    ctx: Context,
    interaction: LoadedInteraction,
    type: string,
    outcome: 'success' | 'failure' | 'refused',
    detail: Record<string, unknown>,
    subject?: string,
  ) {
    await recordAuditEvent(db, {
      type,
      outcome,
      actor: subject ?? null,
      subject: subject ?? null,
      sourceIp: sourceIp(ctx),
      detail: { client_id: interaction.clientId, ...detail },
    });
  }

  router.get('/interaction/:uid', async (ctx) => {
    const interaction = await loadInteraction(services, ctx);
    if (interaction.promptName === 'login') return showLogin(ctx, interaction);
    if (interaction.promptName === 'care_identity') return showCareIdentity(ctx, interaction);
    throw new PageError(
      400,
      'Sign-in cannot continue',
      'This sign-in step is not available. Go back to the application and sign in again.',
    );
  });

  router.post('/interaction/:uid/choose', async (ctx) => {
    const form = await readForm(ctx);
    csrf.verify(ctx, form['csrf']);
    const interaction = await loadInteraction(services, ctx);
    const kinds = kindsThatCanMeet(interaction.requirement);
    const method = form['method'];
    if (!method || !kinds.includes(method as AuthenticatorKind)) {
      ctx.status = 400;
      return render(
        ctx,
        'sign-in/choose.njk',
        {
          title: 'How do you want to sign in?',
          uid: interaction.uid,
          clientName: interaction.clientName,
          errors: [{ text: 'Select how you want to sign in', href: '#method' }],
          methods: kinds.map((kind) => ({ value: kind, text: authenticatorKinds[kind].label })),
        },
        400,
      );
    }
    ctx.status = 303;
    ctx.redirect(`/interaction/${interaction.uid}?method=${encodeURIComponent(method)}`);
  });

  router.post('/interaction/:uid/password-totp', async (ctx) => {
    const form = await readForm(ctx);
    csrf.verify(ctx, form['csrf']);
    const interaction = await loadInteraction(services, ctx);
    if (interaction.promptName !== 'login')
      throw new PageError(400, 'Sign-in cannot continue', 'Go back to the application and sign in again.');
    if (!kindsThatCanMeet(interaction.requirement).includes('password-totp')) {
      await audit(ctx, interaction, 'sign_in', 'refused', {
        method: 'password-totp',
        reason: 'below required level',
      });
      return renderLevelNotMet(ctx, interaction);
    }
    const email = (form['email'] ?? '').trim();
    const password = form['password'] ?? '';
    const code = (form['code'] ?? '').replace(/\s+/g, '');
    const fieldErrors: Record<string, string> = {};
    if (!email) fieldErrors['email'] = 'Enter your email address';
    else if (email.length > 320 || !email.includes('@'))
      fieldErrors['email'] = 'Enter an email address in the correct format, like name@nhs.net';
    if (!password) fieldErrors['password'] = 'Enter your password';
    else if (password.length > 1024)
      fieldErrors['password'] = 'Your password must be 256 characters or fewer';
    if (!code) fieldErrors['code'] = 'Enter the code from your authenticator app';
    else if (!/^\d{6}$/.test(code)) fieldErrors['code'] = 'The code must be 6 numbers';
    if (Object.keys(fieldErrors).length > 0) {
      const errors = Object.entries(fieldErrors).map(([field, text]) => ({ text, href: `#${field}` }));
      return renderPasswordTotp(ctx, interaction, { email: email.slice(0, 320), fieldErrors, errors }, 400);
    }

    const outcome = await verifyPasswordTotp(
      { db, sealer: services.sealer, throttle: services.config.lockout },
      { email, password, code },
    );
    if (!outcome.ok) {
      await audit(
        ctx,
        interaction,
        'sign_in',
        'failure',
        { method: 'password-totp', reason: outcome.reason, authenticator_id: outcome.authenticatorId },
        outcome.personId,
      );
      return renderPasswordTotp(
        ctx,
        interaction,
        { email, errors: [{ text: FAILED_SIGN_IN, href: '#email' }] },
        401,
      );
    }
    const decision = decideLevel(outcome.facts);
    const requirement: Requirement = interaction.requirement;
    const acr =
      decision.level === 0 ? undefined : acrFor(requirement, { level: decision.level, amr: decision.amr });
    if (!acr) {
      await audit(
        ctx,
        interaction,
        'sign_in',
        'refused',
        { method: 'password-totp', level: decision.level, reason: 'below required level' },
        outcome.facts.personId,
      );
      return renderLevelNotMet(ctx, interaction);
    }
    const now = Date.now();
    const ceremony = {
      personId: outcome.facts.personId,
      level: decision.level,
      methods: decision.amr,
      authenticatorId: outcome.facts.authenticatorId,
      authenticatedAt: now,
    };
    await audit(
      ctx,
      interaction,
      interaction.session?.accountId ? 'step_up' : 'sign_in',
      'success',
      {
        method: 'password-totp',
        level: decision.level,
        acr,
        amr: decision.amr,
        authenticator_id: outcome.facts.authenticatorId,
      },
      outcome.facts.personId,
    );
    await finishInteraction(services, ctx, {
      login: {
        accountId: ceremony.personId,
        acr,
        amr: decision.amr,
        ts: Math.floor(now / 1000),
        remember: true,
      },
      careIdentity: { ceremony } satisfies CareIdentityResult,
    });
  });

  router.post('/interaction/:uid/role', async (ctx) => {
    const form = await readForm(ctx);
    csrf.verify(ctx, form['csrf']);
    const interaction = await loadInteraction(services, ctx);
    const sessionUid = interaction.session?.uid;
    const context = sessionUid ? await findSignInContext(db, sessionUid) : undefined;
    if (interaction.promptName !== 'care_identity' || !context) {
      throw new PageError(400, 'Sign-in cannot continue', 'Go back to the application and sign in again.');
    }
    const options = await roleOptions(db, context.personId);
    const chosen = options.find((o) => o.value === form['role']);
    if (!chosen) {
      return render(
        ctx,
        'sign-in/select-role.njk',
        {
          title: 'Choose a role',
          uid: interaction.uid,
          clientName: interaction.clientName,
          searchable: options.length > 5,
          query: '',
          errors: [{ text: 'Select a role', href: '#role' }],
          roles: options.map((o) => ({ value: o.value, text: o.text, hint: { text: o.hint } })),
        },
        400,
      );
    }
    const level = effectiveLevel(context, services.config.assurance, Date.now());
    const acr = level === 0 ? undefined : acrFor(interaction.requirement, { level, amr: context.methods });
    if (!acr)
      throw new PageError(400, 'Your sign-in has expired', 'Go back to the application and sign in again.');
    await recordAuditEvent(db, {
      type: 'role_selected',
      outcome: 'success',
      actor: context.personId,
      subject: context.personId,
      sourceIp: sourceIp(ctx),
      detail: { client_id: interaction.clientId, person_roleid: chosen.value },
    });
    await finishInteraction(services, ctx, {
      login: {
        accountId: context.personId,
        acr,
        amr: context.methods,
        ts: Math.floor(context.authenticatedAt / 1000),
        remember: true,
      },
      careIdentity: { role: { id: chosen.value } } satisfies CareIdentityResult,
    });
  });

  router.post('/interaction/:uid/abort', async (ctx) => {
    const form = await readForm(ctx);
    csrf.verify(ctx, form['csrf']);
    await loadInteraction(services, ctx);
    await finishInteraction(services, ctx, {
      error: 'access_denied',
      error_description: 'End-User aborted interaction',
    });
  });

  return router;
}
