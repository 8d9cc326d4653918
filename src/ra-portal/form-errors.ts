// Turns what an RA service refused into what a portal form shows: an error summary whose links go
// to the field, and a message by each field. Refusals about the page itself (a person not visible
// to the actor, a power they lack) become 404 and 403 pages instead.
import { asRaError, type RaError } from '../ra/errors.ts';
import { PageError } from '../server/page-error.ts';

export interface FormErrors {
  errors: { text: string; href: string }[];
  /** Message by form field id. */
  fields: Record<string, string>;
}

export const noErrors = (): FormErrors => ({ errors: [], fields: {} });

/** Adds one error (the first for a field wins). */
export function addError(form: FormErrors, id: string, text: string): FormErrors {
  if (!form.fields[id]) {
    form.fields[id] = text;
    form.errors.push({ text, href: `#${id}` });
  }
  return form;
}

/**
 * The service's field errors on the form's ids: `ids` maps a service field (`documents.0.type`,
 * `approval.approvedBy`) or its first part to the id of the element to go to.
 */
export function formErrors(error: RaError, ids: Record<string, string>, fallbackId: string): FormErrors {
  const form = noErrors();
  const fields = error.fields.length ? error.fields : [{ field: '', message: error.message }];
  for (const { field, message } of fields) {
    const first = field.split('.')[0] ?? '';
    // Unmapped fields are form ids of the same name; the person in the path is no field.
    const named = /^[a-zA-Z]+$/.test(first) && first !== 'personId' ? first : fallbackId;
    const id = ids[field] ?? ids[first] ?? named;
    addError(form, id, message);
  }
  return form;
}

/**
 * Runs a service call from a form. Input problems and conflicts come back for the form to show;
 * a person or record the actor cannot see is a 404 page, a missing power a 403 page.
 */
export async function attempt<T>(
  call: () => Promise<T>,
): Promise<{ ok: true; value: T } | { ok: false; error: RaError }> {
  try {
    return { ok: true, value: await call() };
  } catch (caught) {
    const error = asRaError(caught);
    if (!error) throw caught;
    const page = pageErrorFor(error, true);
    if (page) throw page;
    return { ok: false, error };
  }
}

function pageErrorFor(error: RaError, inForm: boolean): PageError | undefined {
  if (error.code === 'forbidden') {
    return new PageError(403, 'You cannot do this', `${error.message}. Nothing was changed.`);
  }
  const aboutPage = error.fields.length === 0 || error.fields.some((f) => f.field === 'personId');
  if (error.code === 'not_found' && (!inForm || aboutPage)) {
    return new PageError(404, 'Page not found', `${error.message}.`);
  }
  return undefined;
}

/** For pages that only read: every refusal is a page. */
export async function load<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (caught) {
    const error = asRaError(caught);
    if (!error) throw caught;
    throw (
      pageErrorFor(error, false) ?? new PageError(error.status, 'There is a problem', `${error.message}.`)
    );
  }
}
