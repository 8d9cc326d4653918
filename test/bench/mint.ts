// Mints, with the engine's own models, what a completed sign-in leaves behind: a Session holding the
// account and this client's grant, the Grant, and authorization codes built as
// oidc-provider/lib/helpers/process_response_types.js builds them; and access tokens built as the
// token endpoint (lib/helpers/grant_common.js) issues them. Shared by both server children.
import { createHash, randomBytes } from 'node:crypto';
import type Provider from 'oidc-provider';
import type { Mint, MintedCode } from './protocol.ts';

type Client = NonNullable<Awaited<ReturnType<Provider['Client']['find']>>>;

export interface SignInShape {
  accountId: string;
  clientId: string;
  redirectUri: string;
  scope: string;
  acr?: string;
  amr?: string[];
  /** The claims the authorization request asked for (the engine's `ctx.oidc.claims`: acr_values and
   * max_age become ID token claim requests); none when the request asked for none. */
  claims?: Record<string, Record<string, unknown>>;
  /** Whether the engine puts `sid` in this client's codes (Care Identity: always; bare: no). */
  includeSid: boolean;
  sessionTtl: number;
  /** How many codes share one sign-in (one Session and one Grant). */
  codesPerSignIn: number;
  /** What the product records beside the engine's session when a ceremony completes. */
  afterSignIn?(sessionUid: string, authTimeSeconds: number): Promise<void>;
}

interface SignedIn {
  sessionUid: string;
  sid: string | undefined;
  grantId: string;
  authTime: number;
}

/** Runs fn for 0..count-1 with at most `width` calls in flight, keeping the order of results. */
async function inParallel<T>(count: number, width: number, fn: (index: number) => Promise<T>): Promise<T[]> {
  const results = new Array<T>(count);
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const index = next++;
      results[index] = await fn(index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(width, count) }, worker));
  return results;
}

const PARALLEL_SIGN_INS = 8;

export class EngineMint implements Mint {
  readonly #provider: Provider;
  readonly #shape: SignInShape;
  #client?: Client;

  constructor(provider: Provider, shape: SignInShape) {
    this.#provider = provider;
    this.#shape = shape;
  }

  async #findClient(): Promise<Client> {
    this.#client ??= await this.#provider.Client.find(this.#shape.clientId);
    if (!this.#client) throw new Error(`client ${this.#shape.clientId} is not registered`);
    return this.#client;
  }

  /** The end of a sign-in: the engine's session with the account logged in and the client's grant. */
  async #signIn(): Promise<SignedIn> {
    const { accountId, clientId, scope, acr, amr, sessionTtl } = this.#shape;
    const authTime = Math.floor(Date.now() / 1000);
    const session = new this.#provider.Session();
    session.loginAccount({ accountId, acr, amr, loginTs: authTime });
    session.ensureClientContainer(clientId);
    const grant = new this.#provider.Grant({ accountId, clientId });
    grant.addOIDCScope(scope);
    const grantId = await grant.save();
    session.grantIdFor(clientId, grantId);
    await session.save(sessionTtl);
    await this.#shape.afterSignIn?.(session.uid, authTime);
    return { sessionUid: session.uid, sid: session.sidFor(clientId), grantId, authTime };
  }

  async codes(count: number): Promise<MintedCode[]> {
    const client = await this.#findClient();
    const { accountId, redirectUri, scope, acr, amr, claims, includeSid, codesPerSignIn } = this.#shape;
    const signIns = Math.ceil(count / codesPerSignIn);
    const batches = await inParallel(signIns, PARALLEL_SIGN_INS, async (index) => {
      const signIn = await this.#signIn();
      const size = Math.min(codesPerSignIn, count - index * codesPerSignIn);
      const minted: MintedCode[] = [];
      for (let i = 0; i < size; i += 1) {
        const verifier = randomBytes(32).toString('base64url');
        const code = new this.#provider.AuthorizationCode({
          accountId,
          acr,
          amr,
          authTime: signIn.authTime,
          ...(claims ? { claims } : {}),
          client,
          codeChallenge: createHash('sha256').update(verifier).digest('base64url'),
          codeChallengeMethod: 'S256',
          // The engine's default expiresWithSession: true unless offline_access was granted.
          expiresWithSession: true,
          grantId: signIn.grantId,
          gty: 'authorization_code',
          nonce: randomBytes(16).toString('base64url'),
          redirectUri,
          scope,
          sessionUid: signIn.sessionUid,
          ...(includeSid ? { sid: signIn.sid } : {}),
        });
        minted.push({ code: await code.save(), verifier });
      }
      return minted;
    });
    return batches.flat();
  }

  /** Access tokens as an authorization code exchange issues them, one sign-in each. */
  async accessTokens(count: number): Promise<string[]> {
    const client = await this.#findClient();
    const { accountId, scope, claims, includeSid } = this.#shape;
    return inParallel(count, PARALLEL_SIGN_INS, async () => {
      const signIn = await this.#signIn();
      const token = new this.#provider.AccessToken({
        accountId,
        ...(claims ? { claims } : {}),
        client,
        expiresWithSession: true,
        grantId: signIn.grantId,
        gty: 'authorization_code',
        scope,
        sessionUid: signIn.sessionUid,
        ...(includeSid ? { sid: signIn.sid } : {}),
      });
      return token.save();
    });
  }
}
