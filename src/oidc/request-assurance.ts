// What a request needs and what its session already has, shared by the engine's prompt checks
// and the sign-in pages.
import type { KoaContextWithOIDC } from 'oidc-provider';
import type { Level } from '../assurance/policy.ts';
import { type Achievement, type Requirement, requirementFor } from '../assurance/requirement.ts';
import { effectiveLevel, type LifetimePolicy } from '../assurance/session-lifetime.ts';
import { findSignInContext, type SignInContext } from '../journeys/sign-in-context.ts';
import type { Db } from '../store/database.ts';

export interface CeremonyResult {
  personId: string;
  level: number;
  methods: string[];
  authenticatorId: string | null;
  authenticatedAt: number;
}

/** Care Identity's part of an interaction result, beside the engine's `login`. */
export interface CareIdentityResult {
  ceremony?: CeremonyResult;
  role?: { id: string | null };
}

export function clientMinimumLevel(metadata: Record<string, unknown>): Level {
  return metadata['minimum_aal'] === 2 ? 2 : 3;
}

export function requirementForRequest(
  params: Record<string, unknown>,
  clientMetadata: Record<string, unknown>,
): Requirement {
  const acrValues = typeof params['acr_values'] === 'string' ? params['acr_values'] : undefined;
  return requirementFor(acrValues, clientMinimumLevel(clientMetadata));
}

export function requestRequirement(ctx: KoaContextWithOIDC): Requirement {
  return requirementForRequest(ctx.oidc.params ?? {}, ctx.oidc.client?.metadata() ?? {});
}

export interface SessionStanding {
  context: SignInContext | undefined;
  achievement: Achievement | undefined;
}

const standingKey = Symbol('care-identity session standing');

/**
 * The level the session holds now: a ceremony that finished in this very request counts;
 * otherwise the stored context, unless its level has lapsed.
 */
export async function sessionStanding(
  ctx: KoaContextWithOIDC,
  db: Db,
  lifetimes: LifetimePolicy,
): Promise<SessionStanding> {
  const cached = (ctx.state as Record<symbol, SessionStanding>)[standingKey];
  if (cached) return cached;
  const result = ctx.oidc.result as { careIdentity?: CareIdentityResult } | undefined;
  const session = ctx.oidc.session;
  let standing: SessionStanding = { context: undefined, achievement: undefined };
  const ceremony = result?.careIdentity?.ceremony;
  const stored = session?.uid ? await findSignInContext(db, session.uid) : undefined;
  if (ceremony && session?.accountId === ceremony.personId) {
    // The stored context still describes the session before this ceremony: its role choice
    // carries over only for the same person (recordCeremony keeps it on that condition too).
    const context = stored?.personId === ceremony.personId ? stored : undefined;
    standing = { context, achievement: { level: ceremony.level as Level, amr: ceremony.methods } };
  } else if (session?.accountId && stored && stored.personId === session.accountId) {
    const level = effectiveLevel(stored, lifetimes, Date.now());
    standing = { context: stored, achievement: level === 0 ? undefined : { level, amr: stored.methods } };
  }
  (ctx.state as Record<symbol, SessionStanding>)[standingKey] = standing;
  return standing;
}
