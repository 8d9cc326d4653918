// The three measured endpoints, as request supplies for the load generator: the token endpoint
// (authorization code + PKCE, private_key_jwt), UserInfo (bearer access token) and discovery.
import { type RelyingPartyKey, signAssertions } from './client-assertions.ts';
import type { HttpRequest } from './load.ts';
import type { ServerProcess } from './protocol.ts';

export type Endpoint = 'token' | 'userinfo' | 'discovery';
export const endpoints: Endpoint[] = ['token', 'userinfo', 'discovery'];

export interface ServerEndpoints {
  origin: string;
  discoveryPath: string;
  tokenPath: string;
  userinfoPath: string;
}

/** Where the server publishes its endpoints, read from its own discovery document. */
export async function discover(server: ServerProcess): Promise<ServerEndpoints> {
  const discoveryUrl = new URL(`${server.facts.issuer}/.well-known/openid-configuration`);
  const response = await fetch(discoveryUrl);
  if (!response.ok) throw new Error(`${server.name}: discovery answered ${response.status}`);
  const metadata = (await response.json()) as { token_endpoint: string; userinfo_endpoint: string };
  return {
    origin: discoveryUrl.origin,
    discoveryPath: discoveryUrl.pathname,
    tokenPath: new URL(metadata.token_endpoint).pathname,
    userinfoPath: new URL(metadata.userinfo_endpoint).pathname,
  };
}

/** A request supply: `next()` hands out each request once, or cycles when `cycle` is set. */
export class Supply {
  readonly #requests: HttpRequest[];
  readonly #cycle: boolean;
  #index = 0;

  constructor(requests: HttpRequest[], cycle = false) {
    this.#requests = requests;
    this.#cycle = cycle;
  }

  get size(): number {
    return this.#requests.length;
  }

  next(): HttpRequest | undefined {
    if (this.#index >= this.#requests.length) {
      if (!this.#cycle) return undefined;
      this.#index = 0;
    }
    return this.#requests[this.#index++];
  }
}

const FORM = { 'content-type': 'application/x-www-form-urlencoded' };

/** `count` code exchanges: codes minted by the server, assertions signed here, one each. */
export async function tokenRequests(
  server: ServerProcess,
  paths: ServerEndpoints,
  key: RelyingPartyKey,
  count: number,
): Promise<HttpRequest[]> {
  const { clientId, redirectUri, issuer } = server.facts;
  const [codes, assertions] = await Promise.all([
    server.codes(count),
    signAssertions(key, clientId, issuer, count),
  ]);
  return codes.map((minted, i) => ({
    method: 'POST',
    path: paths.tokenPath,
    headers: FORM,
    body: new URLSearchParams({
      grant_type: 'authorization_code',
      code: minted.code,
      redirect_uri: redirectUri,
      code_verifier: minted.verifier,
      client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
      client_assertion: assertions[i]!,
    }).toString(),
  }));
}

/** UserInfo calls over a pool of access tokens (UserInfo does not consume them). */
export async function userinfoRequests(
  server: ServerProcess,
  paths: ServerEndpoints,
  poolSize: number,
): Promise<HttpRequest[]> {
  const tokens = await server.accessTokens(poolSize);
  return tokens.map((token) => ({
    method: 'GET',
    path: paths.userinfoPath,
    headers: { authorization: `Bearer ${token}` },
  }));
}

export function discoveryRequest(paths: ServerEndpoints): HttpRequest {
  return { method: 'GET', path: paths.discoveryPath, headers: {} };
}
