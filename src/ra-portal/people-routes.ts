// People in the portal: duplicate search, registering a person, their record, recording identity
// checks and uploading a photo (contract §16.3).
import Router from '@koa/router';
import type { Context } from 'koa';
import type { Level } from '../assurance/policy.ts';
import { levelNames } from '../journeys/sign-in-routes.ts';
import type { AuthenticatorSummary } from '../ra/authenticators.ts';
import {
  type DocumentType,
  documentChecks,
  documentTypes,
  verificationMethods,
} from '../ra/identity-documents.ts';
import { isRestricted, type RaPerson } from '../ra/people.ts';
import { readForm } from '../server/form-body.ts';
import { PageError } from '../server/page-error.ts';
import { type DateParts, dateFromForm, dateParts, longDate, partsOf, when } from './dates.ts';
import { addError, attempt, type FormErrors, formErrors, load, noErrors } from './form-errors.ts';
import { readUpload } from './multipart.ts';
import { can, nav, orgsFor } from './page-model.ts';
import type { Portal, Staff } from './portal.ts';

const text = (form: Record<string, string>, name: string) => (form[name] ?? '').trim();
const optional = (value: string) => (value === '' ? undefined : value);

const identityStatusText: Record<string, string> = {
  unverified: 'Not verified (restricted)',
  migrated: 'Migrated, not verified (restricted)',
  verified: 'Verified',
};

const matchedNames = { email: 'email', niNumber: 'NI number', name: 'name', dateOfBirth: 'date of birth' };

const dateIds = (...names: string[]) => Object.fromEntries(names.map((n) => [n, `${n}-day`]));

export function peopleRoutes(portal: Portal): Router {
  const router = new Router();
  const { ra, services } = portal;
  const { render, csrf, config } = services;

  // ---- duplicate search ----

  function showSearch(
    ctx: Context,
    staff: Staff,
    values: Record<string, unknown>,
    errors: FormErrors,
    extra = {},
    status = 200,
  ) {
    render(
      ctx,
      'ra/search.njk',
      {
        title: 'Search for a person',
        nav: nav(staff, '/ra/people/search'),
        values: { dateOfBirth: {}, ...values },
        ...errors,
        canRegister: can(staff, 'create_profile'),
        ...extra,
      },
      status,
    );
  }

  router.get('/ra/people/search', async (ctx) => {
    const staff = await portal.page(ctx);
    if (staff) showSearch(ctx, staff, {}, noErrors());
  });

  router.post('/ra/people/search', async (ctx) => {
    const form = await readForm(ctx);
    csrf.verify(ctx, form['csrf']);
    const staff = await portal.post(ctx);
    const values = {
      givenName: text(form, 'givenName'),
      familyName: text(form, 'familyName'),
      email: text(form, 'email'),
      niNumber: text(form, 'niNumber'),
      dateOfBirth: dateParts(form, 'dateOfBirth'),
    };
    const input = {
      givenName: optional(values.givenName),
      familyName: optional(values.familyName),
      email: optional(values.email),
      niNumber: optional(values.niNumber),
      dateOfBirth: dateFromForm(form, 'dateOfBirth'),
    };
    const errors = noErrors();
    // A name is searched whole: one half alone would match too many people.
    if (Boolean(input.givenName) !== Boolean(input.familyName)) {
      addError(
        errors,
        input.givenName ? 'familyName' : 'givenName',
        'Enter both the first and the last name',
      );
    }
    if (errors.errors.length) return showSearch(ctx, staff, values, errors, {}, 400);
    const outcome = await attempt(() => ra.searchDuplicates(staff.actor, input));
    if (!outcome.ok) {
      return showSearch(
        ctx,
        staff,
        values,
        formErrors(outcome.error, dateIds('dateOfBirth'), 'givenName'),
        {},
        400,
      );
    }
    showSearch(ctx, staff, values, noErrors(), {
      results: outcome.value.map((m) => ({
        ...m,
        matched: m.matchedOn.map((k) => matchedNames[k]).join(', '),
      })),
    });
  });

  // ---- register ----

  function showRegister(
    ctx: Context,
    staff: Staff,
    values: Record<string, unknown>,
    errors: FormErrors,
    askConfirm = false,
    status = 200,
  ) {
    const orgs = orgsFor(staff, 'create_profile');
    render(
      ctx,
      'ra/register.njk',
      {
        title: 'Register a person',
        nav: nav(staff, '/ra/people/new'),
        back: '/ra/people/search',
        organisations: orgs.map((code) => ({ value: code, text: code, checked: values['orgCode'] === code })),
        values: { dateOfBirth: {}, ...values },
        ...errors,
        askConfirm,
      },
      status,
    );
  }

  router.get('/ra/people/new', async (ctx) => {
    const staff = await portal.page(ctx);
    if (!staff) return;
    if (!can(staff, 'create_profile')) throw forbiddenPage();
    showRegister(ctx, staff, {}, noErrors());
  });

  router.post('/ra/people/new', async (ctx) => {
    const form = await readForm(ctx);
    csrf.verify(ctx, form['csrf']);
    const staff = await portal.post(ctx);
    if (!can(staff, 'create_profile')) throw forbiddenPage();
    const values = {
      orgCode: text(form, 'orgCode'),
      title: text(form, 'title'),
      givenName: text(form, 'givenName'),
      middleNames: text(form, 'middleNames'),
      familyName: text(form, 'familyName'),
      email: text(form, 'email'),
      niNumber: text(form, 'niNumber'),
      dateOfBirth: dateParts(form, 'dateOfBirth'),
    };
    const outcome = await attempt(() =>
      ra.registerPerson(staff.actor, {
        orgCode: values.orgCode,
        givenName: values.givenName,
        familyName: values.familyName,
        ...(values.title ? { title: values.title } : {}),
        ...(values.middleNames ? { middleNames: values.middleNames } : {}),
        email: values.email,
        dateOfBirth: dateFromForm(form, 'dateOfBirth') ?? '',
        niNumber: optional(values.niNumber) ?? null,
        confirmNotDuplicate: form['confirmNotDuplicate'] === 'yes',
      }),
    );
    if (!outcome.ok) {
      const errors = formErrors(
        outcome.error,
        { ...dateIds('dateOfBirth'), orgCode: 'orgCode', confirmNotDuplicate: 'confirmNotDuplicate' },
        'givenName',
      );
      const askConfirm = outcome.error.fields.some((f) => f.field === 'confirmNotDuplicate');
      return showRegister(ctx, staff, values, errors, askConfirm, 400);
    }
    ctx.status = 303;
    ctx.redirect(`/ra/people/${outcome.value.id}`);
  });

  // ---- a person's record ----

  router.get('/ra/people/:id', async (ctx) => {
    const staff = await portal.page(ctx);
    if (!staff) return;
    const id = ctx.params['id']!;
    const record = await load(() => ra.personRecord(staff.actor, id));
    const { person } = record;
    const orgs = person.organisations;
    const mayList = can(staff, 'list_authenticators', orgs);
    const authenticators = mayList ? await load(() => ra.listAuthenticators(staff.actor, id)) : undefined;
    render(ctx, 'ra/person.njk', {
      title: `${person.givenName} ${person.familyName}`,
      nav: nav(staff),
      width: 'full',
      person,
      restricted: isRestricted(person.identityStatus),
      profile: profileRows(person),
      actions: personActions(staff, person),
      assignments: record.assignments.map((a) => ({
        ...a,
        from: longDate(a.startDate, 'Not set'),
        until: longDate(a.endDate, 'No end date'),
        stateText: { current: 'In force', future: 'Not started', ended: 'Ended' }[a.state],
        canEnd: a.state !== 'ended' && can(staff, 'assign_position', [a.orgCode]),
      })),
      authenticators: authenticators?.map((a) => authenticatorRow(staff, orgs, a)),
      verifications: record.verifications.map((v) => ({
        text: `${longDate(v.checkedOn)}, ${v.method}, by ${v.checkedBy} (${v.orgCode}): ${v.documents.join(', ')}`,
      })),
    });
  });

  function profileRows(person: RaPerson) {
    const row = (key: string, value: string) => ({ key: { text: key }, value: { text: value } });
    return [
      row('Person id', person.id),
      row(
        'Name',
        [person.title, person.givenName, person.middleNames, person.familyName].filter(Boolean).join(' '),
      ),
      row('Email', person.email),
      row('Date of birth', longDate(person.dateOfBirth, 'Not recorded')),
      row('National Insurance number', person.niNumber ?? 'Not recorded'),
      row('Organisations', person.organisations.join(', ') || 'None'),
      row(
        'Identity',
        `${identityStatusText[person.identityStatus ?? ''] ?? 'Not recorded by an RA'}; identity assurance level ${person.idAssuranceLevel}`,
      ),
      row('Account', person.status === 'active' ? 'Active' : 'Suspended'),
      row('Photo', person.hasPhoto ? 'Held' : 'None'),
    ];
  }

  function personActions(staff: Staff, person: RaPerson) {
    const orgs = person.organisations;
    const base = `/ra/people/${person.id}`;
    const restricted = isRestricted(person.identityStatus);
    const actions = [];
    if (can(staff, 'verify_identity', orgs))
      actions.push({ href: `${base}/verify`, text: 'Record identity checks' });
    if (can(staff, 'upload_photo', orgs)) actions.push({ href: `${base}/photo`, text: 'Upload a photo' });
    if (!restricted && can(staff, 'assign_position', orgs)) {
      actions.push({ href: `${base}/assign`, text: 'Assign a position' });
    }
    if (!restricted && can(staff, 'request_position', orgs)) {
      actions.push({ href: `${base}/request`, text: 'Request a position' });
    }
    if (!restricted && can(staff, 'issue_authenticator', orgs)) {
      actions.push({ href: `${base}/registration-link`, text: 'Issue a registration link' });
    }
    return actions;
  }

  function authenticatorRow(staff: Staff, orgs: string[], a: AuthenticatorSummary) {
    const changes = [];
    if (a.status === 'active' && can(staff, 'suspend_authenticator', orgs)) {
      changes.push({ verb: 'suspend', text: 'Suspend' });
    }
    if (a.status === 'suspended' && can(staff, 'suspend_authenticator', orgs)) {
      changes.push({ verb: 'reinstate', text: 'Reinstate' });
    }
    if (a.locked && a.status !== 'revoked' && can(staff, 'unlock_authenticator', orgs)) {
      changes.push({ verb: 'unlock', text: 'Unlock' });
    }
    if (a.status !== 'revoked' && can(staff, 'revoke_authenticator', orgs)) {
      changes.push({ verb: 'revoke', text: 'Revoke' });
    }
    const names: Record<string, string> = { active: 'Active', suspended: 'Suspended', revoked: 'Revoked' };
    const status = names[a.status] ?? a.status;
    return {
      ...a,
      levelName: a.level ? levelNames[a.level as Level] : 'Unknown',
      lastUsed: when(a.lastUsedAt, 'Not used yet'),
      statusText: a.locked && a.status !== 'revoked' ? `${status}, locked` : status,
      changes,
    };
  }

  router.get('/ra/people/:id/photo/image', async (ctx) => {
    const staff = await portal.page(ctx);
    if (!staff) return;
    const photo = await load(() => ra.personPhoto(staff.actor, ctx.params['id']!));
    if (!photo) return;
    ctx.set('Cache-Control', 'no-store');
    ctx.type = photo.contentType;
    ctx.body = photo.bytes;
  });

  // ---- identity checks ----

  function showVerify(
    ctx: Context,
    staff: Staff,
    person: RaPerson,
    chosen: { type: string; checks: string[] }[],
    values: { checkedOn: DateParts; method: string },
    errors: FormErrors,
    status = 200,
  ) {
    const documents = [0, 1, 2].map((index) => ({
      index,
      number: index + 1,
      types: [
        { value: '', text: 'Choose a document type' },
        ...Object.entries(documentTypes).map(([value, type]) => ({
          value,
          text: type.name,
          selected: chosen[index]?.type === value,
        })),
      ],
      // One field per check: the form reader keeps one value per name.
      checks: Object.entries(documentChecks).map(([value, label]) => ({
        name: `document-${index}-check-${value}`,
        value: 'yes',
        text: label,
        checked: chosen[index]?.checks.includes(value) ?? false,
      })),
    }));
    render(
      ctx,
      'ra/verify.njk',
      {
        title: 'Record identity checks',
        nav: nav(staff),
        back: `/ra/people/${person.id}`,
        person,
        documents,
        values,
        methods: verificationMethods.map((m) => ({
          value: m,
          text: m === 'face-to-face' ? 'Face to face' : 'By video',
          checked: values.method === m,
        })),
        ...errors,
      },
      status,
    );
  }

  router.get('/ra/people/:id/verify', async (ctx) => {
    const staff = await portal.page(ctx);
    if (!staff) return;
    const person = await load(() => ra.getPerson(staff.actor, ctx.params['id']!));
    showVerify(
      ctx,
      staff,
      person,
      [],
      { checkedOn: partsOf(todayIso()), method: 'face-to-face' },
      noErrors(),
    );
  });

  router.post('/ra/people/:id/verify', async (ctx) => {
    const form = await readForm(ctx);
    csrf.verify(ctx, form['csrf']);
    const staff = await portal.post(ctx);
    const id = ctx.params['id']!;
    const chosen = [0, 1, 2].map((i) => ({
      type: text(form, `document-${i}-type`),
      checks: Object.keys(documentChecks).filter((check) => form[`document-${i}-check-${check}`] === 'yes'),
    }));
    const values = { checkedOn: dateParts(form, 'checkedOn'), method: text(form, 'method') };
    const errors = noErrors();
    chosen.forEach((d, i) => {
      if (!d.type) addError(errors, `document-${i}-type`, `Choose the type of document ${i + 1}`);
      if (d.checks.length === 0)
        addError(errors, `document-${i}-checks`, `Tick the checks you made on document ${i + 1}`);
    });
    if (!values.method) addError(errors, 'method', 'Choose how you saw the person');
    const checkedOn = dateFromForm(form, 'checkedOn');
    if (!checkedOn) addError(errors, 'checkedOn-day', 'Enter the date of the check');
    if (errors.errors.length) {
      const person = await load(() => ra.getPerson(staff.actor, id));
      return showVerify(ctx, staff, person, chosen, values, errors, 400);
    }
    const outcome = await attempt(() =>
      ra.verifyIdentity(staff.actor, {
        personId: id,
        documents: chosen.map((d) => ({ type: d.type as DocumentType, checks: d.checks as never })),
        checkedOn: checkedOn!,
        method: values.method as 'face-to-face',
      }),
    );
    if (!outcome.ok) {
      const ids: Record<string, string> = {
        ...dateIds('checkedOn'),
        method: 'method',
        documents: 'document-0-type',
      };
      for (const i of [0, 1, 2]) {
        ids[`documents.${i}.type`] = `document-${i}-type`;
        ids[`documents.${i}.checks`] = `document-${i}-checks`;
        ids[`documents.${i}`] = `document-${i}-type`;
      }
      const person = await load(() => ra.getPerson(staff.actor, id));
      return showVerify(
        ctx,
        staff,
        person,
        chosen,
        values,
        formErrors(outcome.error, ids, 'document-0-type'),
        400,
      );
    }
    ctx.status = 303;
    ctx.redirect(`/ra/people/${id}`);
  });

  // ---- photo ----

  function showPhoto(ctx: Context, staff: Staff, person: RaPerson, errors: FormErrors, status = 200) {
    render(
      ctx,
      'ra/photo.njk',
      {
        title: 'Upload a photo',
        nav: nav(staff),
        back: `/ra/people/${person.id}`,
        person,
        maxKb: Math.floor(config.ra.photoMaxBytes / 1000),
        ...errors,
      },
      status,
    );
  }

  router.get('/ra/people/:id/photo', async (ctx) => {
    const staff = await portal.page(ctx);
    if (!staff) return;
    const person = await load(() => ra.getPerson(staff.actor, ctx.params['id']!));
    showPhoto(ctx, staff, person, noErrors());
  });

  router.post('/ra/people/:id/photo', async (ctx) => {
    // Room for the photo and the form around it.
    const upload = await readUpload(ctx, config.ra.photoMaxBytes + 16 * 1024);
    csrf.verify(ctx, upload.fields['csrf']);
    const staff = await portal.post(ctx);
    const id = ctx.params['id']!;
    const refuse = async (message: string) => {
      const person = await load(() => ra.getPerson(staff.actor, id));
      showPhoto(ctx, staff, person, addError(noErrors(), 'photo', message), 400);
    };
    if (!upload.file || upload.file.bytes.length === 0) return refuse('Choose a photo to upload');
    const file = upload.file;
    const outcome = await attempt(() =>
      ra.uploadPhoto(staff.actor, { personId: id, contentType: file.contentType, bytes: file.bytes }),
    );
    if (!outcome.ok) return refuse(outcome.error.fields[0]?.message ?? outcome.error.message);
    ctx.status = 303;
    ctx.redirect(`/ra/people/${id}`);
  });

  return router;
}

function todayIso(): string {
  return new Date().toISOString().slice(0, 10);
}

function forbiddenPage() {
  return new PageError(403, 'You cannot do this', 'None of your Registration Authority roles allows this.');
}
