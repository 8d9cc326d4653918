// Twelve-digit decimal identifiers in the shape CIS2 uses for a person's unique user id (`sub`),
// `person_orgid` and `person_roleid`. Drawn uniformly from 100000000000-999999999999 by a CSPRNG, so
// they carry no order or meaning and cannot be guessed from one another.
import { randomInt } from 'node:crypto';

const LOWEST = 100_000_000_000;
const ABOVE_HIGHEST = 1_000_000_000_000;

export function newUniqueId(): string {
  return String(randomInt(LOWEST, ABOVE_HIGHEST));
}

/** True for a string of exactly 12 decimal digits (ids issued elsewhere may start with any digit). */
export function isUniqueId(value: unknown): value is string {
  return typeof value === 'string' && /^\d{12}$/.test(value);
}
