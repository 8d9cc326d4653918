// Dates in portal forms: the NHS date input's three fields (day, month, year) in, YYYY-MM-DD out
// for the services to check; times shown in London.

export interface DateParts {
  day: string;
  month: string;
  year: string;
}

export function dateParts(form: Record<string, string>, name: string): DateParts {
  return {
    day: (form[`${name}[day]`] ?? '').trim(),
    month: (form[`${name}[month]`] ?? '').trim(),
    year: (form[`${name}[year]`] ?? '').trim(),
  };
}

export function partsOf(iso: string | null | undefined): DateParts {
  const [year = '', month = '', day = ''] = (iso ?? '').split('-');
  return { day, month, year };
}

/**
 * undefined when all three are empty; otherwise YYYY-MM-DD when they make a real date, or what
 * was typed (which the service refuses with a clear message).
 */
export function isoDate(parts: DateParts): string | undefined {
  const { day, month, year } = parts;
  if (!day && !month && !year) return undefined;
  if (/^\d{1,2}$/.test(day) && /^\d{1,2}$/.test(month) && /^\d{4}$/.test(year)) {
    return `${year}-${month.padStart(2, '0')}-${day.padStart(2, '0')}`;
  }
  return `${year}-${month}-${day}`;
}

export function dateFromForm(form: Record<string, string>, name: string): string | undefined {
  return isoDate(dateParts(form, name));
}

const london = new Intl.DateTimeFormat('en-GB', {
  timeZone: 'Europe/London',
  dateStyle: 'medium',
  timeStyle: 'short',
});

export function when(ms: number | null | undefined, never = 'Never'): string {
  return ms ? london.format(ms) : never;
}

const day = new Intl.DateTimeFormat('en-GB', { timeZone: 'UTC', dateStyle: 'long' });

/** 2025-04-01 → 1 April 2025. */
export function longDate(iso: string | null | undefined, none = ''): string {
  return iso ? day.format(new Date(`${iso}T00:00:00Z`)) : none;
}
