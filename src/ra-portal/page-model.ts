// What every portal page shares: the header navigation (only what the actor may use) and the
// questions "may they do this in any of these organisations?".
import { grantIn, organisationsFor } from '../ra/capabilities.ts';
import type { RaAction } from '../ra/permissions.ts';
import type { Staff } from './portal.ts';

export function can(staff: Staff, action: RaAction, orgCodes?: string[]): boolean {
  const orgs = orgCodes ?? [...staff.capabilities.organisations.keys()];
  return orgs.some((org) => grantIn(staff.capabilities, action, org) !== 'no');
}

export function orgsFor(staff: Staff, action: RaAction): string[] {
  return organisationsFor(staff.capabilities, action).sort();
}

export function nav(staff: Staff, current?: string) {
  const items = [
    { text: 'Home', href: '/ra' },
    { text: 'Search', href: '/ra/people/search' },
    ...(can(staff, 'create_profile') ? [{ text: 'Register', href: '/ra/people/new' }] : []),
    ...(can(staff, 'approve_position_request') ? [{ text: 'Requests', href: '/ra/requests' }] : []),
    ...(can(staff, 'search_audit') ? [{ text: 'Audit trail', href: '/ra/audit' }] : []),
  ];
  return items.map((item) => ({ ...item, ...(item.href === current ? { current: true } : {}) }));
}
