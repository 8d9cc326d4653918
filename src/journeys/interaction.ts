// Helpers shared by the sign-in pages: load the engine's interaction for this browser, and hand
// a result back to the engine.
import type { Context } from 'koa';
import type { InteractionResults } from 'oidc-provider';
import type { Requirement } from '../assurance/requirement.ts';
import { requirementForRequest } from '../oidc/request-assurance.ts';
import { PageError } from '../server/page-error.ts';
import type { Services } from '../server/services.ts';

export interface LoadedInteraction {
  uid: string;
  promptName: string;
  reasons: string[];
  params: Record<string, unknown>;
  clientId: string;
  clientName: string | undefined;
  requirement: Requirement;
  session: { accountId?: string; uid?: string } | undefined;
}

export const expiredSignIn = () =>
  new PageError(
    400,
    'Your sign-in has expired',
    'This sign-in page is no longer valid, perhaps because it was left open too long or used in another tab. Go back to the application and sign in again.',
  );

export async function loadInteraction(services: Services, ctx: Context): Promise<LoadedInteraction> {
  let details: Awaited<ReturnType<typeof services.provider.interactionDetails>>;
  try {
    details = await services.provider.interactionDetails(ctx.req, ctx.res);
  } catch {
    throw expiredSignIn();
  }
  if (details.uid !== ctx.params['uid']) throw expiredSignIn();
  const clientId = String(details.params['client_id']);
  const client = await services.provider.Client.find(clientId);
  if (!client) throw expiredSignIn();
  const metadata = client.metadata() as Record<string, unknown>;
  return {
    uid: details.uid,
    promptName: details.prompt.name,
    reasons: details.prompt.reasons,
    params: details.params,
    clientId,
    clientName: typeof metadata['client_name'] === 'string' ? metadata['client_name'] : undefined,
    requirement: requirementForRequest(details.params, metadata),
    session: details.session as LoadedInteraction['session'],
  };
}

export async function finishInteraction(
  services: Services,
  ctx: Context,
  result: InteractionResults,
): Promise<void> {
  let returnTo: string;
  try {
    returnTo = await services.provider.interactionResult(ctx.req, ctx.res, result, {
      mergeWithLastSubmission: false,
    });
  } catch {
    throw expiredSignIn();
  }
  ctx.status = 303;
  ctx.redirect(returnTo);
}

export function sourceIp(ctx: Context): string {
  return ctx.ip;
}
