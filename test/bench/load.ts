// The load generator: autocannon (programmatic), one endpoint at a time, keep-alive connections,
// no pipelining. Each request is drawn from a supply the caller prepared before the run.
import { createRequire } from 'node:module';

export interface HttpRequest {
  method: 'GET' | 'POST';
  path: string;
  headers: Record<string, string>;
  body?: string;
}

export interface LoadOptions {
  origin: string;
  connections: number;
  durationSeconds: number;
  /** The next request to send; undefined once the supply has run out (the run then stops). */
  next(): HttpRequest | undefined;
}

export interface LoadResult {
  requestsPerSecond: number;
  /** The busiest one-second sample. */
  peakPerSecond: number;
  completed: number;
  durationSeconds: number;
  p50: number;
  p99: number;
  errors: number;
  timeouts: number;
  non2xx: number;
  statusCodes: Record<string, number>;
  /** The supply ran out before the time was up: the figures are not a full run. */
  ranOut: boolean;
}

// The parts of autocannon 9 used here (it ships no type declarations).
interface AutocannonRequest extends Partial<HttpRequest> {
  setupRequest?(request: HttpRequest): HttpRequest;
}
interface AutocannonResult {
  requests: { average: number; max: number; total: number };
  latency: { p50: number; p99: number };
  duration: number;
  errors: number;
  timeouts: number;
  non2xx: number;
  statusCodeStats: Record<string, { count: number }>;
}
interface AutocannonInstance extends PromiseLike<AutocannonResult> {
  stop(): void;
}
type Autocannon = (options: {
  url: string;
  connections: number;
  duration: number;
  pipelining: number;
  requests: AutocannonRequest[];
}) => AutocannonInstance;

const autocannon = createRequire(import.meta.url)('autocannon') as Autocannon;

export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  let ranOut = false;
  let last: HttpRequest | undefined;
  const instance = autocannon({
    url: options.origin,
    connections: options.connections,
    duration: options.durationSeconds,
    pipelining: 1,
    requests: [
      {
        setupRequest(defaults) {
          const request = options.next();
          if (!request && !ranOut) {
            ranOut = true;
            instance.stop();
          }
          last = request ?? last;
          // After running out, repeat the last request until autocannon stops (within a second).
          return { ...defaults, ...last!, headers: { ...last!.headers } };
        },
      },
    ],
  });
  const result = await instance;
  return {
    requestsPerSecond: result.requests.average,
    peakPerSecond: result.requests.max,
    completed: result.requests.total,
    durationSeconds: result.duration,
    p50: result.latency.p50,
    p99: result.latency.p99,
    errors: result.errors,
    timeouts: result.timeouts,
    non2xx: result.non2xx,
    statusCodes: Object.fromEntries(Object.entries(result.statusCodeStats).map(([k, v]) => [k, v.count])),
    ranOut,
  };
}
