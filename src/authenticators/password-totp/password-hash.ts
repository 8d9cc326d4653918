// Password storage (NIST 800-63B-4 §3.1.1.2): argon2id with a random 16-byte salt at
// the OWASP Password Storage Cheat Sheet's first argon2id setting (19 MiB, 2 passes, 1 lane).
import type { Algorithm, Options } from '@node-rs/argon2';
import { hash, verify } from '@node-rs/argon2';
import { normalisePassword } from './password-policy.ts';

// Algorithm is an ambient const enum, which type stripping cannot read at run time: 2 is Argon2id.
const ARGON2ID = 2 as Algorithm;

export const PASSWORD_HASH_OPTIONS: Readonly<Options> = Object.freeze({
  algorithm: ARGON2ID,
  memoryCost: 19456,
  timeCost: 2,
  parallelism: 1,
});

// A hash of a password nobody knows, at the same parameters, so that checking a password for an
// unknown account costs the same time as for a known one and does not reveal which accounts exist.
export const UNKNOWN_ACCOUNT_HASH =
  '$argon2id$v=19$m=19456,t=2,p=1$FO9VvZlTq4qn7Gb5A+se4w$mGTbgT6nkPsPb5RSyTaYu+IOgJWGzIFbuzK9/9g1oF0';

export async function hashPassword(password: string): Promise<string> {
  return hash(normalisePassword(password), PASSWORD_HASH_OPTIONS);
}

// A stored hash that cannot be parsed means "no match", never an exception that a caller might
// turn into a different response (and so an oracle) or a 500.
export async function verifyPassword(storedHash: string, password: string): Promise<boolean> {
  try {
    return await verify(storedHash, normalisePassword(password));
  } catch {
    return false;
  }
}

export async function burnPasswordCheck(password: string): Promise<void> {
  await verifyPassword(UNKNOWN_ACCOUNT_HASH, password);
}
