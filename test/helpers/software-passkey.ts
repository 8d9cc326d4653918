// A software P-256 passkey registered directly in the store, making real WebAuthn assertions in
// Node for tests of what the server does with them and for the WebAuthn benchmark.
import { createHash, generateKeyPairSync, type KeyObject, randomBytes, sign } from 'node:crypto';
import { isoBase64URL, isoCBOR } from '@simplewebauthn/server/helpers';
import { createAuthenticator } from '../../src/authenticators/authenticator-store.ts';
import type { WebAuthnData } from '../../src/authenticators/webauthn/facts.ts';
import { createPerson } from '../../src/directory/people.ts';
import type { Db } from '../../src/store/database.ts';

export interface SoftwarePasskey {
  personId: string;
  authenticatorId: string;
  credentialId: string;
  userHandle: string;
  privateKey: KeyObject;
  counter: number;
}

function coseKey(publicKey: KeyObject): Uint8Array<ArrayBuffer> {
  const jwk = publicKey.export({ format: 'jwk' });
  return isoCBOR.encode(
    new Map<number, number | Uint8Array<ArrayBuffer>>([
      [1, 2],
      [3, -7],
      [-1, 1],
      [-2, new Uint8Array(Buffer.from(jwk.x!, 'base64url'))],
      [-3, new Uint8Array(Buffer.from(jwk.y!, 'base64url'))],
    ]),
  );
}

export async function registerSoftwarePasskey(db: Db): Promise<SoftwarePasskey> {
  const tag = randomBytes(4).toString('hex');
  const person = await createPerson(db, {
    givenName: 'Soft',
    familyName: `Key${tag}`,
    email: `soft.key.${tag}@example.nhs.uk`,
    idAssuranceLevel: 3,
  });
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const credentialId = randomBytes(32).toString('base64url');
  const userHandle = randomBytes(32).toString('base64url');
  const data: WebAuthnData = {
    credentialId,
    publicKey: isoBase64URL.fromBuffer(coseKey(publicKey)),
    counter: 0,
    transports: ['internal'],
    backupEligible: true,
    backedUp: true,
    attachment: 'platform',
    attestationFormat: 'none',
    aaguid: '00000000-0000-0000-0000-000000000000',
    attestationChain: [],
  };
  const authenticatorId = await createAuthenticator(db, {
    personId: person.id,
    kind: 'webauthn',
    label: 'Soft passkey',
    status: 'active',
    data,
  });
  await db
    .insertInto('webauthn_credentials')
    .values({
      credential_id: credentialId,
      authenticator_id: authenticatorId,
      person_id: person.id,
      user_handle: userHandle,
      created_at: Date.now(),
    })
    .execute();
  return { personId: person.id, authenticatorId, credentialId, userHandle, privateKey, counter: 0 };
}

/** The browser's JSON for an assertion (UP, UV, BE, BS; counter one up); `bogus` spoils the signature. */
export function assertion(
  key: SoftwarePasskey,
  challenge: string,
  rp: { origin: string; rpId: string },
  options: { bogus?: boolean } = {},
): string {
  key.counter += 1;
  const counter = Buffer.alloc(4);
  counter.writeUInt32BE(key.counter);
  const authenticatorData = Buffer.concat([
    createHash('sha256').update(rp.rpId).digest(),
    Buffer.from([0x01 | 0x04 | 0x08 | 0x10]),
    counter,
  ]);
  const clientDataJSON = Buffer.from(
    JSON.stringify({ type: 'webauthn.get', challenge, origin: rp.origin, crossOrigin: false }),
  );
  let signature = sign(
    'sha256',
    Buffer.concat([authenticatorData, createHash('sha256').update(clientDataJSON).digest()]),
    key.privateKey,
  );
  if (options.bogus) {
    signature = sign('sha256', Buffer.from('something else'), key.privateKey);
  }
  return JSON.stringify({
    id: key.credentialId,
    rawId: key.credentialId,
    type: 'public-key',
    authenticatorAttachment: 'platform',
    clientExtensionResults: {},
    response: {
      clientDataJSON: clientDataJSON.toString('base64url'),
      authenticatorData: authenticatorData.toString('base64url'),
      signature: signature.toString('base64url'),
      userHandle: key.userHandle,
    },
  });
}
