// Bench child: a bare oidc-provider (the version Care Identity uses) with its own in-memory adapter,
// development interactions and one private_key_jwt client: the engine's floor. Signing keys (one
// RSA, one P-256, as Care Identity holds), cookie keys and TTLs are given so that it does not run on
// development keys and issues tokens as long-lived as Care Identity's; it still warns, on purpose,
// about the development interactions and default account model it keeps.
//
// The in-memory adapter keeps its records in an LRU of 1 000 entries, which would evict the codes
// minted for a run long before they are used; the bench hands the same adapter class a store large
// enough for a run (see docs/benchmarks.md).
import { generateKeyPairSync } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import Provider, { type Adapter, type Configuration } from 'oidc-provider';
import { EngineMint } from './mint.ts';
import { childSetup, serveParent } from './protocol.ts';

const CLIENT_ID = 'bench-client';
const REDIRECT_URI = 'https://rp.bench.example/callback';
const SCOPE = 'openid';
const STORE_ENTRIES = 10_000_000;

interface MemoryAdapterClass {
  new (model: string, store: unknown, clockTolerance: number): Adapter;
}
interface LruClass {
  new (options: { maxSize: number }): unknown;
}

// Deep imports of the engine's own classes (untyped JavaScript, so imported by a computed name).
const engineModule = async <T>(path: string): Promise<T> =>
  ((await import(`oidc-provider/lib/${path}`)) as { default: T }).default;
const MemoryAdapter = await engineModule<MemoryAdapterClass>('adapters/memory_adapter.js');
const Lru = await engineModule<LruClass>('helpers/lru.js');

const setup = childSetup();
const store = new Lru({ maxSize: STORE_ENTRIES });
const signingKeys = [
  generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'jwk' }),
  generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'jwk' }),
];

const server = createServer();
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

const configuration: Configuration = {
  adapter: (model: string) => new MemoryAdapter(model, store, 0),
  clients: [
    {
      client_id: CLIENT_ID,
      redirect_uris: [REDIRECT_URI],
      token_endpoint_auth_method: 'private_key_jwt',
      token_endpoint_auth_signing_alg: setup.alg,
      jwks: { keys: [setup.publicJwk as never] },
      grant_types: ['authorization_code'],
      response_types: ['code'],
    },
  ],
  jwks: { keys: signingKeys as never[] },
  cookies: { keys: ['bench cookie key that is at least thirty-two characters'] },
  ttl: {
    AccessToken: 3600,
    AuthorizationCode: 600,
    IdToken: 3600,
    Session: 12 * 3600,
    Grant: 12 * 3600,
  },
};
const provider = new Provider(issuer, configuration);
server.on('request', provider.callback());

const sessionTtl = 12 * 3600;
serveParent(
  { issuer, clientId: CLIENT_ID, redirectUri: REDIRECT_URI, scope: SCOPE, idTokenClaims: ['sub'] },
  new EngineMint(provider, {
    accountId: 'bench-account',
    clientId: CLIENT_ID,
    redirectUri: REDIRECT_URI,
    scope: SCOPE,
    includeSid: false,
    sessionTtl,
    codesPerSignIn: 1,
  }),
  async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  },
);
