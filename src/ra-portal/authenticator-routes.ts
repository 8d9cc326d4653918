// Authenticators from the portal (contract §16.5): issue a one-time registration link (shown once,
// with its expiry), and suspend, reinstate, revoke or unlock one, each after a confirmation page.
import Router from '@koa/router';
import type { Context } from 'koa';
import type { Level } from '../assurance/policy.ts';
import { levelNames } from '../journeys/sign-in-routes.ts';
import { type AuthenticatorSummary, registrableKinds } from '../ra/authenticators.ts';
import type { RaPerson } from '../ra/people.ts';
import { readForm } from '../server/form-body.ts';
import { PageError } from '../server/page-error.ts';
import { when } from './dates.ts';
import { attempt, type FormErrors, formErrors, load, noErrors } from './form-errors.ts';
import { nav } from './page-model.ts';
import type { Portal, Staff } from './portal.ts';

const kindHints: Record<string, string> = {
  'password-totp': 'A password and codes from the Microsoft Authenticator app (AAL2)',
  passkey: 'On their phone or computer (AAL2)',
  'windows-hello': 'On a Windows computer with a TPM; AAL3 when the computer is approved',
  'security-key': 'A USB or NFC key; AAL3 when the model is approved',
};

const changes = {
  suspend: {
    title: 'Suspend',
    submit: 'Suspend authenticator',
    explanation: 'They cannot sign in with it until it is reinstated. Use this when it is lost.',
    call: 'suspendAuthenticator',
  },
  reinstate: {
    title: 'Reinstate',
    submit: 'Reinstate authenticator',
    explanation: 'They can sign in with it again.',
    call: 'reinstateAuthenticator',
  },
  revoke: {
    title: 'Revoke',
    submit: 'Revoke authenticator',
    explanation: 'It can never be used again. Use this when it is stolen or no longer needed.',
    call: 'revokeAuthenticator',
  },
  unlock: {
    title: 'Unlock',
    submit: 'Unlock authenticator',
    explanation: 'Its failed attempts are cleared and they can sign in with it again.',
    call: 'unlockAuthenticator',
  },
} as const;
type Verb = keyof typeof changes;

export function authenticatorRoutes(portal: Portal): Router {
  const router = new Router();
  const { ra, services } = portal;
  const { render, csrf, config } = services;

  function showLink(
    ctx: Context,
    staff: Staff,
    person: RaPerson,
    kind: string,
    errors: FormErrors,
    status = 200,
  ) {
    render(
      ctx,
      'ra/registration-link.njk',
      {
        title: 'Issue a registration link',
        nav: nav(staff),
        back: `/ra/people/${person.id}`,
        person,
        minutes: config.ra.registrationLinkMinutes,
        kinds: Object.entries(registrableKinds).map(([value, name]) => ({
          value,
          text: name.replace(/^a /, '').replace(/^./, (c) => c.toUpperCase()),
          hint: { text: kindHints[value] },
          checked: kind === value,
        })),
        ...errors,
      },
      status,
    );
  }

  router.get('/ra/people/:id/registration-link', async (ctx) => {
    const staff = await portal.page(ctx);
    if (!staff) return;
    const person = await load(() => ra.getPerson(staff.actor, ctx.params['id']!));
    showLink(ctx, staff, person, '', noErrors());
  });

  router.post('/ra/people/:id/registration-link', async (ctx) => {
    const form = await readForm(ctx);
    csrf.verify(ctx, form['csrf']);
    const staff = await portal.post(ctx);
    const id = ctx.params['id']!;
    const kind = (form['kind'] ?? '').trim();
    const outcome = await attempt(() =>
      ra.issueRegistrationLink(staff.actor, { personId: id, kind: kind as never }),
    );
    const person = await load(() => ra.getPerson(staff.actor, id));
    if (!outcome.ok) {
      const errors = kind
        ? formErrors(outcome.error, { kind: 'kind', personId: 'kind' }, 'kind')
        : {
            errors: [{ text: 'Choose what they will set up', href: '#kind' }],
            fields: { kind: 'Choose what they will set up' },
          };
      return showLink(ctx, staff, person, kind, errors, 400);
    }
    const link = outcome.value;
    // The link is a bearer secret: this response is never cached, and it is not stored anywhere.
    render(ctx, 'ra/link-issued.njk', {
      title: 'Registration link issued',
      nav: nav(staff),
      person,
      kindName: registrableKinds[link.kind],
      link,
      enrolUrl: `${config.publicUrl}/enrol`,
      expires: when(link.expiresAt),
    });
  });

  async function find(staff: Staff, personId: string, authenticatorId: string) {
    const person = await load(() => ra.getPerson(staff.actor, personId));
    const list = await load(() => ra.listAuthenticators(staff.actor, personId));
    const authenticator = list.find((a) => a.id === authenticatorId);
    if (!authenticator) throw new PageError(404, 'Page not found', 'This person has no such authenticator.');
    return { person, authenticator };
  }

  function verbOf(ctx: Context): Verb {
    const verb = ctx.params['verb'];
    if (!verb || !Object.hasOwn(changes, verb))
      throw new PageError(404, 'Page not found', 'There is no such action.');
    return verb as Verb;
  }

  function showChange(
    ctx: Context,
    staff: Staff,
    verb: Verb,
    found: { person: RaPerson; authenticator: AuthenticatorSummary },
    errors: FormErrors,
    status = 200,
  ) {
    const { person, authenticator: a } = found;
    const row = (key: string, value: string) => ({ key: { text: key }, value: { text: value } });
    render(
      ctx,
      'ra/authenticator-change.njk',
      {
        title: `${changes[verb].title} ${a.label}?`,
        nav: nav(staff),
        back: `/ra/people/${person.id}`,
        person,
        authenticator: a,
        verb,
        submit: changes[verb].submit,
        explanation: `${changes[verb].explanation} We email ${person.givenName} ${person.familyName} about it.`,
        rows: [
          row('Person', `${person.givenName} ${person.familyName}`),
          row('Kind', a.kindName),
          row('Level', a.level ? levelNames[a.level as Level] : 'Unknown'),
          row('Status', `${a.status}${a.locked ? ', locked' : ''}`),
          row('Last used', when(a.lastUsedAt, 'Not used yet')),
        ],
        ...errors,
      },
      status,
    );
  }

  router.get('/ra/people/:id/authenticators/:aid/:verb', async (ctx) => {
    const staff = await portal.page(ctx);
    if (!staff) return;
    const verb = verbOf(ctx);
    showChange(ctx, staff, verb, await find(staff, ctx.params['id']!, ctx.params['aid']!), noErrors());
  });

  router.post('/ra/people/:id/authenticators/:aid/:verb', async (ctx) => {
    const form = await readForm(ctx);
    csrf.verify(ctx, form['csrf']);
    const staff = await portal.post(ctx);
    const verb = verbOf(ctx);
    const personId = ctx.params['id']!;
    const authenticatorId = ctx.params['aid']!;
    const outcome = await attempt(() => ra[changes[verb].call](staff.actor, { personId, authenticatorId }));
    if (!outcome.ok) {
      const found = await find(staff, personId, authenticatorId);
      return showChange(ctx, staff, verb, found, formErrors(outcome.error, {}, 'main-content'), 400);
    }
    ctx.status = 303;
    ctx.redirect(`/ra/people/${personId}`);
  });

  return router;
}
