/**
 * A Contrail database holding 1,000,000 messages, for the start-up benchmark. Built once per
 * schema (the file name carries the newest migration's name) into bench/.cache and reused.
 *
 *   node dist/bench/reference/million-db.js [--rebuild]
 *
 * Identical in content to one that ingested normally: rows go through the real MessageWriter,
 * in large batches, so the messages, their full-text index, and the level, frequency and
 * minute-counter tables are all filled as live ingest fills them.
 */
import { copyFileSync, existsSync, mkdirSync, readdirSync, realpathSync, renameSync, rmSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { MIGRATIONS } from '../../migrations/index.js';
import { DECODER_TYPES } from '../../src/decode/message.js';
import { DEFAULT_INTEL, MessageWriter } from '../../src/store/message-writer.js';
import { migrateToLatest } from '../../src/store/migrate.js';
import { openWriterDatabase } from '../../src/store/open-database.js';
import { cacheDir } from '../lib/paths.js';
import { emitResult } from '../lib/result.js';
import { decodeCorpusRows, packRetimed } from './support/corpus-rows.js';
import { checkFts } from './support/fts-check.js';

export const MILLION = 1_000_000;
const BATCH = 10_000;
const STATIONS = 50;
const SPAN_S = 7 * 24 * 3600;

export interface MillionDbResult {
  path: string;
  messages: number;
  bytes: number;
  buildSeconds: number;
  /** True when an existing file was reused and nothing was built. */
  reused: boolean;
}

function latestMigration(): string {
  const names = Object.keys(MIGRATIONS);
  const last = names[names.length - 1];
  if (last === undefined) throw new Error('no migrations');
  return last;
}

export function millionDatabasePath(): string {
  return join(cacheDir, `million-${latestMigration()}.sqlite`);
}

/** The path of the ready 1M-message database, building it first if the cache has none. */
export async function millionDatabase(): Promise<string> {
  const path = millionDatabasePath();
  if (!existsSync(path)) await buildMillionDatabase(path);
  return path;
}

/** A copy of the cached million database (and its WAL, if any) as `dir`/contrail.sqlite; returns its path. */
export function copyMillion(source: string, dir: string): string {
  const path = join(dir, 'contrail.sqlite');
  copyFileSync(source, path);
  if (existsSync(`${source}-wal`)) copyFileSync(`${source}-wal`, `${path}-wal`);
  return path;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    // EPERM: the process exists but is someone else's.
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Deletes what interrupted builds of `path` left behind: temp names `path.tmp-<pid>` (and their
 * -wal, -shm) whose process is gone. A build still running elsewhere keeps its file.
 */
function removeStaleTemps(path: string): void {
  const prefix = `${basename(path)}.tmp-`;
  for (const f of readdirSync(cacheDir)) {
    if (!f.startsWith(prefix)) continue;
    const pid = Number(/^(\d+)/.exec(f.slice(prefix.length))?.[1]);
    if (Number.isInteger(pid) && pid !== process.pid && alive(pid)) continue;
    rmSync(join(cacheDir, f), { force: true });
  }
}

/** Builds the database into a temp name beside `path` and renames it into place when complete. */
export async function buildMillionDatabase(path: string): Promise<{ messages: number; bytes: number; buildSeconds: number }> {
  const t0 = performance.now();
  mkdirSync(cacheDir, { recursive: true });
  removeStaleTemps(path);
  const tmp = `${path}.tmp-${process.pid}`;
  const db = openWriterDatabase(tmp);
  try {
    await migrateToLatest(db);
    const templates = decodeCorpusRows();
    // Dedup off: the corpus's own repeats (a few seconds apart) would be counted, not stored, and
    // the database would fall short of a million rows.
    const writer = new MessageWriter(
      db,
      DECODER_TYPES.map((type) => ({ descriptor: `bench:${type}`, type })),
      { ...DEFAULT_INTEL, dedupWindowS: 0 },
    );
    // Rows in time order over the last 7 days, as a week of ingest leaves them (id order = time order).
    const start = Date.now() / 1000 - SPAN_S;
    let done = 0;
    let lastReport = t0;
    for (let b = 0; b < MILLION / BATCH; b++) {
      const buffer = packRetimed(templates, b * BATCH, BATCH, (k) => {
        const i = b * BATCH + k;
        return { msgTime: start + (i / MILLION) * SPAN_S, station: `BENCH-${String(((i * 2654435761) % 4294967291) % STATIONS).padStart(2, '0')}` };
      });
      done += writer.writeBatch(buffer, (b + 1) * 1_000_000).stored;
      const now = performance.now();
      if (now - lastReport > 1000 || done === MILLION) {
        lastReport = now;
        process.stderr.write(`million-db: ${done.toLocaleString('en')} rows, ${Math.round(done / ((now - t0) / 1000)).toLocaleString('en')} rows/s\n`);
      }
    }
    checkFts(db, templates);
    const ok = db.pragma('integrity_check', { simple: true });
    if (ok !== 'ok') throw new Error(`integrity_check: ${String(ok)}`);
    const messages = (db.prepare('SELECT count(*) AS n FROM messages').get() as { n: number }).n;
    if (messages !== MILLION) throw new Error(`built ${messages} messages, not ${MILLION}`);
    db.pragma('wal_checkpoint(TRUNCATE)');
    db.close();
    // Only a complete file ever carries the cache name.
    renameSync(tmp, path);
    return { messages, bytes: statSync(path).size, buildSeconds: (performance.now() - t0) / 1000 };
  } catch (e) {
    if (db.open) db.close();
    for (const f of [tmp, `${tmp}-wal`, `${tmp}-shm`]) rmSync(f, { force: true });
    throw e;
  }
}

async function main(): Promise<void> {
  const path = millionDatabasePath();
  const rebuild = process.argv.includes('--rebuild');
  let result: MillionDbResult;
  if (!rebuild && existsSync(path)) {
    result = { path, messages: MILLION, bytes: statSync(path).size, buildSeconds: 0, reused: true };
    console.log(`million-db: reusing ${path} (--rebuild to build it again)`);
  } else {
    const built = await buildMillionDatabase(path);
    result = { path, ...built, buildSeconds: Math.round(built.buildSeconds * 10) / 10, reused: false };
    console.log(`million-db: ${built.messages.toLocaleString('en')} messages in ${result.buildSeconds} s, ${(built.bytes / 2 ** 20).toFixed(0)} MiB at ${path}`);
  }
  emitResult(result);
}

// Run as a script, not when imported by the start-up benchmark.
if (process.argv[1] !== undefined && realpathSync(process.argv[1]) === fileURLToPath(import.meta.url)) await main();
