// The sign-in journey: choose a method → verify → (step-up) → pick a role → back to the engine.
import Router from '@koa/router';
import type { Context } from 'koa';
import { type Decision, decideLevel } from '../assurance/levels.ts';
import {
  type AuthenticatorKind,
  authenticatorKinds,
  type Level,
  type SignInMethod,
} from '../assurance/policy.ts';
import { acrFor, kindsThatCanMeet, methodsThatCanMeet } from '../assurance/requirement.ts';
import { effectiveLevel } from '../assurance/session-lifetime.ts';
import { recordAuditEvent } from '../audit/audit-log.ts';
import { verifyPasswordTotp } from '../authenticators/password-totp/verification.ts';
import { attainableKinds } from '../authenticators/webauthn/metadata.ts';
import { webauthnSettings } from '../authenticators/webauthn/settings.ts';
import type { CareIdentityResult } from '../oidc/request-assurance.ts';
import { readForm } from '../server/form-body.ts';
import { PageError } from '../server/page-error.ts';
import type { Services } from '../server/services.ts';
import { finishInteraction, type LoadedInteraction, loadInteraction, sourceIp } from './interaction.ts';
import { roleOptions } from './role-options.ts';
import { findSignInContext } from './sign-in-context.ts';
import { renderWebAuthnSignIn, webauthnSignInRoutes } from './webauthn-sign-in-routes.ts';

const FAILED_SIGN_IN =
  'The details you entered are not right, or there have been too many attempts. Check them and try again. If it keeps happening, contact your Registration Authority.';

export const levelNames: Record<Level, string> = {
  1: 'AAL1',
  2: 'AAL2 (high confidence)',
  3: 'AAL3 (very high confidence)',
};

/** What a sign-in method's routes are given by the journey they plug into. */
export interface SignInJourney {
  /** Kinds this deployment can produce (AAL3 WebAuthn kinds only with trust anchors for them). */
  available: AuthenticatorKind[];
  methods(interaction: LoadedInteraction): SignInMethod[];
  /** Why the person is asked to sign in although they are signed in, or undefined. */
  stepUpReason(interaction: LoadedInteraction): Promise<string | undefined>;
  renderLevelNotMet(ctx: Context, interaction: LoadedInteraction, status?: number, reason?: string): void;
  audit(
    ctx: Context,
    interaction: LoadedInteraction,
    type: string,
    outcome: 'success' | 'failure' | 'refused',
    detail: Record<string, unknown>,
    subject?: string,
  ): Promise<void>;
  /** Turns a ceremony's decision into the acr to return and hands it to the engine, or refuses. */
  complete(
    ctx: Context,
    interaction: LoadedInteraction,
    ceremony: { method: SignInMethod; decision: Decision; personId: string; authenticatorId: string },
  ): Promise<void>;
}

export function signInRoutes(services: Services): Router {
  const router = new Router();
  const { db, render, csrf } = services;
  const available: AuthenticatorKind[] = [
    'password-totp',
    ...attainableKinds(webauthnSettings(services.config).anchors),
  ];
  const methodsFor = (interaction: LoadedInteraction) =>
    methodsThatCanMeet(interaction.requirement, available);

  function renderLevelNotMet(ctx: Context, interaction: LoadedInteraction, status = 403, reason?: string) {
    const needed = levelNames[interaction.requirement.neededLevel];
    render(
      ctx,
      'sign-in/level-not-met.njk',
      {
        title: 'You cannot sign in to this application this way',
        uid: interaction.uid,
        clientName: interaction.clientName,
        reason:
          reason ??
          `${interaction.clientName ?? 'This application'} needs an authenticator at ${needed}. None of the ways you can sign in here reach that level.`,
        advice:
          'Ask your Registration Authority (RA) for an authenticator at this level, such as a smartcard or a security key. You can still use your current authenticator for applications that accept it.',
      },
      status,
    );
  }

  async function stepUpReason(interaction: LoadedInteraction): Promise<string | undefined> {
    const sessionUid = interaction.session?.uid;
    if (!interaction.session?.accountId || !sessionUid) return undefined;
    const app = interaction.clientName ?? 'This application';
    const context = await findSignInContext(db, sessionUid);
    const level = context ? effectiveLevel(context, services.config.assurance, Date.now()) : 0;
    if (level !== 0 && level < interaction.requirement.neededLevel) {
      return `You are signed in at ${levelNames[level as Level]}. ${app} needs ${levelNames[interaction.requirement.neededLevel]}, so sign in again with an authenticator at that level.`;
    }
    return `${app} needs you to sign in again to confirm it is you.`;
  }

  async function complete(
    ctx: Context,
    interaction: LoadedInteraction,
    ceremony: { method: SignInMethod; decision: Decision; personId: string; authenticatorId: string },
  ) {
    const { decision, method, personId, authenticatorId } = ceremony;
    const acr =
      decision.level === 0
        ? undefined
        : acrFor(interaction.requirement, { level: decision.level, amr: decision.amr });
    if (!acr) {
      await audit(
        ctx,
        interaction,
        'sign_in',
        'refused',
        { method, kind: decision.kind, level: decision.level, reason: 'below required level' },
        personId,
      );
      const used = decision.kind
        ? authenticatorKinds[decision.kind].label.toLowerCase()
        : 'this authenticator';
      const achieved = decision.level === 0 ? 'no level' : levelNames[decision.level];
      return renderLevelNotMet(
        ctx,
        interaction,
        403,
        `You signed in with ${used}, which gives ${achieved}. ${interaction.clientName ?? 'This application'} needs ${levelNames[interaction.requirement.neededLevel]}.`,
      );
    }
    const now = Date.now();
    const result = {
      personId,
      level: decision.level,
      methods: decision.amr,
      authenticatorId,
      authenticatedAt: now,
    };
    await audit(
      ctx,
      interaction,
      signInEventType(interaction),
      'success',
      {
        method,
        kind: decision.kind,
        level: decision.level,
        acr,
        amr: decision.amr,
        authenticator_id: authenticatorId,
      },
      personId,
    );
    await finishInteraction(services, ctx, {
      login: { accountId: personId, acr, amr: decision.amr, ts: Math.floor(now / 1000), remember: true },
      careIdentity: { ceremony: result } satisfies CareIdentityResult,
    });
  }

  async function renderPasswordTotp(
    ctx: Context,
    interaction: LoadedInteraction,
    extra: {
      email?: string;
      fieldErrors?: Record<string, string>;
      errors?: { text: string; href: string }[];
      /** Also offer WebAuthn on this page (the default page when both can meet the requirement). */
      withWebAuthn?: boolean;
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
        stepUp: await stepUpReason(interaction),
        webauthn: extra.withWebAuthn ?? false,
        email:
          extra.email ??
          (typeof interaction.params['login_hint'] === 'string' ? interaction.params['login_hint'] : ''),
        fieldErrors: extra.fieldErrors ?? {},
        errors: extra.errors ?? [],
        otherMethods: methodsFor(interaction).length > 1,
      },
      status,
    );
  }

  /** One choice per sign-in method, naming the kinds of it that could meet the requirement. */
  function methodChoices(interaction: LoadedInteraction) {
    const kinds = kindsThatCanMeet(interaction.requirement, available);
    return methodsFor(interaction).map((method) => ({
      value: method,
      text: kinds
        .filter((kind) => authenticatorKinds[kind].method === method)
        .map((kind) => authenticatorKinds[kind].label)
        .join(', '),
    }));
  }

  async function showLogin(ctx: Context, interaction: LoadedInteraction) {
    const methods = methodsFor(interaction);
    if (methods.length === 0) {
      await audit(ctx, interaction, 'sign_in', 'refused', { reason: 'no method meets the required level' });
      return renderLevelNotMet(ctx, interaction);
    }
    const chosen = ctx.query['method'];
    if (chosen === 'webauthn' && methods.includes('webauthn'))
      return renderWebAuthnSignIn(services, journey, ctx, interaction);
    if (chosen === 'password-totp' && methods.includes('password-totp'))
      return renderPasswordTotp(ctx, interaction);
    if (ctx.query['choose'] && methods.length > 1) {
      return render(ctx, 'sign-in/choose.njk', {
        title: 'How do you want to sign in?',
        hint: `${interaction.clientName ?? 'This application'} accepts these authenticators.`,
        uid: interaction.uid,
        clientName: interaction.clientName,
        methods: methodChoices(interaction),
      });
    }
    if (methods.includes('password-totp')) {
      return renderPasswordTotp(ctx, interaction, { withWebAuthn: methods.includes('webauthn') });
    }
    return renderWebAuthnSignIn(services, journey, ctx, interaction);
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

  const journey: SignInJourney = {
    available,
    methods: methodsFor,
    stepUpReason,
    renderLevelNotMet,
    audit,
    complete,
  };

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
    const methods: string[] = methodsFor(interaction);
    const method = form['method'];
    if (!method || !methods.includes(method)) {
      ctx.status = 400;
      return render(
        ctx,
        'sign-in/choose.njk',
        {
          title: 'How do you want to sign in?',
          uid: interaction.uid,
          clientName: interaction.clientName,
          errors: [{ text: 'Select how you want to sign in', href: '#method' }],
          methods: methodChoices(interaction),
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
    if (!methodsFor(interaction).includes('password-totp')) {
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
      fieldErrors['password'] = 'Your password is too long. Check it and try again';
    if (!code) fieldErrors['code'] = 'Enter the code from your authenticator app';
    else if (!/^\d{6}$/.test(code)) fieldErrors['code'] = 'The code must be 6 numbers';
    if (Object.keys(fieldErrors).length > 0) {
      const errors = Object.entries(fieldErrors).map(([field, text]) => ({ text, href: `#${field}` }));
      return renderPasswordTotp(
        ctx,
        interaction,
        {
          email: email.slice(0, 320),
          fieldErrors,
          errors,
          withWebAuthn: methodsFor(interaction).includes('webauthn'),
        },
        400,
      );
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
        {
          email,
          errors: [{ text: FAILED_SIGN_IN, href: '#email' }],
          withWebAuthn: methodsFor(interaction).includes('webauthn'),
        },
        401,
      );
    }
    await complete(ctx, interaction, {
      method: 'password-totp',
      decision: decideLevel(outcome.facts),
      personId: outcome.facts.personId,
      authenticatorId: outcome.facts.authenticatorId,
    });
  });

  webauthnSignInRoutes(router, services, journey);

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

/** sign_in for a new session; step_up when the session's level was too low or had lapsed; re_authentication otherwise (prompt=login, max_age). */
function signInEventType(interaction: LoadedInteraction): 'sign_in' | 'step_up' | 're_authentication' {
  if (!interaction.session?.accountId) return 'sign_in';
  return interaction.reasons.includes('assurance_level') ? 'step_up' : 're_authentication';
}
