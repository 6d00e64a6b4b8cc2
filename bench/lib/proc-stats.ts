/** CPU and memory of a process (all its threads) from /proc, as Linux accounts them. */
import { readFileSync } from 'node:fs';

const TICKS_PER_SECOND = 100; // USER_HZ on Linux

/** utime + stime, in seconds, from a /proc `stat` file (a process's or one thread's). */
function statCpuSeconds(path: string): number {
  const stat = readFileSync(path, 'utf8');
  // Fields after the command name (which may hold spaces) start after the last ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  return (utime + stime) / TICKS_PER_SECOND;
}

/** User + system CPU seconds used so far by every thread of `pid`. */
export function cpuSeconds(pid: number): number {
  return statCpuSeconds(`/proc/${pid}/stat`);
}

/** User + system CPU seconds used so far by thread `tid` of `pid` (the main thread's tid is the pid). */
export function threadCpuSeconds(pid: number, tid: number): number {
  return statCpuSeconds(`/proc/${pid}/task/${tid}/stat`);
}

export interface MemoryMb {
  rss: number;
  /** Peak RSS since the process started (VmHWM). */
  peakRss: number;
}

export function memoryMb(pid: number): MemoryMb {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (key: string): number => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
  return { rss: kb('VmRSS') / 1024, peakRss: kb('VmHWM') / 1024 };
}
