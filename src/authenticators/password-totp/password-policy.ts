// What a new password must satisfy (NIST 800-63B-4 §3.1.1.2, ASVS 6.2.x): a length range, no
// composition rules, and not a common password or the person's own email or name. Each failure
// carries a plain-English reason, because the verifier SHALL tell the user why it was refused.
import { readFileSync } from 'node:fs';

// Lengths count Unicode code points after NFKC, so 'é' typed either way counts once (§3.1.1.2).
export const PASSWORD_MIN_LENGTH = 8;
// NIST asks for at least 64; a generous cap still bounds the work handed to the hash.
export const PASSWORD_MAX_LENGTH = 256;

export type PasswordProblem = 'too_short' | 'too_long' | 'common' | 'context';

export type PasswordCheck = { ok: true } | { ok: false; problem: PasswordProblem; message: string };

// NFKC makes the same password typed on different keyboards or input methods hash the same (§3.1.1.2).
export function normalisePassword(password: string): string {
  return password.normalize('NFKC');
}

let commonPasswords: Set<string> | undefined;

// Read once, on first use: about 18,000 lines that most processes (the RP-facing ones) never need.
function isCommonPassword(lowerCased: string): boolean {
  if (!commonPasswords) {
    const text = readFileSync(new URL('./common-passwords.txt', import.meta.url), 'utf8');
    commonPasswords = new Set(
      text
        .split('\n')
        .map((line) => line.trim())
        .filter((line) => line !== '' && !line.startsWith('#')),
    );
  }
  return commonPasswords.has(lowerCased);
}

function comparable(value: string): string {
  return normalisePassword(value).trim().toLowerCase();
}

// Values an attacker who knows the person would try first (§3.1.1.2 "context-specific words").
function contextWords(context: { email?: string; names?: string[] }): Set<string> {
  const words = new Set<string>();
  if (context.email) {
    const email = comparable(context.email);
    words.add(email);
    const at = email.lastIndexOf('@');
    if (at > 0) words.add(email.slice(0, at));
  }
  const names = (context.names ?? []).map(comparable).filter((name) => name !== '');
  for (const name of names) words.add(name);
  // The full name as people type it: 'janesmith' as well as 'jane smith'.
  if (names.length > 1) {
    words.add(names.join(' '));
    words.add(names.join(''));
  }
  words.delete('');
  return words;
}

export function checkNewPassword(
  password: string,
  context: { email?: string; names?: string[] } = {},
): PasswordCheck {
  const normalised = normalisePassword(password);
  const length = [...normalised].length;
  if (length < PASSWORD_MIN_LENGTH) {
    return {
      ok: false,
      problem: 'too_short',
      message: `Your password must be at least ${PASSWORD_MIN_LENGTH} characters`,
    };
  }
  if (length > PASSWORD_MAX_LENGTH) {
    return {
      ok: false,
      problem: 'too_long',
      message: `Your password must be ${PASSWORD_MAX_LENGTH} characters or fewer`,
    };
  }
  // The whole password is compared (§3.1.1.2): a passphrase that merely contains a common word is fine.
  const lowerCased = normalised.toLowerCase();
  if (contextWords(context).has(lowerCased)) {
    return {
      ok: false,
      problem: 'context',
      message: 'Your password must not be your email address or your name. Choose a different one',
    };
  }
  if (isCommonPassword(lowerCased)) {
    return { ok: false, problem: 'common', message: 'This password is too common. Choose a different one' };
  }
  return { ok: true };
}
