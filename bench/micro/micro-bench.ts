/**
 * What every micro suite shares: the tinybench settings, turning a task's statistics into a
 * result entry, the human table, and the result line the orchestrator reads.
 *
 * Rates are 1000 / mean latency, not tinybench's throughput.mean: the mean of per-sample rates
 * overstates the rate whenever samples vary.
 */
import { Bench, type Task } from 'tinybench';
import { emitResult } from '../lib/result.js';

export interface MicroTask {
  name: string;
  opsPerSec: number;
  /** Mean time per op (per `unit`), in microseconds. */
  meanUs: number;
  /** 99th percentile of the measured samples, divided like meanUs when an op is amortized over several units. */
  p99Us: number;
  samples: number;
  unit?: string;
}

export interface MicroResult {
  suite: string;
  tasks: MicroTask[];
  /** Counts and ratios that are not rates (share decoded, deliveries received...). */
  notes?: Record<string, number | string>;
}

/** `--quick` shortens every task, for smoke runs; numbers from it are noisier. */
export const quick = process.argv.includes('--quick');

/** About 0.5 s of samples per task after a short warmup, as the suites' 2-4 s budget needs. */
export function newBench(overrides: { time?: number; iterations?: number; warmupTime?: number } = {}): Bench {
  return new Bench({
    time: overrides.time ?? (quick ? 150 : 500),
    warmupTime: overrides.warmupTime ?? (quick ? 50 : 150),
    iterations: overrides.iterations ?? 16,
    warmup: true,
    // A task that throws must fail the suite, not report a rate for nothing.
    throws: true,
  });
}

/**
 * One result entry from a task whose every call does `perOp` units of work (a pass over N frames,
 * a batch of 512 rows): rates and times are per unit.
 */
export function entry(task: Task, unit: string, perOp = 1, name = task.name): MicroTask {
  const r = task.result;
  if (r.state !== 'completed') throw new Error(`bench task "${task.name}" ended in state ${r.state}`);
  const meanMs = r.latency.mean;
  return {
    name,
    opsPerSec: meanMs > 0 ? (1000 / meanMs) * perOp : 0,
    meanUs: (meanMs * 1000) / perOp,
    p99Us: (r.latency.p99 * 1000) / perOp,
    samples: r.latency.samplesCount,
    unit,
  };
}

function fmt(n: number): string {
  if (n >= 100 || Number.isInteger(n)) return Math.round(n).toLocaleString('en-US');
  return n.toPrecision(3);
}

export function printTable(title: string, tasks: readonly MicroTask[]): void {
  const rows = tasks.map((t) => [t.name, fmt(t.opsPerSec), `/s per ${t.unit ?? 'op'}`, fmt(t.meanUs), fmt(t.p99Us), String(t.samples)]);
  const head = ['task', 'ops/s', 'unit', 'mean µs', 'p99 µs', 'samples'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: readonly string[]): string =>
    cells.map((c, i) => (i === 0 || i === 2 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  process.stdout.write(`\n${title}${quick ? ' (--quick)' : ''}\n${line(head)}\n${widths.map((w) => '-'.repeat(w)).join('  ')}\n`);
  for (const r of rows) process.stdout.write(`${line(r)}\n`);
}

/** Prints the table and the notes, then the result line (always last). */
export function finish(result: MicroResult): void {
  printTable(result.suite, result.tasks);
  for (const [k, v] of Object.entries(result.notes ?? {})) process.stdout.write(`  ${k}: ${typeof v === 'number' ? fmt(v) : v}\n`);
  emitResult(result);
}
