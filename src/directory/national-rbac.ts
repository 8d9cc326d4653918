// National RBAC reference data (contract §10): staff groups (S codes), job role groups (G codes), job
// roles (R codes), activities (B codes) and the baseline policy that gives each job role its default
// activities. A working subset of the NHS England National RBAC Database, enough for real roles and
// claims: the access roles CIS2 RPs check for, the RA and information governance roles, and every
// activity those roles' baselines (or the contract) name. Codes and names are as published; the
// baseline lists the role-wide activities only (area-of-work specific additions are left out).

export interface StaffGroup {
  readonly code: string;
  readonly name: string;
}

export interface JobRoleGroup {
  readonly code: string;
  readonly name: string;
  readonly staffGroup: string;
}

export interface JobRole {
  readonly code: string;
  readonly name: string;
  readonly group: string;
  readonly staffGroup: string;
}

export interface Activity {
  readonly code: string;
  readonly name: string;
  /** Activities this one grants implicitly (e.g. B0825 Amend Patient Demographics includes B0820). */
  readonly includes: readonly string[];
}

export const staffGroups: readonly StaffGroup[] = [
  { code: 'S0080', name: 'Admin & Clerical' },
  { code: 'S8000', name: 'Clinical' },
  { code: 'S8001', name: 'Support' },
  { code: 'S8002', name: 'Admin and Clerical' },
  { code: 'S8003', name: 'Social Work' },
];

export const jobRoleGroups: readonly JobRoleGroup[] = [
  { code: 'G0440', name: 'Admin', staffGroup: 'S0080' },
  { code: 'G0450', name: 'Management - A & C', staffGroup: 'S0080' },
  { code: 'G8000', name: 'Clinical Provision', staffGroup: 'S8000' },
  { code: 'G8001', name: 'Clinical Support', staffGroup: 'S8000' },
  { code: 'G8002', name: 'Support', staffGroup: 'S8001' },
  { code: 'G8005', name: 'Systems Support', staffGroup: 'S8001' },
  { code: 'G8003', name: 'Admin and Clerical', staffGroup: 'S8002' },
  { code: 'G8004', name: 'Social Work', staffGroup: 'S8003' },
];

export const jobRoles: readonly JobRole[] = [
  { code: 'R8000', name: 'Clinical Practitioner Access Role', group: 'G8000', staffGroup: 'S8000' },
  { code: 'R8001', name: 'Nurse Access Role', group: 'G8000', staffGroup: 'S8000' },
  { code: 'R8003', name: 'Health Professional Access Role', group: 'G8000', staffGroup: 'S8000' },
  { code: 'R8004', name: 'Healthcare Student Access Role', group: 'G8000', staffGroup: 'S8000' },
  { code: 'R8016', name: 'Midwife Access Role', group: 'G8000', staffGroup: 'S8000' },
  { code: 'R8024', name: 'Bank Access Role', group: 'G8000', staffGroup: 'S8000' },
  { code: 'R8005', name: 'Biomedical Scientist Access Role', group: 'G8001', staffGroup: 'S8000' },
  { code: 'R8006', name: 'Medical Secretary Access Role', group: 'G8001', staffGroup: 'S8000' },
  { code: 'R8007', name: 'Clinical Coder Access Role', group: 'G8001', staffGroup: 'S8000' },
  { code: 'R8008', name: 'Admin/Clinical Support Access Role', group: 'G8002', staffGroup: 'S8001' },
  { code: 'R8015', name: 'Systems Support Access Role', group: 'G8005', staffGroup: 'S8001' },
  { code: 'R0001', name: 'Privacy Officer', group: 'G8003', staffGroup: 'S8002' },
  { code: 'R8009', name: 'Receptionist Access Role', group: 'G8003', staffGroup: 'S8002' },
  { code: 'R8010', name: 'Clerical Access Role', group: 'G8003', staffGroup: 'S8002' },
  { code: 'R8012', name: 'Information Officer Access Role', group: 'G8003', staffGroup: 'S8002' },
  { code: 'R8013', name: 'Health Records Manager Access Role', group: 'G8003', staffGroup: 'S8002' },
  { code: 'R8014', name: 'Social Worker Access Role', group: 'G8004', staffGroup: 'S8003' },
  { code: 'R5090', name: 'Registration Authority Agent', group: 'G0440', staffGroup: 'S0080' },
  { code: 'R5110', name: 'Demographic Administrator', group: 'G0440', staffGroup: 'S0080' },
  { code: 'R5072', name: 'Root Registration Authority Manager', group: 'G0450', staffGroup: 'S0080' },
  { code: 'R5080', name: 'Registration Authority Manager', group: 'G0450', staffGroup: 'S0080' },
  { code: 'R5105', name: 'Caldicott Guardian', group: 'G0450', staffGroup: 'S0080' },
];

export const activities: readonly Activity[] = [
  // Information governance: registration authority
  { code: 'B0002', name: 'Approve RA Requests (Sponsorship Rights)', includes: ['B1300'] },
  { code: 'B0003', name: 'Register RA Manager (Advanced)', includes: ['B0265'] },
  { code: 'B0005', name: 'Manage RA Activities', includes: ['B0008'] },
  { code: 'B0008', name: 'Perform RA Activities', includes: ['B0265', 'B0263'] },
  { code: 'B0112', name: 'Grant Restricted Attributes', includes: ['B0265'] },
  { code: 'B0262', name: 'View RA Information', includes: [] },
  { code: 'B0263', name: 'Unlock Smartcard', includes: ['B0262'] },
  { code: 'B0265', name: 'Make RA Requests', includes: ['B0262'] },
  { code: 'B0267', name: 'Approve RA Requests (Registration Only)', includes: ['B0265'] },
  { code: 'B0272', name: 'Approve RA Requests (Advanced)', includes: ['B1300'] },
  { code: 'B0274', name: 'Perform RA Activities (Advanced)', includes: ['B0008'] },
  { code: 'B1300', name: 'Approve RA Requests', includes: ['B0263', 'B0267'] },
  // Information governance: audit, alerts, confidentiality, system administration
  { code: 'B0011', name: 'Analyse Audit Trails', includes: [] },
  { code: 'B0015', name: 'Receive Legal Override and Emergency View Alerts', includes: [] },
  { code: 'B0016', name: 'Receive Self Claimed LR Alerts', includes: [] },
  { code: 'B0017', name: 'Receive SAR Refused Alerts', includes: [] },
  { code: 'B0018', name: 'Receive Sealing Alerts', includes: [] },
  { code: 'B0020', name: 'Control Consent Status', includes: [] },
  { code: 'B0030', name: "Record a Patient's Self Referral", includes: [] },
  { code: 'B0062', name: 'Local System Administration', includes: [] },
  { code: 'B0070', name: 'Access Patient Sealed Data', includes: [] },
  { code: 'B0080', name: 'Establish Sealing Controls', includes: ['B0070'] },
  { code: 'B0082', name: 'Legal Override of Consent', includes: [] },
  { code: 'B0085', name: 'Claim a relationship with a patient', includes: [] },
  { code: 'B0168', name: 'View SCR when permission could not be requested', includes: [] },
  // Demographics
  { code: 'B0065', name: 'Undecease Patient', includes: [] },
  { code: 'B0089', name: 'Access DSA', includes: [] },
  { code: 'B0098', name: 'Perform Extended Person Trace', includes: [] },
  { code: 'B0264', name: 'Access SCR Application (Perform Patient Trace)', includes: [] },
  { code: 'B0820', name: 'View Patient Demographics', includes: [] },
  { code: 'B0825', name: 'Amend Patient Demographics', includes: ['B0820'] },
  { code: 'B0830', name: 'Perform Patient Demographics', includes: ['B0825'] },
  { code: 'B0835', name: 'Manage Patient Demographics', includes: ['B0837', 'B0830', 'B1680'] },
  { code: 'B0837', name: 'Decease Patient', includes: ['B0820'] },
  { code: 'B1610', name: 'Allocate NHS Number', includes: ['B0264'] },
  { code: 'B1611', name: 'Access Sensitive(S) Flagged Records', includes: [] },
  { code: 'B1680', name: 'Manage Patient Duplicate Records', includes: [] },
  { code: 'B8009', name: 'Register Patient with Primary Care Provider on PDS', includes: [] },
  // Health records
  { code: 'B0028', name: 'Manage Allergies', includes: [] },
  { code: 'B0069', name: 'Record Patient Medication', includes: ['B0401'] },
  { code: 'B0256', name: 'View ETP Clinical Data within CSA', includes: [] },
  { code: 'B0257', name: 'View non-ETP Clinical Data within CSA', includes: [] },
  {
    code: 'B0360',
    name: 'View Detailed Health Records',
    includes: ['B0370', 'B0401', 'B8006', 'B8010', 'B8018', 'B8012', 'B1570', 'B0610'],
  },
  { code: 'B0370', name: 'View Summary Health Records', includes: [] },
  { code: 'B0380', name: 'Perform Detailed Health Record', includes: ['B0790', 'B8011', 'B0069'] },
  { code: 'B0401', name: 'View Patient Medication', includes: [] },
  { code: 'B0790', name: 'Perform Clinical Coding', includes: ['B0360'] },
  { code: 'B0800', name: 'Manage Clinical Coding', includes: ['B0790'] },
  { code: 'B1666', name: 'View Sensitive Results', includes: [] },
  { code: 'B1693', name: 'View Mental Health Functions', includes: ['B0360'] },
  { code: 'B1694', name: 'Perform Mental Health Functions', includes: ['B1693'] },
  { code: 'B8028', name: 'Verify Health Records', includes: ['B0380'] },
  { code: 'B8029', name: 'Manage Detailed Health Records', includes: ['B8028'] },
  // Clinical documents and physical records
  { code: 'B0054', name: 'Amend Clinical Documents', includes: ['B8010'] },
  { code: 'B0143', name: 'Verify Clinical Documents', includes: ['B8011'] },
  { code: 'B0610', name: 'View Physical Health Records Location', includes: [] },
  { code: 'B0620', name: 'Track Physical Health Records', includes: ['B0610'] },
  { code: 'B0625', name: 'Create Physical Health Records', includes: ['B0620'] },
  { code: 'B0630', name: 'Manage Physical Health Records', includes: ['B0625'] },
  { code: 'B8010', name: 'View Clinical Documents', includes: [] },
  { code: 'B8011', name: 'Perform Clinical Documents', includes: ['B0054'] },
  // Patient administration
  { code: 'B0560', name: 'Perform Patient Administration', includes: ['B8013'] },
  { code: 'B0600', name: 'Locate Patient within Trust', includes: [] },
  { code: 'B8012', name: 'View Patient Administration', includes: ['B0600', 'B8004', 'B0820'] },
  { code: 'B8013', name: 'Amend Patient Administration', includes: ['B8012'] },
  // Tests and investigations
  { code: 'B0081', name: 'Verify Test/Investigation Activities', includes: ['B0131'] },
  { code: 'B0131', name: 'Perform Test/Investigation Activities', includes: ['B8018'] },
  { code: 'B0133', name: 'Manage Test/Investigation Activities', includes: ['B0081'] },
  { code: 'B8018', name: 'View Test/Investigation Requests', includes: [] },
  { code: 'B8019', name: 'Amend Test/Investigation Requests', includes: ['B8018'] },
  { code: 'B8020', name: 'Perform Test/Investigation Requests', includes: ['B8019'] },
  // Prescribing and pharmacy
  { code: 'B0278', name: 'Perform Prescription Preparation', includes: ['B0422', 'B0468'] },
  { code: 'B0420', name: 'Independent Prescribing', includes: ['B0428', 'B0278'] },
  { code: 'B0422', name: 'Reauthorise Medication', includes: ['B0401'] },
  { code: 'B0427', name: 'Reimbursement Claim', includes: [] },
  { code: 'B0428', name: 'Personal Medication Administration', includes: ['B0427'] },
  { code: 'B0468', name: 'Cancel Prescription', includes: ['B0401'] },
  // Reports, extracts and management
  { code: 'B0073', name: 'Perform Staff Diary/Rotas', includes: ['B0860'] },
  { code: 'B0145', name: 'Execute CDS DQ Extracts (Clear)', includes: [] },
  { code: 'B0258', name: 'Execute Contracting Reports', includes: ['B0945'] },
  { code: 'B0860', name: 'View Staff Diary/Rotas', includes: [] },
  { code: 'B0862', name: 'Manage Staff Diary/Rotas', includes: ['B0073'] },
  { code: 'B0945', name: 'Execute Management Reports', includes: ['B8004'] },
  { code: 'B0991', name: 'Execute Ad-hoc Reports', includes: [] },
  { code: 'B0994', name: 'Manage Ad-hoc Reports', includes: ['B0991'] },
  { code: 'B0995', name: 'View Contract Details', includes: ['B0258'] },
  { code: 'B1560', name: 'Run PbR Commissioning Extracts', includes: [] },
  { code: 'B8004', name: 'Execute Administrative Reports', includes: [] },
  { code: 'B8006', name: 'Execute Clinical Reports', includes: [] },
  // Medical reference
  { code: 'B1570', name: 'View Shared Non Patient Identifiable Information', includes: [] },
  { code: 'B1575', name: 'Perform Shared Non Patient Identifiable Information', includes: ['B1570'] },
  { code: 'B8002', name: 'Manage Shared Non Patient Identifiable Information', includes: ['B1575'] },
];

/** Baseline policy: the activities every holder of a job role gets without them being granted. */
export const baselinePolicy: Readonly<Record<string, readonly string[]>> = {
  R8000: ['B0080', 'B0085', 'B0168', 'B0143', 'B0620', 'B0825', 'B8028', 'B0560', 'B8020', 'B0420', 'B0073'],
  R8001: ['B0080', 'B0085', 'B0168', 'B0143', 'B0380', 'B0620', 'B0825', 'B8020', 'B0073'],
  R8003: ['B0080', 'B0085', 'B0168', 'B0143', 'B0380', 'B0620', 'B0825', 'B0073'],
  R8004: ['B0360'],
  R8016: ['B0080', 'B0085', 'B0143', 'B0380', 'B0620', 'B1610', 'B8020', 'B0073'],
  R8024: ['B0620', 'B0825', 'B0560'],
  R8005: ['B0360', 'B0620', 'B0131', 'B8019'],
  R8006: ['B0380', 'B0620', 'B0830', 'B8020', 'B0860'],
  R8007: ['B0620', 'B0800', 'B0825'],
  R8008: [],
  R8015: [],
  R0001: ['B0011', 'B8012'],
  R8009: ['B0030', 'B0620', 'B8012'],
  R8010: ['B0620', 'B0825', 'B0560'],
  R8012: ['B8012', 'B0995', 'B0994'],
  R8013: ['B0630', 'B0835', 'B0600'],
  R8014: ['B0080', 'B0085', 'B0360', 'B0620', 'B0825', 'B0560', 'B0862'],
  R5090: ['B0008'],
  R5110: ['B0065', 'B0098', 'B0835', 'B1610', 'B8009'],
  R5072: ['B0003', 'B0112'],
  R5080: ['B0005', 'B0274'],
  R5105: ['B0002', 'B0011'],
};

const staffGroupsByCode = new Map(staffGroups.map((group) => [group.code, group]));
const jobRoleGroupsByCode = new Map(jobRoleGroups.map((group) => [group.code, group]));
const jobRolesByCode = new Map(jobRoles.map((role) => [role.code, role]));
const activitiesByCode = new Map(activities.map((activity) => [activity.code, activity]));

export function findStaffGroup(code: string): StaffGroup | undefined {
  return staffGroupsByCode.get(code);
}

export function findJobRoleGroup(code: string): JobRoleGroup | undefined {
  return jobRoleGroupsByCode.get(code);
}

export function findJobRole(code: string): JobRole | undefined {
  return jobRolesByCode.get(code);
}

export function findActivity(code: string): Activity | undefined {
  return activitiesByCode.get(code);
}

export function listJobRoles(): JobRole[] {
  return [...jobRoles];
}

function requireJobRole(jobRoleCode: string): { role: JobRole; group: JobRoleGroup; staffGroup: StaffGroup } {
  const role = jobRolesByCode.get(jobRoleCode);
  const group = role && jobRoleGroupsByCode.get(role.group);
  const staffGroup = role && staffGroupsByCode.get(role.staffGroup);
  if (!role || !group || !staffGroup) throw new Error(`unknown national RBAC job role: ${jobRoleCode}`);
  return { role, group, staffGroup };
}

/** `S8000:G8000:R8000`: the staff group, job role group and job role codes (contract §9.2). */
export function roleCodeString(jobRoleCode: string): string {
  const { role, group, staffGroup } = requireJobRole(jobRoleCode);
  return `${staffGroup.code}:${group.code}:${role.code}`;
}

/** `"Clinical":"Clinical Provision":"Clinical Practitioner Access Role"` (contract §9.2). */
export function roleNameString(jobRoleCode: string): string {
  const { role, group, staffGroup } = requireJobRole(jobRoleCode);
  return [staffGroup.name, group.name, role.name].map((name) => `"${name}"`).join(':');
}

/** The baseline activity codes of a job role; empty for a role without a baseline or an unknown role. */
export function baselineActivities(jobRoleCode: string): string[] {
  return [...(baselinePolicy[jobRoleCode] ?? [])];
}
