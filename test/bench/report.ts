// Prints what a run measured: one line per measurement as it finishes, the final tables (figures,
// then Care Identity / bare ratios), and every reason the run is not valid.
import type { Measurement } from './measure.ts';

const MiB = 1024 * 1024;

const number = (value: number, digits = 0) =>
  value.toLocaleString('en-GB', { minimumFractionDigits: digits, maximumFractionDigits: digits });
const ms = (value: number) => (value < 10 ? number(value, 1) : number(value));
const ratio = (a: number, b: number | undefined) => (b ? `${number(a / b, 2)}×` : '');

/** Server CPU time per request, in ms (all its threads: the event loop, crypto pool, GC). */
const cpuPerRequest = (m: Measurement) => (m.serverCores * 1000) / m.load.requestsPerSecond;

/** Failed requests of any kind: connection errors, timeouts, non-2xx answers. */
export function failures(m: Measurement): number {
  return m.load.errors + m.load.non2xx;
}

export function progressLine(m: Measurement): string {
  const { load } = m;
  const codes =
    m.codesMinted === undefined
      ? ''
      : `; ${number(m.codesMinted)} codes minted and assertions signed in ${number(m.mintSeconds ?? 0, 1)} s`;
  return (
    `  ${m.server} ${m.endpoint}: ${number(load.requestsPerSecond)} req/s, p50 ${ms(load.p50)} ms, ` +
    `p99 ${ms(load.p99)} ms, ${failures(m)} failed, peak RSS ${number(m.peakRssBytes / MiB)} MiB, ` +
    `CPU: server ${number(m.serverCores, 2)} cores (${number(cpuPerRequest(m), 2)} ms/request), ` +
    `load generator ${number(m.generatorCores, 2)}, other processes ${number(m.otherCores, 2)}${codes}`
  );
}

function markdown(header: string[], rows: string[][], leftColumns: number): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const pad = (cell: string, i: number) =>
    i < leftColumns ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!);
  const line = (cells: string[]) => `| ${cells.map(pad).join(' | ')} |`;
  const dashes = (w: number, i: number) =>
    i < leftColumns ? `:${'-'.repeat(w + 1)}` : `${'-'.repeat(w + 1)}:`;
  const rule = widths.map(dashes);
  return [line(header), `|${rule.join('|')}|`, ...rows.map(line)];
}

/** Every measurement: throughput, latency, failures, memory, and the CPU behind them. */
export function table(measurements: Measurement[]): string[] {
  const header = [
    'endpoint',
    'server',
    'req/s',
    'p50 ms',
    'p99 ms',
    'errors',
    'non-2xx',
    'peak RSS MiB',
    'server CPU ms/req',
    'other procs (cores)',
  ];
  const rows = measurements.map((m) => [
    m.endpoint,
    m.server,
    number(m.load.requestsPerSecond),
    ms(m.load.p50),
    ms(m.load.p99),
    number(m.load.errors),
    number(m.load.non2xx),
    `${number(m.peakRssBytes / MiB)}${m.peakIsPerRun ? '' : '*'}`,
    number(cpuPerRequest(m), 2),
    number(m.otherCores, 2),
  ]);
  const footnote = measurements.some((m) => !m.peakIsPerRun)
    ? ['* lifetime peak of the process (the kernel refused to reset it before the run)']
    : [];
  return [...markdown(header, rows, 2), ...footnote];
}

/** Each Care Identity measurement divided by the bare engine's on the same endpoint. */
export function ratioTable(measurements: Measurement[], bareName: string): string[] {
  const header = ['endpoint', 'Care Identity / bare', 'req/s', 'p50', 'p99', 'peak RSS', 'CPU per request'];
  const rows: string[][] = [];
  for (const m of measurements) {
    const bare = measurements.find((b) => b.endpoint === m.endpoint && b.server === bareName);
    if (!bare || m === bare) continue;
    rows.push([
      m.endpoint,
      m.server,
      ratio(m.load.requestsPerSecond, bare.load.requestsPerSecond),
      ratio(m.load.p50, bare.load.p50),
      ratio(m.load.p99, bare.load.p99),
      ratio(m.peakRssBytes, bare.peakRssBytes),
      ratio(cpuPerRequest(m), cpuPerRequest(bare)),
    ]);
  }
  return markdown(header, rows, 2);
}

/** Why the run is not valid, one line each; empty when every request succeeded. */
export function problems(measurements: Measurement[]): string[] {
  const found: string[] = [];
  for (const m of measurements) {
    const { load } = m;
    if (failures(m) > 0) {
      const codes = Object.entries(load.statusCodes)
        .filter(([status]) => !status.startsWith('2'))
        .map(([status, count]) => `${count}× ${status}`)
        .join(', ');
      found.push(
        `${m.server} ${m.endpoint}: ${load.errors} errors (${load.timeouts} timeouts), ` +
          `${load.non2xx} non-2xx${codes ? ` (${codes})` : ''}`,
      );
    }
    if (load.ranOut) found.push(`${m.server} ${m.endpoint}: ran out of codes before the time was up`);
  }
  return found;
}

/** CPU other processes may use during a row before its figures are flagged as disturbed. */
const NOISE_CORES = 0.25;

/** Rows other processes disturbed: their throughput is understated and latency overstated. */
export function disturbed(measurements: Measurement[]): string[] {
  return measurements
    .filter((m) => m.otherCores > NOISE_CORES)
    .map(
      (m) =>
        `${m.server} ${m.endpoint}: other processes used ${number(m.otherCores, 2)} cores` +
        (m.server.includes('PostgreSQL') ? ' (the PostgreSQL server among them)' : ''),
    );
}
