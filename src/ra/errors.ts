// The one error type RA services throw. Each code maps to one HTTP status, so the portal pages and
// the administration API answer the same way; field errors name the input they are about.
import type { ZodError } from 'zod';
import { DirectoryError } from '../directory/errors.ts';

export type RaErrorCode = 'invalid_input' | 'forbidden' | 'not_found' | 'conflict';

export const raErrorStatus: Record<RaErrorCode, number> = {
  invalid_input: 400,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
};

export interface FieldError {
  field: string;
  message: string;
}

export class RaError extends Error {
  readonly code: RaErrorCode;
  readonly fields: FieldError[];

  constructor(code: RaErrorCode, message: string, fields: FieldError[] = []) {
    super(message);
    this.name = 'RaError';
    this.code = code;
    this.fields = fields;
  }

  get status(): number {
    return raErrorStatus[this.code];
  }
}

/** Every problem zod found, one field error each. */
export function invalidFields(error: ZodError, prefix = ''): RaError {
  const fields = error.issues.map((issue) => ({
    field: [prefix, ...issue.path.map(String)].filter(Boolean).join('.') || '(body)',
    message: issue.message,
  }));
  return new RaError('invalid_input', fields[0]?.message ?? 'The details given are not valid', fields);
}

export function forbidden(message = 'You do not have permission to do this for this organisation'): RaError {
  return new RaError('forbidden', message);
}

export function notFound(message: string, field?: string): RaError {
  return new RaError('not_found', message, field ? [{ field, message }] : []);
}

export function conflict(message: string, field?: string): RaError {
  return new RaError('conflict', message, field ? [{ field, message }] : []);
}

/** The directory's own errors, in RA terms. */
export function fromDirectoryError(error: DirectoryError): RaError {
  const fields = error.field ? [{ field: error.field, message: error.message }] : [];
  switch (error.code) {
    case 'invalid_input':
      return new RaError('invalid_input', error.message, fields);
    case 'not_found':
      return new RaError('not_found', error.message, fields);
    default:
      return new RaError('conflict', error.message, fields);
  }
}

export function asRaError(error: unknown): RaError | undefined {
  if (error instanceof RaError) return error;
  if (error instanceof DirectoryError) return fromDirectoryError(error);
  return undefined;
}
