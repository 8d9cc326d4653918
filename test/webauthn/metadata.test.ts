// AAL3 trust anchors (security-requirements §6.2): local metadata statements + an AAGUID
// allow-list, with real certificate chains made by openssl.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import {
  assessAttestation,
  attainableKinds,
  buildTrustAnchors,
  loadTrustAnchors,
  MetadataError,
  parseAllowList,
} from '../../src/authenticators/webauthn/metadata.ts';
import { TEST_AAGUID_ALLOW_LIST, TEST_METADATA_STATEMENT } from '../e2e/support.ts';

const AAGUID = '2fc0579f-8113-47ea-b116-bb5a8db9202a';
let dir: string;
const der: Record<string, string> = {};

function openssl(...args: string[]) {
  execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
}

function makeCa(name: string) {
  openssl(
    'req',
    '-x509',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:P-256',
    '-nodes',
    '-keyout',
    `${name}.key`,
    '-out',
    `${name}.pem`,
    '-days',
    '30',
    '-subj',
    `/CN=${name}`,
    '-addext',
    'basicConstraints=critical,CA:TRUE',
  );
}

function makeLeaf(name: string, issuer: string) {
  openssl(
    'req',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:P-256',
    '-nodes',
    '-keyout',
    `${name}.key`,
    '-out',
    `${name}.csr`,
    '-subj',
    `/C=GB/O=Test/OU=Authenticator Attestation/CN=${name}`,
  );
  writeFileSync(join(dir, 'leaf.ext'), 'basicConstraints=CA:FALSE\n');
  openssl(
    'x509',
    '-req',
    '-in',
    `${name}.csr`,
    '-CA',
    `${issuer}.pem`,
    '-CAkey',
    `${issuer}.key`,
    '-CAcreateserial',
    '-out',
    `${name}.pem`,
    '-days',
    '30',
    '-extfile',
    'leaf.ext',
  );
}

function derOf(name: string): string {
  const pem = readFileSync(join(dir, `${name}.pem`), 'utf8');
  return pem.replace(/-----[^-]+-----/g, '').replace(/\s+/g, '');
}

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'care-identity-mds-'));
  makeCa('root');
  makeCa('other-root');
  makeLeaf('key', 'root');
  for (const name of ['root', 'other-root', 'key']) der[name] = derOf(name);
});
after(() => rmSync(dir, { recursive: true, force: true }));

const statement = (roots: string[], attachmentHint = ['external', 'wired']) => ({
  aaguid: AAGUID.toUpperCase(),
  description: 'Test key',
  attestationTypes: ['basic_full'],
  attachmentHint,
  attestationRootCertificates: roots,
});

test('§6.2: a chain that reaches a root of an allow-listed model is trusted, with the attested attachment', () => {
  const anchors = buildTrustAnchors([statement([der['root']!])], new Set([AAGUID]));
  const trust = assessAttestation(anchors, { format: 'packed', aaguid: AAGUID, chain: [der['key']!] });
  assert.deepEqual(trust, {
    format: 'packed',
    aaguid: AAGUID,
    trusted: true,
    attestedAttachment: 'cross-platform',
    model: 'Test key',
  });
  assert.deepEqual(attainableKinds(anchors), ['passkey', 'security-key']);
});

test('§6.2: a chain to another root, a model not on the allow-list, or no chain at all is not trusted', () => {
  const wrongRoot = buildTrustAnchors([statement([der['other-root']!])], new Set([AAGUID]));
  assert.equal(
    assessAttestation(wrongRoot, { format: 'packed', aaguid: AAGUID, chain: [der['key']!] }).trusted,
    false,
  );
  const notAllowed = buildTrustAnchors([statement([der['root']!])], new Set());
  assert.equal(
    assessAttestation(notAllowed, { format: 'packed', aaguid: AAGUID, chain: [der['key']!] }).trusted,
    false,
  );
  assert.deepEqual(attainableKinds(notAllowed), ['passkey'], 'no AAL3 kind without an allowed model');
  const anchors = buildTrustAnchors([statement([der['root']!])], new Set([AAGUID]));
  assert.equal(assessAttestation(anchors, { format: 'none', aaguid: AAGUID, chain: [] }).trusted, false);
  assert.equal(
    assessAttestation(anchors, {
      format: 'packed',
      aaguid: '00000000-0000-0000-0000-000000000000',
      chain: [der['key']!],
    }).trusted,
    false,
    'another AAGUID claiming the chain',
  );
  assert.equal(
    assessAttestation(anchors, { format: 'packed', aaguid: AAGUID, chain: ['not a certificate'] }).trusted,
    false,
  );
});

test('§6.2: a platform model (attachmentHint internal) makes Windows Hello attainable', () => {
  const anchors = buildTrustAnchors([statement([der['root']!], ['internal'])], new Set([AAGUID]));
  assert.deepEqual(attainableKinds(anchors), ['passkey', 'windows-hello']);
});

test('configuration: bad allow-lists and statements stop the start with a clear message', () => {
  assert.deepEqual([...parseAllowList(`# comment\n${AAGUID.toUpperCase()}  # a key\n\n`)], [AAGUID]);
  assert.throws(() => parseAllowList('not-an-aaguid'), MetadataError);
  assert.throws(() => buildTrustAnchors([{ aaguid: AAGUID }], new Set([AAGUID])), MetadataError);
  assert.throws(() => buildTrustAnchors([statement(['AAAA'])], new Set([AAGUID])), /does not parse/);
  assert.throws(
    () => loadTrustAnchors({ statements: [join(dir, 'missing.json')], allowList: undefined }),
    /cannot read/,
  );
});

test('§6.3: the test-only statement trusts Chromium’s virtual authenticator; the default configuration trusts nothing', () => {
  const anchors = loadTrustAnchors({
    statements: [TEST_METADATA_STATEMENT],
    allowList: TEST_AAGUID_ALLOW_LIST,
  });
  assert.deepEqual(attainableKinds(anchors), ['passkey', 'security-key']);
  assert.deepEqual(attainableKinds(loadTrustAnchors({ statements: [], allowList: undefined })), ['passkey']);
});
