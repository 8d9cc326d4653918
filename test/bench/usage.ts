// What a server process used, read by the parent from Linux's /proc: the peak resident set
// (VmHWM) since the last reset, so each measurement reports its own peak rather than the
// process's; and CPU time, so a run can say how much of the machine the server had.
import { readFileSync, writeFileSync } from 'node:fs';

/** Starts a new peak from the current RSS; false when the kernel does not allow it. */
export function resetPeakRss(pid: number): boolean {
  try {
    writeFileSync(`/proc/${pid}/clear_refs`, '5');
    return true;
  } catch {
    return false;
  }
}

/** Peak resident set size in bytes since the last reset (or since the process started). */
export function peakRss(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const match = /^VmHWM:\s+(\d+) kB/m.exec(status);
  if (!match) throw new Error(`no VmHWM in /proc/${pid}/status`);
  return Number(match[1]) * 1024;
}

/** User + system CPU seconds the process has used so far. */
export function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name (which may hold spaces) start at the last ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticksPerSecond = 100;
  return (Number(fields[11]) + Number(fields[12])) / ticksPerSecond;
}

/** Busy CPU seconds of the whole machine so far (every core, every process), from /proc/stat. */
export function machineBusySeconds(): number {
  const line = readFileSync('/proc/stat', 'utf8').split('\n')[0]!;
  // cpu user nice system idle iowait irq softirq steal ...
  const [user, nice, system, , , irq, softirq, steal] = line.trim().split(/\s+/).slice(1).map(Number);
  return (user! + nice! + system! + irq! + softirq! + steal!) / 100;
}

/** Resident set size in bytes now. */
export function currentRss(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const match = /^VmRSS:\s+(\d+) kB/m.exec(status);
  if (!match) throw new Error(`no VmRSS in /proc/${pid}/status`);
  return Number(match[1]) * 1024;
}

export interface Usage {
  /** Peak RSS in bytes over the window. */
  peakRssBytes: number;
  /** False when the kernel refused to reset the peak: it is then the process's lifetime peak. */
  peakIsPerRun: boolean;
  /** CPU the server and the load generator (this process) used, in cores (CPU seconds per second). */
  serverCores: number;
  generatorCores: number;
  /** CPU every other process on the machine used meanwhile, in cores: noise when well above 0. */
  otherCores: number;
}

/** Watches a server process (and this one, the load generator) from now until `end()`. */
export function watchUsage(pid: number): { end(): Usage } {
  const peakIsPerRun = resetPeakRss(pid);
  const started = performance.now();
  const server = cpuSeconds(pid);
  const generator = process.cpuUsage();
  const machine = machineBusySeconds();
  return {
    end() {
      const seconds = (performance.now() - started) / 1000;
      const machineUsed = machineBusySeconds() - machine;
      const generatorUsage = process.cpuUsage(generator);
      const generatorUsed = (generatorUsage.user + generatorUsage.system) / 1e6;
      const serverUsed = cpuSeconds(pid) - server;
      return {
        peakRssBytes: peakRss(pid),
        peakIsPerRun,
        serverCores: serverUsed / seconds,
        generatorCores: generatorUsed / seconds,
        otherCores: Math.max(0, machineUsed - serverUsed - generatorUsed) / seconds,
      };
    },
  };
}
