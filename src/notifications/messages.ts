// Messages Care Identity sends to people about their own account: every authenticator added,
// removed, suspended or unlocked (NIST 800-63B-4 §4: notify the subscriber through an independent
// channel). They never carry a link or code that would let the reader act on the account.

export type AuthenticatorNoticeKind =
  | 'registration-link-issued'
  | 'authenticator-added'
  | 'authenticator-removed'
  | 'authenticator-suspended'
  | 'authenticator-suspended-cloned'
  | 'authenticator-reinstated'
  | 'authenticator-unlocked';

export interface AuthenticatorNotice {
  kind: AuthenticatorNoticeKind;
  /** The person's email address. */
  to: string;
  personName: string;
  /** What the authenticator is called, e.g. "Microsoft Authenticator". */
  authenticatorLabel: string;
  /** Epoch ms of the change. */
  at: number;
  /** Who made the change, as the person would know them (e.g. "your Registration Authority"). */
  by: string;
}

export interface EmailMessage {
  to: string;
  subject: string;
  text: string;
}

const wording: Record<AuthenticatorNoticeKind, { subject: string; what: (label: string) => string }> = {
  'registration-link-issued': {
    subject: 'A registration link was issued for your Care Identity',
    what: (label) => `A one-time link to set up ${label} was issued for your account`,
  },
  'authenticator-added': {
    subject: 'A sign-in method was added to your Care Identity',
    what: (label) => `${label} was added to your account`,
  },
  'authenticator-removed': {
    subject: 'A sign-in method was removed from your Care Identity',
    what: (label) => `${label} was removed from your account and can no longer be used`,
  },
  'authenticator-suspended': {
    subject: 'A sign-in method on your Care Identity was suspended',
    what: (label) => `${label} was suspended and cannot be used until it is reinstated`,
  },
  'authenticator-suspended-cloned': {
    subject: 'A sign-in method on your Care Identity was suspended because it may have been copied',
    what: (label) =>
      `${label} was suspended because it may have been copied (its signature counter went backwards)`,
  },
  'authenticator-reinstated': {
    subject: 'A sign-in method on your Care Identity was reinstated',
    what: (label) => `${label} was reinstated and can be used again`,
  },
  'authenticator-unlocked': {
    subject: 'A sign-in method on your Care Identity was unlocked',
    what: (label) => `${label} was unlocked after too many failed attempts`,
  },
};

const timeFormat = new Intl.DateTimeFormat('en-GB', {
  timeZone: 'Europe/London',
  dateStyle: 'long',
  timeStyle: 'short',
});

export function authenticatorNoticeEmail(notice: AuthenticatorNotice): EmailMessage {
  const words = wording[notice.kind];
  const text = [
    `Dear ${notice.personName},`,
    '',
    `${words.what(notice.authenticatorLabel)} on ${timeFormat.format(notice.at)} by ${notice.by}.`,
    '',
    'If you did not expect this, contact your Registration Authority (smartcard team) straight away.',
    '',
    'Care Identity',
  ].join('\n');
  return { to: notice.to, subject: words.subject, text };
}
