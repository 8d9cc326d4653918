// Before anything is measured: one minted code is exchanged and one minted access token used, and
// the answers are checked, so a run never measures a server that only answers errors.
import { decodeJwt } from 'jose';
import type { RelyingPartyKey } from './client-assertions.ts';
import { type ServerEndpoints, tokenRequests, userinfoRequests } from './endpoints.ts';
import type { HttpRequest } from './load.ts';
import type { ServerProcess } from './protocol.ts';

async function send(paths: ServerEndpoints, request: HttpRequest): Promise<{ status: number; body: string }> {
  const response = await fetch(new URL(request.path, paths.origin), {
    method: request.method,
    headers: request.headers,
    ...(request.body ? { body: request.body } : {}),
  });
  return { status: response.status, body: await response.text() };
}

function fail(server: ServerProcess, what: string, answer: { status: number; body: string }): never {
  throw new Error(`${server.name}: ${what} answered ${answer.status}: ${answer.body.slice(0, 500)}`);
}

export async function checkServer(
  server: ServerProcess,
  paths: ServerEndpoints,
  key: RelyingPartyKey,
): Promise<void> {
  const [exchange] = await tokenRequests(server, paths, key, 1);
  const tokens = await send(paths, exchange!);
  if (tokens.status !== 200) fail(server, 'the code exchange', tokens);
  const { id_token: idToken } = JSON.parse(tokens.body) as { id_token?: string };
  if (!idToken) fail(server, 'the code exchange (no id_token)', tokens);
  const claims = decodeJwt(idToken);
  const missing = server.facts.idTokenClaims.filter((claim) => claims[claim] === undefined);
  if (missing.length > 0) fail(server, `the code exchange (ID token lacks ${missing.join(', ')})`, tokens);

  const again = await send(paths, exchange!);
  if (again.status < 400) fail(server, 'the same exchange sent twice (must be refused)', again);

  const [call] = await userinfoRequests(server, paths, 1);
  const userinfo = await send(paths, call!);
  if (userinfo.status !== 200 || !(JSON.parse(userinfo.body) as { sub?: string }).sub) {
    fail(server, 'UserInfo', userinfo);
  }
}
