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
  if (ceremony && session?.accountId === ceremony.personId) {
    standing = { context: undefined, achievement: { level: ceremony.level as Level, amr: ceremony.methods } };
  } else if (session?.accountId && session.uid) {
    const context = await findSignInContext(db, session.uid);
    if (context && context.personId === session.accountId) {
      const level = effectiveLevel(context, lifetimes, Date.now());
      standing = { context, achievement: level === 0 ? undefined : { level, amr: context.methods } };
    }
  }
  (ctx.state as Record<symbol, SessionStanding>)[standingKey] = standing;
  return standing;
}
