// Microsoft Authenticator enrolment: a pending authenticator holds a fresh TOTP seed (shown once
// as a QR code and as text); it becomes active when the person proves the app produces codes
// and chooses a password that passes the policy. Any earlier authenticator of this kind is revoked.
import QRCode from 'qrcode';
import type { Db } from '../../store/database.ts';
import type { Sealer } from '../../store/sealer.ts';
import { createAuthenticator, findAuthenticator, listAuthenticators } from '../authenticator-store.ts';
import { type PasswordTotpData, totpSealContext } from './facts.ts';
import { hashPassword } from './password-hash.ts';
import { checkNewPassword, PASSWORD_MAX_LENGTH } from './password-policy.ts';
import { base32Decode, base32Encode, generateTotpSecret, otpauthUri, verifyTotp } from './totp.ts';

export const KIND = 'password-totp';

export interface PendingEnrolment {
  authenticatorId: string;
  secret: string;
  otpauthUri: string;
  qrSvg: string;
}

export async function beginEnrolment(
  db: Db,
  sealer: Sealer,
  person: { id: string; email: string },
  issuer: string,
): Promise<PendingEnrolment> {
  const [pending] = await listAuthenticators<PasswordTotpData>(db, person.id, {
    kind: KIND,
    status: 'pending',
  });
  let authenticatorId = pending?.id;
  let secret: string;
  if (pending) {
    secret = sealer.open(pending.data.totpSecretSealed, totpSealContext(pending.id));
  } else {
    secret = base32Encode(generateTotpSecret());
    authenticatorId = await db.transaction().execute(async (trx) => {
      const id = await createAuthenticator(trx, {
        personId: person.id,
        kind: KIND,
        label: 'Microsoft Authenticator',
        status: 'pending',
        data: { totpSecretSealed: '', lastUsedStep: null },
      });
      const data: PasswordTotpData = {
        totpSecretSealed: sealer.seal(secret, totpSealContext(id)),
        lastUsedStep: null,
      };
      await trx
        .updateTable('authenticators')
        .set({ data: JSON.stringify(data) })
        .where('id', '=', id)
        .execute();
      return id;
    });
  }
  const uri = otpauthUri({ secret: base32Decode(secret), accountName: person.email, issuer });
  const qrSvg = await QRCode.toString(uri, { type: 'svg', errorCorrectionLevel: 'M', margin: 1 });
  return { authenticatorId: authenticatorId!, secret, otpauthUri: uri, qrSvg };
}

export interface FinishEnrolmentInput {
  password: string;
  confirmPassword: string;
  code: string;
}

/**
 * Checks the chosen password and the first code. The caller activates inside the same
 * transaction as consuming the enrolment link (see activate).
 */
export async function checkEnrolment(
  db: Db,
  sealer: Sealer,
  person: { id: string; email: string; givenName: string; familyName: string },
  authenticatorId: string,
  input: FinishEnrolmentInput,
  nowMs: number = Date.now(),
): Promise<
  | { ok: true; data: PasswordTotpData }
  | { ok: false; errors: Partial<Record<keyof FinishEnrolmentInput, string>> }
> {
  const record = await findAuthenticator<PasswordTotpData>(db, authenticatorId);
  if (!record || record.personId !== person.id || record.status !== 'pending') {
    return { ok: false, errors: { code: 'This set-up has expired. Ask for a new link.' } };
  }
  const errors: Partial<Record<keyof FinishEnrolmentInput, string>> = {};
  if (input.password.length > PASSWORD_MAX_LENGTH * 4) {
    errors.password = `Your password must be ${PASSWORD_MAX_LENGTH} characters or fewer`;
  } else {
    const policy = checkNewPassword(input.password, {
      email: person.email,
      names: [person.givenName, person.familyName],
    });
    if (!policy.ok) errors.password = policy.message;
    else if (input.password !== input.confirmPassword) errors.confirmPassword = 'The passwords do not match';
  }
  const secret = base32Decode(sealer.open(record.data.totpSecretSealed, totpSealContext(record.id)));
  const otp = verifyTotp(secret, input.code, { nowMs, lastUsedStep: null });
  if (!otp.ok) {
    errors.code =
      otp.reason === 'malformed'
        ? 'Enter the 6-digit code from your authenticator app'
        : 'The code is not right. Check the time on your phone is set automatically, then enter the newest code';
  }
  if (Object.keys(errors).length > 0 || !otp.ok) return { ok: false, errors };
  return {
    ok: true,
    data: { ...record.data, passwordHash: await hashPassword(input.password), lastUsedStep: otp.step },
  };
}

/** Activates the pending authenticator and revokes older ones of this kind; returns revoked ids. */
export async function activate(
  trx: Db,
  personId: string,
  authenticatorId: string,
  data: PasswordTotpData,
): Promise<string[]> {
  const older = await trx
    .selectFrom('authenticators')
    .select('id')
    .where('person_id', '=', personId)
    .where('kind', '=', KIND)
    .where('status', 'in', ['active', 'suspended'])
    .where('id', '!=', authenticatorId)
    .execute();
  if (older.length > 0) {
    await trx
      .updateTable('authenticators')
      .set({ status: 'revoked' })
      .where(
        'id',
        'in',
        older.map((o) => o.id),
      )
      .execute();
  }
  const result = await trx
    .updateTable('authenticators')
    .set({ status: 'active', data: JSON.stringify(data), failed_attempts: 0, locked_until: null })
    .where('id', '=', authenticatorId)
    .where('status', '=', 'pending')
    .executeTakeFirst();
  if (Number(result.numUpdatedRows) !== 1) throw new Error('authenticator is no longer pending');
  return older.map((o) => o.id);
}
