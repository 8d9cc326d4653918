// Trust anchors for AAL3: FIDO metadata statements read from local files, and an allow-list of
// AAGUIDs. An attestation is trusted only when its AAGUID is allowed, a statement for it exists,
// and its certificate chain reaches one of that statement's roots. Nothing is downloaded.
import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import type { AuthenticatorKind } from '../../assurance/policy.ts';
import type { AttestationTrust, WebAuthnAttachment } from './facts.ts';

const aaguidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** The parts of a FIDO MDS3 metadata statement that trust decisions use. */
const statementSchema = z.looseObject({
  aaguid: z
    .string()
    .transform((s) => s.toLowerCase())
    .pipe(z.string().regex(aaguidPattern)),
  description: z.string().default(''),
  attestationRootCertificates: z.array(z.string().min(1)).min(1),
  attachmentHint: z.array(z.string()).default([]),
  attestationTypes: z.array(z.string()).default([]),
});

export interface TrustedModel {
  aaguid: string;
  description: string;
  roots: X509Certificate[];
  attachment: WebAuthnAttachment | null;
}

export interface TrustAnchors {
  /** Allow-listed AAGUIDs that have a statement. */
  models: Map<string, TrustedModel>;
}

export class MetadataError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MetadataError';
  }
}

function attachmentOf(hints: string[]): WebAuthnAttachment | null {
  if (hints.includes('internal')) return 'platform';
  if (hints.includes('external')) return 'cross-platform';
  return null;
}

export function parseAllowList(text: string): Set<string> {
  const aaguids = new Set<string>();
  for (const [index, raw] of text.split('\n').entries()) {
    const line = raw.replace(/#.*/, '').trim().toLowerCase();
    if (!line) continue;
    if (!aaguidPattern.test(line)) throw new MetadataError(`line ${index + 1} is not an AAGUID: ${line}`);
    aaguids.add(line);
  }
  return aaguids;
}

export function buildTrustAnchors(statements: unknown[], allowList: Set<string>): TrustAnchors {
  const models = new Map<string, TrustedModel>();
  for (const raw of statements) {
    const parsed = statementSchema.safeParse(raw);
    if (!parsed.success) throw new MetadataError(`metadata statement: ${parsed.error.issues[0]?.message}`);
    const statement = parsed.data;
    if (!allowList.has(statement.aaguid)) continue;
    const roots = statement.attestationRootCertificates.map((b64) => {
      try {
        return new X509Certificate(Buffer.from(b64, 'base64'));
      } catch {
        throw new MetadataError(`metadata statement ${statement.aaguid}: a root certificate does not parse`);
      }
    });
    models.set(statement.aaguid, {
      aaguid: statement.aaguid,
      description: statement.description,
      roots,
      attachment: attachmentOf(statement.attachmentHint),
    });
  }
  return { models };
}

export function loadTrustAnchors(files: {
  statements: string[];
  allowList: string | undefined;
}): TrustAnchors {
  const read = (path: string) => {
    try {
      return readFileSync(path, 'utf8');
    } catch (error) {
      throw new MetadataError(`cannot read ${path}: ${(error as Error).message}`);
    }
  };
  const allowList = files.allowList ? parseAllowList(read(files.allowList)) : new Set<string>();
  const statements = files.statements.map((path) => {
    try {
      return JSON.parse(read(path)) as unknown;
    } catch (error) {
      if (error instanceof MetadataError) throw error;
      throw new MetadataError(`${path} is not JSON`);
    }
  });
  return buildTrustAnchors(statements, allowList);
}

function withinValidity(cert: X509Certificate, now: Date): boolean {
  return new Date(cert.validFrom) <= now && now <= new Date(cert.validTo);
}

/** Each certificate is signed by the next, and the last is a root or signed by one. */
export function chainReachesRoot(chain: X509Certificate[], roots: X509Certificate[], now: Date): boolean {
  if (chain.length === 0 || !chain.every((cert) => withinValidity(cert, now))) return false;
  for (let i = 0; i + 1 < chain.length; i++) {
    const [cert, issuer] = [chain[i]!, chain[i + 1]!];
    if (!issuer.ca || !cert.checkIssued(issuer) || !cert.verify(issuer.publicKey)) return false;
  }
  const last = chain.at(-1)!;
  return roots.some((root) => {
    if (!withinValidity(root, now)) return false;
    if (last.raw.equals(root.raw)) return true;
    // A root listed as a self-signed batch certificate may be re-issued (same name and key, new
    // signature): it still anchors the chain. Otherwise the root must be a CA that signed the last.
    const sameEntity = last.subject === root.subject && last.publicKey.equals(root.publicKey);
    return (root.ca || sameEntity) && last.checkIssued(root) && last.verify(root.publicKey);
  });
}

export function assessAttestation(
  anchors: TrustAnchors,
  attestation: { format: string; aaguid: string; chain: string[] },
  now: Date = new Date(),
): AttestationTrust {
  const untrusted: AttestationTrust = {
    format: attestation.format,
    aaguid: attestation.aaguid,
    trusted: false,
    attestedAttachment: null,
    model: null,
  };
  const model = anchors.models.get(attestation.aaguid.toLowerCase());
  if (!model || attestation.chain.length === 0) return untrusted;
  let chain: X509Certificate[];
  try {
    chain = attestation.chain.map((b64) => new X509Certificate(Buffer.from(b64, 'base64')));
  } catch {
    return untrusted;
  }
  if (!chainReachesRoot(chain, model.roots, now)) return untrusted;
  return { ...untrusted, trusted: true, attestedAttachment: model.attachment, model: model.description };
}

/** The WebAuthn kinds this deployment can produce: AAL3 ones only with trust anchors for them. */
export function attainableKinds(anchors: TrustAnchors): AuthenticatorKind[] {
  const kinds: AuthenticatorKind[] = ['passkey'];
  const attachments = new Set([...anchors.models.values()].map((m) => m.attachment));
  if (attachments.has('platform')) kinds.push('windows-hello');
  if (attachments.has('cross-platform')) kinds.push('security-key');
  return kinds;
}
