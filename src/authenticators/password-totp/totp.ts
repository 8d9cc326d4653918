// TOTP (RFC 6238 over RFC 4226 HOTP) with the parameters every authenticator app supports: HMAC-SHA-1,
// 6 digits, 30-second steps. NIST 800-63B-4 §3.1.4-3.1.5: a 160-bit key (>= 112 bits), a nonce that
// changes well within 2 minutes, and each code accepted only once while it is valid.
import { createHmac, timingSafeEqual } from 'node:crypto';

export const TOTP_DIGITS = 6;
export const TOTP_PERIOD_SECONDS = 30;
const SECRET_BYTES = 20; // RFC 4226 §4 recommends 160 bits, the size of a SHA-1 block output.

const BASE32_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

export function generateTotpSecret(): Uint8Array {
  return crypto.getRandomValues(new Uint8Array(SECRET_BYTES));
}

// RFC 4648 §6 without padding: the form the Key URI format and authenticator apps expect.
export function base32Encode(bytes: Uint8Array): string {
  let out = '';
  let buffer = 0;
  let bits = 0;
  for (const byte of bytes) {
    buffer = ((buffer << 8) | byte) & 0xffff;
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      out += BASE32_ALPHABET[(buffer >> bits) & 31];
    }
  }
  if (bits > 0) out += BASE32_ALPHABET[(buffer << (5 - bits)) & 31];
  return out;
}

// People copy secrets by hand in groups and in lower case, so spaces, case and padding are forgiven;
// any other character is an error rather than silently dropped.
export function base32Decode(text: string): Uint8Array {
  const clean = text.replace(/\s+/g, '').toUpperCase().replace(/=+$/, '');
  // 1, 3 or 6 trailing characters cannot come from whole bytes (RFC 4648 §6).
  if ([1, 3, 6].includes(clean.length % 8)) throw new Error('base32 text has an impossible length');
  const out = new Uint8Array(Math.floor((clean.length * 5) / 8));
  let buffer = 0;
  let bits = 0;
  let index = 0;
  for (const char of clean) {
    const value = BASE32_ALPHABET.indexOf(char);
    if (value < 0) throw new Error(`base32 text has an invalid character: ${JSON.stringify(char)}`);
    buffer = ((buffer << 5) | value) & 0xffff;
    bits += 5;
    if (bits >= 8) {
      bits -= 8;
      out[index++] = (buffer >> bits) & 0xff;
    }
  }
  return out;
}

// Key URI format (github.com/google/google-authenticator/wiki/Key-Uri-Format), the contents of the
// enrolment QR code. The issuer goes in both the label and the parameter, as the format recommends.
export function otpauthUri(options: { secret: Uint8Array; accountName: string; issuer: string }): string {
  const { secret, accountName, issuer } = options;
  // The label uses ':' to split issuer from account; apps differ on whether they decode %3A first.
  if (issuer.includes(':') || accountName.includes(':')) {
    throw new Error('issuer and account name must not contain a colon');
  }
  const label = `${encodeURIComponent(issuer)}:${encodeURIComponent(accountName)}`;
  const query = [
    `secret=${base32Encode(secret)}`,
    `issuer=${encodeURIComponent(issuer)}`,
    'algorithm=SHA1',
    `digits=${TOTP_DIGITS}`,
    `period=${TOTP_PERIOD_SECONDS}`,
  ].join('&');
  return `otpauth://totp/${label}?${query}`;
}

export function timeStep(nowMs: number): number {
  return Math.floor(nowMs / 1000 / TOTP_PERIOD_SECONDS);
}

// RFC 4226 §5.3: HMAC-SHA-1 of the 8-byte big-endian counter, dynamic truncation, last 6 digits.
function hotp(secret: Uint8Array, counter: number): string {
  const message = Buffer.alloc(8);
  message.writeBigUInt64BE(BigInt(counter));
  const mac = createHmac('sha1', secret).update(message).digest();
  const offset = mac[mac.length - 1]! & 0x0f;
  const binary = mac.readUInt32BE(offset) & 0x7fffffff;
  return String(binary % 10 ** TOTP_DIGITS).padStart(TOTP_DIGITS, '0');
}

export type TotpResult =
  | { ok: true; step: number }
  | { ok: false; reason: 'malformed' | 'invalid' | 'replayed' };

// lastUsedStep is the step of the last code accepted for this authenticator. Refusing every step at or
// before it makes a code single-use, and also refuses an older code still inside the drift window
// after a newer one was used (§3.1.4.2, ASVS 6.5.1). The caller stores the returned step.
export function verifyTotp(
  secret: Uint8Array,
  code: string,
  options: { nowMs: number; lastUsedStep: number | null; window?: number },
): TotpResult {
  const window = options.window ?? 1;
  if (!Number.isInteger(window) || window < 0) throw new Error('window must be a non-negative integer');
  const candidate = code.replace(/\s+/g, '');
  if (!/^[0-9]{6}$/.test(candidate)) return { ok: false, reason: 'malformed' };

  const given = Buffer.from(candidate);
  const current = timeStep(options.nowMs);
  let newest: number | null = null;
  let matchedUsed = false;
  // Every step in the window is computed and compared, so the time taken says nothing about which
  // step (if any) matched.
  for (let step = Math.max(0, current - window); step <= current + window; step++) {
    if (!timingSafeEqual(Buffer.from(hotp(secret, step)), given)) continue;
    if (options.lastUsedStep !== null && step <= options.lastUsedStep) matchedUsed = true;
    else newest = step;
  }
  if (newest !== null) return { ok: true, step: newest };
  return { ok: false, reason: matchedUsed ? 'replayed' : 'invalid' };
}
