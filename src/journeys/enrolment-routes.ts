// Setting up Microsoft Authenticator from a one-time enrolment link: scan the QR code (or type
// the key), choose a password, and prove the app works with its first code.
import Router from '@koa/router';
import type { Context } from 'koa';
import { recordAuditEvent } from '../audit/audit-log.ts';
import { consumeEnrolmentLink, findUsableEnrolmentLink } from '../authenticators/enrolment-links.ts';
import {
  activate,
  beginEnrolment,
  checkEnrolment,
  KIND,
} from '../authenticators/password-totp/registration.ts';
import { findPersonById } from '../directory/people.ts';
import { readForm } from '../server/form-body.ts';
import { PageError } from '../server/page-error.ts';
import type { Services } from '../server/services.ts';
import { authenticatorNotices } from './account-notices.ts';

export const linkNotValid = () =>
  new PageError(
    404,
    'This link is not valid',
    'The link may have been used already, or it may have expired. Ask your Registration Authority for a new one.',
  );

export function enrolmentRoutes(services: Services): Router {
  const router = new Router();
  const { db, sealer, render, csrf } = services;
  const notify = authenticatorNotices(services);

  async function load(ctx: Context) {
    const link = await findUsableEnrolmentLink(db, String(ctx.params['token']));
    if (!link || link.kind !== KIND) throw linkNotValid();
    const person = await findPersonById(db, link.personId);
    if (person?.status !== 'active') throw linkNotValid();
    return { link, person: person };
  }

  async function show(ctx: Context, errors: Record<string, string> = {}, status = 200) {
    const { person } = await load(ctx);
    const pending = await beginEnrolment(db, sealer, person, 'Care Identity');
    render(
      ctx,
      'enrol/password-totp.njk',
      {
        title: 'Set up Microsoft Authenticator',
        person,
        token: ctx.params['token'],
        qrSvgDataUrl: `data:image/svg+xml;base64,${Buffer.from(pending.qrSvg).toString('base64')}`,
        secret: pending.secret.replace(/(.{4})/g, '$1 ').trim(),
        fieldErrors: errors,
        errors: Object.entries(errors).map(([field, text]) => ({ text, href: `#${field}` })),
      },
      status,
    );
  }

  router.get('/enrol/:token', async (ctx) => {
    await show(ctx);
  });

  router.post('/enrol/:token', async (ctx) => {
    const form = await readForm(ctx);
    csrf.verify(ctx, form['csrf']);
    const { link, person } = await load(ctx);
    const pending = await beginEnrolment(db, sealer, person, 'Care Identity');
    const checked = await checkEnrolment(db, sealer, person, pending.authenticatorId, {
      password: form['password'] ?? '',
      confirmPassword: form['confirmPassword'] ?? '',
      code: (form['code'] ?? '').replace(/\s+/g, ''),
    });
    if (!checked.ok) return show(ctx, checked.errors as Record<string, string>, 400);
    const revoked = await db.transaction().execute(async (trx) => {
      if (!(await consumeEnrolmentLink(trx, link.tokenHash))) throw linkNotValid();
      return activate(trx, person.id, pending.authenticatorId, checked.data);
    });
    await recordAuditEvent(db, {
      type: 'authenticator_added',
      outcome: 'success',
      actor: person.id,
      subject: person.id,
      sourceIp: ctx.ip,
      detail: { kind: KIND, authenticator_id: pending.authenticatorId, revoked },
    });
    const by = 'you, with a one-time link from your Registration Authority';
    const common = { personId: person.id, name: 'Microsoft Authenticator', kind: KIND, by };
    await notify(ctx, { ...common, notice: 'authenticator-added', authenticatorId: pending.authenticatorId });
    // Setting it up again replaces the one before: that one can no longer be used.
    for (const id of revoked)
      await notify(ctx, { ...common, notice: 'authenticator-removed', authenticatorId: id });
    render(ctx, 'enrol/done.njk', { title: 'Microsoft Authenticator is set up', person });
  });

  return router;
}
