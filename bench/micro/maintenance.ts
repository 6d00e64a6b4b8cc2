/**
 * Background maintenance on a real database: 300,000 corpus messages (60,000 with --quick)
 * written through the real MessageWriter in batches of 512 (FTS included), their msg_time spread
 * evenly over 14 days, 1% alert-matched. Then, on one copy, the scheduler alone: pruning the
 * older half by age (DB_SAVE_DAYS=7), the full-text merge that the deletes call for, and the
 * incremental vacuum of the freed pages, each measured per slice (budget 20 ms): the longest
 * slice is what a batch waits for at worst. On a second copy, the engine's way: one batch of
 * 512 rows, then one slice, until maintenance has nothing left, against the same batches with
 * no maintenance: the batch commit latency and the longest gap between two batches.
 */
import { copyFileSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MessageWriter } from '../../src/store/message-writer.js';
import { migrateToLatest } from '../../src/store/migrate.js';
import { openWriterDatabase, type Db } from '../../src/store/open-database.js';
import { databaseSize } from '../../src/store/maintenance/database-size.js';
import { readFtsStructure } from '../../src/store/maintenance/fts-structure.js';
import { Maintenance } from '../../src/store/maintenance/maintenance.js';
import type { MaintenanceJob, SliceResult } from '../../src/store/maintenance/maintenance-options.js';
import { checkpointAndTruncate } from '../../src/store/maintenance/wal-checkpoint.js';
import { finish, quick, type MicroTask } from './micro-bench.js';
import { decodedRowBatches } from './inputs.js';

const MESSAGES = quick ? 60_000 : 300_000;
const ROWS = 512;
const SPAN_DAYS = 14;
const BUDGET_MS = 20;
const DAY_S = 86_400;

function percentile(sorted: readonly number[], p: number): number {
  return sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]! : 0;
}

const round = (n: number, d = 2): number => Number(n.toFixed(d));

const dir = mkdtempSync(join(tmpdir(), 'contrail-bench-maintenance-'));
const dbs: Db[] = [];
try {
  const batches = decodedRowBatches(ROWS, 8);
  const sources = [{ descriptor: 'bench', type: null }];
  let journal = 0;

  // Build once, copy for the second run.
  const built = join(dir, 'built.sqlite');
  const setupStarted = performance.now();
  {
    const db = openWriterDatabase(built);
    await migrateToLatest(db);
    const writer = new MessageWriter(db, sources);
    for (let k = 0; k * ROWS < MESSAGES; k++) writer.writeBatch(batches[k % batches.length]!, (journal += 300_000));
    const maxId = db.prepare<[], number>('SELECT max(id) FROM messages').pluck().get()!;
    // msg_time from 14 days ago to now, in id order (the FTS triggers do not watch msg_time).
    db.prepare('UPDATE messages SET msg_time = ? + id * ?').run(Date.now() / 1000 - SPAN_DAYS * DAY_S, (SPAN_DAYS * DAY_S) / maxId);
    db.exec("INSERT INTO alert_matches (message_id, term, field, matched_at) SELECT id, 'BENCH', 'text', msg_time FROM messages WHERE id % 100 = 0");
    checkpointAndTruncate(db);
    db.close();
  }
  const setupS = (performance.now() - setupStarted) / 1000;
  const copy = join(dir, 'interleaved.sqlite');
  copyFileSync(built, copy);

  const open = (path: string): Db => {
    const db = openWriterDatabase(path);
    dbs.push(db);
    return db;
  };
  // Short check intervals: the run ends when nothing has been due for QUIET_MS.
  const options = { saveDays: 7, alertSaveDays: 120, maxBytes: 0, vacuumCheckIntervalMs: 50, walCheckIntervalMs: 50, vacuumStartPages: 1024, vacuumKeepPages: 256 };
  const QUIET_MS = 500;
  const MAX_BATCHES = quick ? 1000 : 3000;

  // 1. The scheduler alone.
  const db = open(built);
  const sizeBefore = databaseSize(db);
  const fileBefore = statSync(built).size;
  const ftsBefore = readFtsStructure(db);
  const m = new Maintenance(db, options);
  // Each slice with its CPU time: on a busy machine wall time also counts time spent waiting.
  const slices = new Map<MaintenanceJob, (SliceResult & { cpuMs: number })[]>();
  const wallStarted = performance.now();
  for (let lastWork = performance.now(); performance.now() - lastWork < QUIET_MS; ) {
    const cpu0 = process.cpuUsage();
    const r = m.runSlice(BUDGET_MS);
    const cpu = process.cpuUsage(cpu0);
    if (!r.job) continue;
    lastWork = performance.now();
    let list = slices.get(r.job);
    if (!list) slices.set(r.job, (list = []));
    list.push({ ...r, cpuMs: (cpu.user + cpu.system) / 1000 });
  }
  const wallS = (performance.now() - wallStarted) / 1000;
  const ftsAfter = readFtsStructure(db);
  const sizeAfter = databaseSize(db);
  checkpointAndTruncate(db);
  const fileAfter = statSync(built).size;
  const counters = m.counters;

  const tasks: MicroTask[] = [];
  const notes: Record<string, number | string> = {
    messages: MESSAGES,
    'setup (write, spread, index) s': round(setupS, 1),
    'slice budget ms': BUDGET_MS,
  };
  const jobUnits: Partial<Record<MaintenanceJob, string>> = { 'prune-age': 'message deleted', 'fts-merge': 'FTS leaf page merged', 'incremental-vacuum': 'page vacuumed', 'wal-checkpoint': 'WAL frame copied' };
  for (const [job, list] of slices) {
    const ms = list.map((r) => r.ms).sort((a, b) => a - b);
    const totalMs = ms.reduce((a, b) => a + b, 0);
    const units = list.reduce((a, r) => a + r.units, 0);
    tasks.push({ name: `${job}: one slice`, opsPerSec: totalMs > 0 ? (1000 * list.length) / totalMs : 0, meanUs: (1000 * totalMs) / list.length, p99Us: 1000 * percentile(ms, 0.99), samples: list.length, unit: 'slice' });
    if (units > 0) tasks.push({ name: `${job}: throughput`, opsPerSec: (1000 * units) / totalMs, meanUs: (1000 * totalMs) / units, p99Us: (1000 * totalMs) / units, samples: list.length, unit: jobUnits[job] ?? 'unit' });
    notes[`${job}: slices`] = list.length;
    notes[`${job}: longest slice ms`] = round(ms[ms.length - 1] ?? 0);
    notes[`${job}: p99 slice ms`] = round(percentile(ms, 0.99));
    const cpu = list.map((r) => r.cpuMs).sort((a, b) => a - b);
    notes[`${job}: longest slice CPU ms`] = round(cpu[cpu.length - 1] ?? 0);
    notes[`${job}: p99 slice CPU ms`] = round(percentile(cpu, 0.99));
    notes[`${job}: total slice time s`] = round(totalMs / 1000);
  }
  Object.assign(notes, {
    'messages pruned by age': counters.prunedMessages.age + counters.prunedMessages.alertAge,
    'FTS segments before -> after': `${ftsBefore.segmentCount} -> ${ftsAfter.segmentCount}`,
    'FTS leaf pages before -> after': `${ftsBefore.leafPages} -> ${ftsAfter.leafPages}`,
    'full FTS merges': counters.ftsFullMerges,
    'pages vacuumed': counters.vacuumedPages,
    'used MiB before -> after': `${round(sizeBefore.usedBytes / 2 ** 20, 1)} -> ${round(sizeAfter.usedBytes / 2 ** 20, 1)}`,
    'file MiB before -> after': `${round(fileBefore / 2 ** 20, 1)} -> ${round(fileAfter / 2 ** 20, 1)}`,
    'all maintenance, wall s (incl. the quiet period)': round(wallS, 2),
    'longest slice of any job ms': round(counters.maxSliceMs),
  });

  // 2. The engine's way: batch, slice, batch, slice... against batches alone.
  const idb = open(copy);
  const writer = new MessageWriter(idb, sources);
  const setTime = idb.prepare('UPDATE messages SET msg_time = ? WHERE id BETWEEN ? AND ?');
  let k = 0;
  const write = (): number => {
    const t0 = performance.now();
    const o = writer.writeBatch(batches[k++ % batches.length]!, (journal += 300_000));
    const ms = performance.now() - t0;
    // New messages are new: the corpus's own times are older than DB_SAVE_DAYS (untimed).
    setTime.run(Date.now() / 1000, o.firstId, o.lastId);
    return ms;
  };
  const alone: number[] = [];
  for (let i = 0; i < (quick ? 100 : 300); i++) alone.push(write());
  const im = new Maintenance(idb, options);
  const withMaintenance: number[] = [];
  const gaps: number[] = [];
  // New batches keep level merges busy for ever: run until the backlog is done (the old half
  // pruned, a full merge after it, the free pages vacuumed or reused by the new batches), or
  // MAX_BATCHES.
  const backlogDone = (): boolean => {
    const c = im.counters;
    return c.prunedMessages.age > 0 && c.ftsFullMerges > 0 && vacuumQuiet >= 50 && databaseSize(idb).freelistPages <= options.vacuumStartPages;
  };
  let vacuumQuiet = 0;
  for (let n = 0; n < MAX_BATCHES && !backlogDone(); n++) {
    withMaintenance.push(write());
    const r = im.runSlice(BUDGET_MS);
    gaps.push(r.ms);
    vacuumQuiet = r.job === 'incremental-vacuum' || r.job === 'prune-age' ? 0 : vacuumQuiet + 1;
  }
  const sorted = (a: number[]): number[] => [...a].sort((x, y) => x - y);
  const a = sorted(alone);
  const w = sorted(withMaintenance);
  const g = sorted(gaps);
  const mean = (xs: number[]): number => xs.reduce((s, x) => s + x, 0) / Math.max(1, xs.length);
  tasks.push({ name: `writeBatch ${ROWS} rows, no maintenance`, opsPerSec: 1000 / mean(a), meanUs: 1000 * mean(a), p99Us: 1000 * percentile(a, 0.99), samples: a.length, unit: `batch of ${ROWS}` });
  tasks.push({ name: `writeBatch ${ROWS} rows, a slice after each`, opsPerSec: 1000 / mean(w), meanUs: 1000 * mean(w), p99Us: 1000 * percentile(w, 0.99), samples: w.length, unit: `batch of ${ROWS}` });
  tasks.push({ name: 'slice between two batches', opsPerSec: 1000 / mean(g), meanUs: 1000 * mean(g), p99Us: 1000 * percentile(g, 0.99), samples: g.length, unit: 'slice' });
  Object.assign(notes, {
    'interleaved: batches written until the backlog was done': w.length,
    'interleaved: backlog done': String(backlogDone()),
    'interleaved: FTS merge slices': im.counters.slices['fts-merge'],
    'interleaved: full FTS merges': im.counters.ftsFullMerges,
    'interleaved: pages vacuumed': im.counters.vacuumedPages,
    'interleaved: batch latency p50 / p99 / max ms': `${round(percentile(w, 0.5))} / ${round(percentile(w, 0.99))} / ${round(w[w.length - 1] ?? 0)}`,
    'alone: batch latency p50 / p99 / max ms': `${round(percentile(a, 0.5))} / ${round(percentile(a, 0.99))} / ${round(a[a.length - 1] ?? 0)}`,
    'interleaved: longest wait between batches (slice) ms': round(g[g.length - 1] ?? 0),
    'interleaved: messages pruned': im.counters.prunedMessages.age + im.counters.prunedMessages.alertAge,
  });
  finish({ suite: 'maintenance', tasks, notes });
} finally {
  for (const db of dbs) if (db.open) db.close();
  rmSync(dir, { recursive: true, force: true });
}
