// The conversation between the bench (parent) and a server under test (child process), over Node's
// IPC channel: the child says it is ready, then mints codes and access tokens when asked.
import { type ChildProcess, fork } from 'node:child_process';
import type { JWK } from 'jose';
import type { AssertionAlg } from './client-assertions.ts';

/** What the parent tells a child on its command line (one JSON argument). */
export interface ChildSetup {
  /** The relying party's public key and the algorithm of its client assertions. */
  publicJwk: JWK;
  alg: AssertionAlg;
  /** Care Identity only: which store to run on. */
  database?: 'sqlite' | 'postgres';
  /** Care Identity only, an experiment: `PRAGMA synchronous` for its SQLite store. */
  sqliteSynchronous?: string;
}

/** What a child reports once it is listening. */
export interface ServerFacts {
  issuer: string;
  clientId: string;
  redirectUri: string;
  /** The scope of the minted codes and access tokens. */
  scope: string;
  /** Claims the ID token from a minted code must carry: proof the sign-in was minted whole. */
  idTokenClaims: string[];
}

/** One authorization code as the sign-in journey would leave it, with its PKCE verifier. */
export interface MintedCode {
  code: string;
  verifier: string;
}

export type MintRequest =
  | { id: number; kind: 'codes'; count: number }
  | { id: number; kind: 'access-tokens'; count: number }
  | { id: number; kind: 'stop' };

type WithoutId<T> = T extends unknown ? Omit<T, 'id'> : never;
type Reply = { id: number; ok: true; value?: unknown } | { id: number; ok: false; error: string };
type ChildMessage = { kind: 'ready'; facts: ServerFacts } | { kind: 'reply'; reply: Reply };

export interface Mint {
  codes(count: number): Promise<MintedCode[]>;
  accessTokens(count: number): Promise<string[]>;
}

/** Child side: read the setup argument. */
export function childSetup(): ChildSetup {
  const raw = process.argv[2];
  if (!raw || !process.send) throw new Error('run by test/bench/run.ts, not directly');
  return JSON.parse(raw) as ChildSetup;
}

/** Child side: report readiness, then answer the parent until it says stop. */
export function serveParent(facts: ServerFacts, mint: Mint, close: () => Promise<void>): void {
  const send = (message: ChildMessage) => process.send!(message);
  process.on('message', async (request: MintRequest) => {
    try {
      if (request.kind === 'stop') {
        await close();
        // Exit explicitly (so a --cpu-prof profile is written) once the parent has the answer.
        process.send!({ kind: 'reply', reply: { id: request.id, ok: true } }, () => process.exit(0));
        return;
      }
      const value =
        request.kind === 'codes' ? await mint.codes(request.count) : await mint.accessTokens(request.count);
      send({ kind: 'reply', reply: { id: request.id, ok: true, value } });
    } catch (error) {
      send({ kind: 'reply', reply: { id: request.id, ok: false, error: String((error as Error).stack) } });
    }
  });
  send({ kind: 'ready', facts });
}

/** Parent side: a server under test running in its own process. */
export class ServerProcess {
  readonly name: string;
  readonly facts: ServerFacts;
  readonly #child: ChildProcess;
  readonly #pending = new Map<number, { resolve(value: unknown): void; reject(error: Error): void }>();
  #nextId = 1;

  private constructor(name: string, child: ChildProcess, facts: ServerFacts) {
    this.name = name;
    this.#child = child;
    this.facts = facts;
    child.on('message', (message: ChildMessage) => {
      if (message.kind !== 'reply') return;
      const pending = this.#pending.get(message.reply.id);
      this.#pending.delete(message.reply.id);
      if (message.reply.ok) pending?.resolve(message.reply.value);
      else pending?.reject(new Error(`${name}: ${message.reply.error}`));
    });
    child.on('exit', (code) => {
      for (const pending of this.#pending.values()) pending.reject(new Error(`${name} exited (${code})`));
      this.#pending.clear();
    });
  }

  static async start(
    name: string,
    file: string,
    setup: ChildSetup,
    execArgv: string[] = [],
  ): Promise<ServerProcess> {
    const child = fork(file, [JSON.stringify(setup)], {
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      execArgv,
    });
    const facts = await new Promise<ServerFacts>((resolve, reject) => {
      child.once('exit', (code) => reject(new Error(`${name} exited (${code}) before it was ready`)));
      child.on('message', (message: ChildMessage) => {
        if (message.kind === 'ready') resolve(message.facts);
      });
    });
    child.removeAllListeners('exit');
    return new ServerProcess(name, child, facts);
  }

  get pid(): number {
    return this.#child.pid!;
  }

  #ask<T>(request: WithoutId<MintRequest>): Promise<T> {
    const id = this.#nextId++;
    return new Promise<T>((resolve, reject) => {
      this.#pending.set(id, { resolve: resolve as (value: unknown) => void, reject });
      this.#child.send({ ...request, id });
    });
  }

  codes(count: number): Promise<MintedCode[]> {
    return this.#ask({ kind: 'codes', count });
  }

  accessTokens(count: number): Promise<string[]> {
    return this.#ask({ kind: 'access-tokens', count });
  }

  async stop(): Promise<void> {
    if (this.#child.exitCode !== null) return;
    const exited = new Promise<void>((resolve) => this.#child.once('exit', () => resolve()));
    await this.#ask({ kind: 'stop' }).catch(() => undefined);
    const timer = setTimeout(() => this.#child.kill(), 5_000);
    await exited;
    clearTimeout(timer);
  }
}
