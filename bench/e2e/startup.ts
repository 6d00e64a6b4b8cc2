/**
 * Start-up time: from spawning `contrail serve` to its "contrail ready" line (database open and
 * migrated, workers up, every listener bound), on an empty data dir and on a database holding
 * one million messages. Median of three starts each.
 */
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { startEngine } from '../lib/engine-process.js';
import { emitResult } from '../lib/result.js';
import { millionDatabase } from '../reference/million-db.js';

const { values } = parseArgs({ options: { runs: { type: 'string', default: '3' } } });
const RUNS = Number(values.runs);
const ENV = { ENABLE_ACARS: '1', ACARS_CONNECTIONS: 'udp://127.0.0.1:0' };

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

async function timeStart(dataDir?: string): Promise<number> {
  const engine = await startEngine(ENV, 120_000, dataDir);
  const ms = engine.startupMs;
  await engine.stop();
  if (!dataDir) engine.cleanup();
  return ms;
}

const empty: number[] = [];
for (let k = 0; k < RUNS; k++) empty.push(await timeStart());
process.stdout.write(`start-up, empty database: ${empty.map((x) => x.toFixed(0)).join(', ')} ms\n`);

const source = await millionDatabase();
const dir = mkdtempSync(join(tmpdir(), 'contrail-startup-'));
const million: number[] = [];
try {
  copyFileSync(source, join(dir, 'contrail.sqlite'));
  for (let k = 0; k < RUNS; k++) million.push(await timeStart(dir));
} finally {
  rmSync(dir, { recursive: true, force: true });
}
process.stdout.write(`start-up, 1M messages: ${million.map((x) => x.toFixed(0)).join(', ')} ms\n`);

emitResult({ emptyMs: Math.round(median(empty)), millionMs: Math.round(median(million)), emptyRunsMs: empty.map(Math.round), millionRunsMs: million.map(Math.round) });
