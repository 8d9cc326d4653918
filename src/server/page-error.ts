// An error that becomes a clear page (never a stack trace): status, heading and a sentence that
// says what happened and what to do.
export class PageError extends Error {
  readonly status: number;
  readonly title: string;

  constructor(status: number, title: string, message: string) {
    super(message);
    this.name = 'PageError';
    this.status = status;
    this.title = title;
  }
}
