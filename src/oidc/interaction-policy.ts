// Prompt checks added to the engine's policy. `login` also fires when the session's level is
// missing, lapsed or too low for this request (step-up). `care_identity` fires when the session
// is good enough but the acr to return differs from the session's, or a role must be picked.
import { interactionPolicy, type KoaContextWithOIDC } from 'oidc-provider';
import { acrFor } from '../assurance/requirement.ts';
import type { LifetimePolicy } from '../assurance/session-lifetime.ts';
import type { Db } from '../store/database.ts';
import { asksForRole } from './claims.ts';
import { type CareIdentityResult, requestRequirement, sessionStanding } from './request-assurance.ts';

const { Check, Prompt, base } = interactionPolicy;

export function createInteractionPolicy(db: Db, lifetimes: LifetimePolicy) {
  const policy = base();
  const login = policy.get('login')!;

  login.checks.add(
    new Check(
      'assurance_level',
      'the session does not hold the assurance level this request needs',
      async (ctx) => {
        if (!ctx.oidc.session?.accountId) return Check.NO_NEED_TO_PROMPT;
        const { achievement } = await sessionStanding(ctx, db, lifetimes);
        if (!achievement) return Check.REQUEST_PROMPT;
        return acrFor(requestRequirement(ctx), achievement) ? Check.NO_NEED_TO_PROMPT : Check.REQUEST_PROMPT;
      },
    ),
  );

  const careIdentity = new Prompt(
    { name: 'care_identity', requestable: false },
    new Check('acr_mismatch', 'the authentication context class must be confirmed', async (ctx) => {
      const { achievement } = await sessionStanding(ctx, db, lifetimes);
      if (!achievement) return Check.NO_NEED_TO_PROMPT;
      const acr = acrFor(requestRequirement(ctx), achievement);
      return acr && acr !== ctx.oidc.session?.acr ? Check.REQUEST_PROMPT : Check.NO_NEED_TO_PROMPT;
    }),
    new Check('role_selection', 'a role must be selected', async (ctx: KoaContextWithOIDC) => {
      const scopes = ctx.oidc.requestParamScopes;
      if (!asksForRole(scopes)) return Check.NO_NEED_TO_PROMPT;
      const result = ctx.oidc.result as { careIdentity?: CareIdentityResult } | undefined;
      if (result?.careIdentity?.role) return Check.NO_NEED_TO_PROMPT;
      if (scopes.has('changedrole')) return Check.REQUEST_PROMPT;
      const { context } = await sessionStanding(ctx, db, lifetimes);
      return context?.roleSelected ? Check.NO_NEED_TO_PROMPT : Check.REQUEST_PROMPT;
    }),
  );
  policy.add(careIdentity);
  return policy;
}
