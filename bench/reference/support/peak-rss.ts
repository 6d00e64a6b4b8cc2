/**
 * Peak RSS of this process over a stretch of work, from Linux's high-water mark: writing 5 to
 * /proc/self/clear_refs resets VmHWM to the current RSS, so VmHWM afterwards is the peak since.
 * It catches what sampling cannot: a synchronous call's peak (SQLite runs on this thread), and
 * short peaks between samples. Where the kernel refuses the reset, the RSS after the work stands in.
 */
import { writeFileSync } from 'node:fs';
import { memoryMb } from '../../lib/proc-stats.js';

const MB = 2 ** 20;

let resettable: boolean | null = null;

/** Resets the high-water mark; false when this kernel (or container) does not allow it. */
function resetPeakRss(): boolean {
  if (resettable === false) return false;
  try {
    writeFileSync('/proc/self/clear_refs', '5');
    resettable = true;
  } catch {
    resettable = false;
  }
  return resettable;
}

/** How `peakRssSince` measures: the true peak, or the RSS after the work (no reset possible). */
export function peakRssKind(): 'peak' | 'after' {
  return resettable === false ? 'after' : 'peak';
}

/**
 * Runs `work` and returns the RSS it added at its peak over the RSS before it (bytes; may be
 * negative only in the 'after' fallback, when memory was given back meanwhile).
 */
export async function peakRssSince<T>(work: () => Promise<T>): Promise<{ result: T; deltaBytes: number }> {
  const ok = resetPeakRss();
  const before = process.memoryUsage.rss();
  const result = await work();
  const after = ok ? memoryMb(process.pid).peakRss * MB : process.memoryUsage.rss();
  return { result, deltaBytes: after - before };
}
