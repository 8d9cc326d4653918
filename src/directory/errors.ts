// The one error type the directory throws for anything a caller (admin API, CLI, RA screens) should
// show to a person: bad input, something missing, a clash with existing data.
import type { ZodError } from 'zod';

export type DirectoryErrorCode = 'invalid_input' | 'not_found' | 'duplicate' | 'conflict';

export class DirectoryError extends Error {
  readonly code: DirectoryErrorCode;
  /** The input field the error is about, when there is one (e.g. `email`, `professionalIds.gmc_id`). */
  readonly field: string | undefined;

  constructor(code: DirectoryErrorCode, message: string, field?: string) {
    super(message);
    this.name = 'DirectoryError';
    this.code = code;
    this.field = field;
  }
}

/** The first problem zod found, as an `invalid_input` DirectoryError naming the field. */
export function invalidInput(error: ZodError): DirectoryError {
  const issue = error.issues[0];
  const field = issue && issue.path.length > 0 ? issue.path.map(String).join('.') : undefined;
  return new DirectoryError('invalid_input', issue?.message ?? 'The details given are not valid', field);
}

/** True for a unique or primary-key violation from SQLite (node:sqlite) or PostgreSQL. */
export function isUniqueViolation(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const { code, errcode } = error as Error & { code?: unknown; errcode?: unknown };
  if (code === '23505') return true; // PostgreSQL unique_violation
  if (errcode === 2067 || errcode === 1555) return true; // SQLITE_CONSTRAINT_UNIQUE / _PRIMARYKEY
  return /UNIQUE constraint failed/i.test(error.message);
}
