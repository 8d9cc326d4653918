// Identity checks as data (contract §16.3, GPG 45): three documents, one photo ID, one proof of
// address and one more from either; the checker records each document's type and which checks they
// made. Images of documents are never taken or kept.

export type DocumentCategory = 'photo-id' | 'address';

export const documentTypes = {
  passport: { name: 'Passport', categories: ['photo-id'] },
  'photocard-driving-licence': { name: 'Photocard driving licence', categories: ['photo-id', 'address'] },
  'national-identity-card': { name: 'National identity card', categories: ['photo-id'] },
  'biometric-residence-permit': { name: 'Biometric residence permit', categories: ['photo-id'] },
  'armed-forces-id': { name: 'Armed forces identity card', categories: ['photo-id'] },
  'utility-bill': { name: 'Utility bill (last 3 months)', categories: ['address'] },
  'bank-statement': { name: 'Bank or building society statement', categories: ['address'] },
  'council-tax-bill': { name: 'Council tax bill (this year)', categories: ['address'] },
  'mortgage-statement': { name: 'Mortgage statement', categories: ['address'] },
  'hmrc-letter': { name: 'Letter from HMRC or DWP', categories: ['address'] },
  'tenancy-agreement': { name: 'Tenancy agreement', categories: ['address'] },
  'birth-certificate': { name: 'Full birth certificate', categories: ['address'] },
} as const satisfies Record<string, { name: string; categories: readonly DocumentCategory[] }>;

export type DocumentType = keyof typeof documentTypes;
export const documentTypeCodes = Object.keys(documentTypes) as [DocumentType, ...DocumentType[]];

export const documentChecks = {
  'original-seen': 'The original was seen (not a copy)',
  'photo-matches-holder': 'The photo is a likeness of the person',
  'in-date': 'The document is in date',
  'security-features-checked': 'Security features were checked',
  'name-matches': 'The name matches the profile',
  'date-of-birth-matches': 'The date of birth matches the profile',
  'address-matches': 'The address matches another document',
} as const;

export type DocumentCheck = keyof typeof documentChecks;
export const documentCheckCodes = Object.keys(documentChecks) as [DocumentCheck, ...DocumentCheck[]];

export const verificationMethods = ['face-to-face', 'video'] as const;

/** The identity assurance level recorded checks give (contract §16.3 [INF]: verified → 3). */
export const levelForVerification: Record<(typeof verificationMethods)[number], number> = {
  'face-to-face': 3,
  video: 3,
};

export interface CheckedDocument {
  type: DocumentType;
  checks: DocumentCheck[];
}

function hasCategory(document: CheckedDocument, category: DocumentCategory): boolean {
  return (documentTypes[document.type].categories as readonly DocumentCategory[]).includes(category);
}

/** What is wrong with a set of documents, or undefined when it meets the rule. */
export function documentSetProblem(documents: CheckedDocument[]): string | undefined {
  if (documents.length !== 3) return 'Record exactly three documents';
  // One document cannot be both the photo ID and the proof of address.
  const photoIds = documents.filter((document) => hasCategory(document, 'photo-id'));
  const fitting = photoIds.some((photoId) =>
    documents.some((other) => other !== photoId && hasCategory(other, 'address')),
  );
  if (photoIds.length === 0)
    return 'One document must be photo ID, like a passport or photocard driving licence';
  if (!fitting) return 'One document must be proof of address, like a utility bill or bank statement';
  const photoChecked = photoIds.some((document) => document.checks.includes('photo-matches-holder'));
  if (!photoChecked) return 'Confirm the photo ID is a likeness of the person (check photo-matches-holder)';
  return undefined;
}
