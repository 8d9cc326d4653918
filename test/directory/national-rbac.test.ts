import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  activities,
  baselineActivities,
  baselinePolicy,
  findActivity,
  findJobRole,
  findJobRoleGroup,
  findStaffGroup,
  jobRoleGroups,
  jobRoles,
  listJobRoles,
  roleCodeString,
  roleNameString,
  staffGroups,
} from '../../src/directory/national-rbac.ts';

function assertUnique(codes: readonly string[], what: string): void {
  assert.equal(new Set(codes).size, codes.length, `${what} codes are unique`);
}

describe('national RBAC reference data', () => {
  test('codes have the national shapes and are unique', () => {
    for (const group of staffGroups) assert.match(group.code, /^S\d{4}$/);
    for (const group of jobRoleGroups) assert.match(group.code, /^G\d{4}$/);
    for (const role of jobRoles) assert.match(role.code, /^R\d{4}$/);
    for (const activity of activities) assert.match(activity.code, /^B\d{4}$/);
    assertUnique(
      staffGroups.map((g) => g.code),
      'staff group',
    );
    assertUnique(
      jobRoleGroups.map((g) => g.code),
      'job role group',
    );
    assertUnique(
      jobRoles.map((r) => r.code),
      'job role',
    );
    assertUnique(
      activities.map((a) => a.code),
      'activity',
    );
  });

  test("every job role's group and staff group resolve and agree", () => {
    for (const role of listJobRoles()) {
      const group = findJobRoleGroup(role.group);
      const staffGroup = findStaffGroup(role.staffGroup);
      assert.ok(group, `${role.code}: group ${role.group} exists`);
      assert.ok(staffGroup, `${role.code}: staff group ${role.staffGroup} exists`);
      assert.equal(
        group.staffGroup,
        role.staffGroup,
        `${role.code}: group belongs to the role's staff group`,
      );
      assert.equal(roleCodeString(role.code), `${staffGroup.code}:${group.code}:${role.code}`);
      assert.match(roleCodeString(role.code), /^S\d{4}:G\d{4}:R\d{4}$/);
      assert.equal(roleNameString(role.code), `"${staffGroup.name}":"${group.name}":"${role.name}"`);
      assert.match(roleNameString(role.code), /^"[^"]+":"[^"]+":"[^"]+"$/);
      assert.equal(roleNameString(role.code).split(':').at(-1), `"${role.name}"`);
    }
    for (const group of jobRoleGroups)
      assert.ok(findStaffGroup(group.staffGroup), `${group.code}: staff group`);
  });

  test('holds the job roles the contract names, with the observed role codes', () => {
    const expected: Record<string, string> = {
      R8000: 'Clinical Practitioner Access Role',
      R8001: 'Nurse Access Role',
      R8003: 'Health Professional Access Role',
      R8004: 'Healthcare Student Access Role',
      R8006: 'Medical Secretary Access Role',
      R8008: 'Admin/Clinical Support Access Role',
      R8015: 'Systems Support Access Role',
      R0001: 'Privacy Officer',
      R5105: 'Caldicott Guardian',
      R5080: 'Registration Authority Manager',
      R5090: 'Registration Authority Agent',
    };
    for (const [code, name] of Object.entries(expected)) assert.equal(findJobRole(code)?.name, name, code);
    assert.equal(roleCodeString('R8000'), 'S8000:G8000:R8000');
    assert.equal(roleCodeString('R8001'), 'S8000:G8000:R8001');
    assert.equal(roleCodeString('R8006'), 'S8000:G8001:R8006');
    assert.equal(roleCodeString('R8008'), 'S8001:G8002:R8008');
    assert.equal(roleCodeString('R8015'), 'S8001:G8005:R8015');
    assert.equal(roleCodeString('R5080'), 'S0080:G0450:R5080');
    assert.equal(
      roleNameString('R8000'),
      '"Clinical":"Clinical Provision":"Clinical Practitioner Access Role"',
    );
    assert.equal(roleNameString('R8001'), '"Clinical":"Clinical Provision":"Nurse Access Role"');
    assert.equal(
      roleNameString('R5080'),
      '"Admin & Clerical":"Management - A & C":"Registration Authority Manager"',
    );
  });

  test('holds the activity codes the contract names', () => {
    for (const code of ['B0825', 'B0267', 'B1300', 'B0360', 'B0420', 'B0428', 'B0062', 'B1570', 'B1611']) {
      assert.ok(findActivity(code), code);
    }
    assert.equal(findActivity('B0825')?.name, 'Amend Patient Demographics');
    assert.deepEqual(findActivity('B0825')?.includes, ['B0820']);
  });

  test('every baseline and included activity code exists', () => {
    for (const role of jobRoles) assert.ok(baselinePolicy[role.code], `${role.code} has a baseline entry`);
    for (const [roleCode, codes] of Object.entries(baselinePolicy)) {
      assert.ok(findJobRole(roleCode), `baseline for unknown role ${roleCode}`);
      assertUnique(codes, `${roleCode} baseline`);
      for (const code of codes) assert.ok(findActivity(code), `${roleCode} baseline activity ${code} exists`);
      assert.deepEqual(baselineActivities(roleCode), [...codes]);
    }
    for (const activity of activities) {
      for (const code of activity.includes)
        assert.ok(findActivity(code), `${activity.code} includes ${code}`);
    }
  });

  test('unknown codes', () => {
    assert.equal(findJobRole('R9999'), undefined);
    assert.equal(findActivity('B9999'), undefined);
    assert.deepEqual(baselineActivities('R9999'), []);
    assert.throws(() => roleCodeString('R9999'), /unknown national RBAC job role/);
    assert.throws(() => roleNameString('R9999'), /unknown national RBAC job role/);
  });

  test('lookups hand out copies', () => {
    listJobRoles().pop();
    assert.equal(listJobRoles().length, jobRoles.length);
    baselineActivities('R8000').pop();
    assert.equal(baselineActivities('R8000').length, baselinePolicy['R8000']?.length);
  });
});
