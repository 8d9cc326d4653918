// One measurement: warm up, prepare the supply for a fixed-length run, run it while watching the
// server's memory and CPU. Code exchanges are sized from the warm-up's rate with head-room; a run
// that still runs out of codes is repeated once with twice as many.
import type { RelyingPartyKey } from './client-assertions.ts';
import {
  discoveryRequest,
  type Endpoint,
  type ServerEndpoints,
  Supply,
  tokenRequests,
  userinfoRequests,
} from './endpoints.ts';
import { type LoadResult, runLoad } from './load.ts';
import type { ServerProcess } from './protocol.ts';
import { type Usage, watchUsage } from './usage.ts';

export interface Settings {
  connections: number;
  durationSeconds: number;
  warmupSeconds: number;
  key: RelyingPartyKey;
}

export interface Measurement extends Usage {
  server: string;
  endpoint: Endpoint;
  load: LoadResult;
  /** Token endpoint: codes minted and assertions signed for the measured run, and the time it took. */
  codesMinted?: number;
  mintSeconds?: number;
}

/** Codes minted for the warm-up, per second of it, before the server's rate is known. */
const WARMUP_CODES_PER_SECOND = 800;
/** Codes for a run: its length at the busiest second seen so far, times this, plus a margin. */
const HEADROOM = 2;
const USERINFO_TOKENS = 200;

async function supply(
  server: ServerProcess,
  paths: ServerEndpoints,
  endpoint: Endpoint,
  settings: Settings,
  codes: number,
): Promise<Supply> {
  if (endpoint === 'token') return new Supply(await tokenRequests(server, paths, settings.key, codes));
  if (endpoint === 'userinfo')
    return new Supply(await userinfoRequests(server, paths, USERINFO_TOKENS), true);
  return new Supply([discoveryRequest(paths)], true);
}

export async function measure(
  server: ServerProcess,
  paths: ServerEndpoints,
  endpoint: Endpoint,
  settings: Settings,
): Promise<Measurement> {
  const { connections, durationSeconds, warmupSeconds } = settings;
  const load = (requests: Supply, seconds: number) =>
    runLoad({ origin: paths.origin, connections, durationSeconds: seconds, next: () => requests.next() });

  const warmupCodes = Math.ceil(WARMUP_CODES_PER_SECOND * warmupSeconds);
  const warm = await load(await supply(server, paths, endpoint, settings, warmupCodes), warmupSeconds);
  let rate = warm.peakPerSecond;

  for (let attempt = 1; ; attempt += 1) {
    const codes = Math.ceil(rate * durationSeconds * HEADROOM) + 4 * connections;
    const minting = performance.now();
    const requests = await supply(server, paths, endpoint, settings, codes);
    const mintSeconds = (performance.now() - minting) / 1000;
    const usage = watchUsage(server.pid);
    const result = await load(requests, durationSeconds);
    const measurement: Measurement = {
      server: server.name,
      endpoint,
      load: result,
      ...usage.end(),
      ...(endpoint === 'token' ? { codesMinted: requests.size, mintSeconds } : {}),
    };
    if (!result.ranOut || attempt === 2) return measurement;
    console.log(`  ${server.name} ${endpoint}: ran out of codes after ${result.completed}; again with more`);
    rate = 2 * Math.max(rate, result.peakPerSecond);
  }
}
