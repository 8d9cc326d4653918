// care-identity user create|show|list|assign-role|enrol-link, and org add|list.

import { recordAuditEvent } from '../audit/audit-log.ts';
import { listAuthenticators } from '../authenticators/authenticator-store.ts';
import { enrolmentKinds, isEnrolmentKind, issueEnrolmentLink } from '../authenticators/enrolment-links.ts';
import { listOrganisations, upsertOrganisation } from '../directory/organisations.ts';
import { createPerson, findPersonByEmail, findPersonById, listPeople } from '../directory/people.ts';
import { assignRole, listRoleAssignments } from '../directory/positions.ts';
import { parse, print, required, UsageError } from './args.ts';
import type { CommandContext } from './context.ts';

export const userUsage = `care-identity user create --given NAME --family NAME --email EMAIL [--title T] [--middle NAMES] [--ial 0-3]
  care-identity user show ID|EMAIL
  care-identity user list [--query TEXT] [--limit N]
  care-identity user assign-role ID --org ODS --role R8000 [--activity B0825 ...] [--start YYYY-MM-DD] [--end YYYY-MM-DD]
  care-identity user enrol-link ID [--kind password-totp|passkey|windows-hello|security-key] [--minutes 15]
  care-identity org add --code ODS --name NAME
  care-identity org list`;

async function personOrFail(context: CommandContext, idOrEmail: string | undefined) {
  if (!idOrEmail) throw new UsageError('give a user id or email');
  const person = idOrEmail.includes('@')
    ? await findPersonByEmail(context.db, idOrEmail)
    : await findPersonById(context.db, idOrEmail);
  if (!person) throw new UsageError(`no user ${idOrEmail}`);
  return person;
}

export async function userCommand(args: string[], context: CommandContext): Promise<void> {
  const [action, ...rest] = args;
  const { db } = context;
  switch (action) {
    case 'create': {
      const { values } = parse(rest, {
        given: { type: 'string' },
        family: { type: 'string' },
        email: { type: 'string' },
        title: { type: 'string' },
        middle: { type: 'string' },
        ial: { type: 'string', default: '3' },
      });
      const person = await createPerson(db, {
        givenName: required(values.given, 'given'),
        familyName: required(values.family, 'family'),
        email: required(values.email, 'email'),
        ...(values.title ? { title: values.title } : {}),
        ...(values.middle ? { middleNames: values.middle } : {}),
        idAssuranceLevel: Number(values.ial),
      });
      await recordAuditEvent(db, {
        type: 'person_created',
        outcome: 'success',
        actor: 'cli',
        subject: person.id,
      });
      return print(person);
    }
    case 'show': {
      const person = await personOrFail(context, rest[0]);
      const roles = await listRoleAssignments(db, person.id);
      const authenticators = (await listAuthenticators(db, person.id)).map((a) => ({
        id: a.id,
        kind: a.kind,
        label: a.label,
        status: a.status,
        failedAttempts: a.failedAttempts,
        lastUsedAt: a.lastUsedAt,
      }));
      return print({ ...person, roles, authenticators });
    }
    case 'list': {
      const { values } = parse(rest, { query: { type: 'string' }, limit: { type: 'string', default: '50' } });
      return print(
        await listPeople(db, {
          ...(values.query ? { query: values.query } : {}),
          limit: Number(values.limit),
        }),
      );
    }
    case 'assign-role': {
      const { values, positionals } = parse(rest, {
        org: { type: 'string' },
        role: { type: 'string' },
        activity: { type: 'string', multiple: true },
        start: { type: 'string' },
        end: { type: 'string' },
      });
      const person = await personOrFail(context, positionals[0]);
      const assignment = await assignRole(db, {
        personId: person.id,
        orgCode: required(values.org, 'org'),
        jobRoleCode: required(values.role, 'role'),
        ...(values.activity ? { activityCodes: values.activity } : {}),
        ...(values.start ? { startDate: values.start } : {}),
        ...(values.end ? { endDate: values.end } : {}),
      });
      await recordAuditEvent(db, {
        type: 'role_assigned',
        outcome: 'success',
        actor: 'cli',
        subject: person.id,
        orgCode: assignment.orgCode,
        detail: { person_roleid: assignment.personRoleId, job_role_code: assignment.jobRoleCode },
      });
      return print(assignment);
    }
    case 'enrol-link': {
      const { values, positionals } = parse(rest, {
        minutes: { type: 'string', default: '15' },
        kind: { type: 'string', default: 'password-totp' },
      });
      const kind = values.kind;
      if (!isEnrolmentKind(kind)) throw new UsageError(`--kind must be one of ${enrolmentKinds.join(', ')}`);
      const minutes = Number(values.minutes);
      if (!Number.isInteger(minutes) || minutes < 1 || minutes > 24 * 60)
        throw new UsageError('--minutes must be 1 to 1440');
      const person = await personOrFail(context, positionals[0]);
      if (person.status !== 'active') throw new UsageError(`user ${person.id} is ${person.status}`);
      const link = await issueEnrolmentLink(db, {
        personId: person.id,
        kind,
        createdBy: 'cli',
        ttlMs: minutes * 60_000,
      });
      await recordAuditEvent(db, {
        type: 'enrolment_link_issued',
        outcome: 'success',
        actor: 'cli',
        subject: person.id,
        detail: { kind, minutes },
      });
      return print(
        `${context.config.publicUrl}${link.path}  (${kind}, valid for ${minutes} minutes, single use)`,
      );
    }
    default:
      throw new UsageError(userUsage);
  }
}

export async function orgCommand(args: string[], context: CommandContext): Promise<void> {
  const [action, ...rest] = args;
  if (action === 'list') return print(await listOrganisations(context.db));
  if (action === 'add') {
    const { values } = parse(rest, { code: { type: 'string' }, name: { type: 'string' } });
    return print(
      await upsertOrganisation(context.db, {
        code: required(values.code, 'code'),
        name: required(values.name, 'name'),
      }),
    );
  }
  throw new UsageError(userUsage);
}
