/**
 * Stored messages to Parquet, one hive-style directory per UTC day of message time
 * (`day=YYYY-MM-DD/part-NNNNNN-0.parquet`), for archives and notebooks.
 *
 * - SQLite is opened read-only and read in short chunks, each its own read transaction, keyed
 *   on (msg_time, id) so the msg_time index serves every chunk: safe beside a running engine.
 *   The export covers the messages stored when it began (ids up to the largest one then);
 *   messages the engine prunes meanwhile may be missing.
 * - Rows go through DuckDB's Appender into an in-memory table holding one part (at most
 *   `partRows` rows of one day), which `COPY … (FORMAT parquet, PARTITION_BY (day))` writes out
 *   before the next part starts: memory stays bounded whatever the range.
 * - Parts are written into a staging directory beside `out`; day directories are renamed into
 *   `out` only when every part is written, so `out` never holds a half-written day, and a failed
 *   or interrupted export leaves it as it was.
 * - A non-empty `out` is refused unless `force`; with `force` the day directories this export
 *   writes replace those of the same day, and nothing else in `out` is touched.
 */
import { randomBytes } from 'node:crypto';
import { accessSync, constants, existsSync, mkdirSync, readdirSync, renameSync, rmdirSync, rmSync, statSync, type Stats } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import { DuckDBInstance, type DuckDBAppender, type DuckDBConnection } from '@duckdb/node-api';
import Database from 'better-sqlite3';
import type { MirrorColumn } from '../analytics/mirror-schema.js';
import { ContrailError } from '../errors.js';

/** An export could not be done; `out` is left as it was. */
export class ExportError extends ContrailError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('CONTRAIL_ERR_EXPORT', message, options);
  }
}

export interface ExportOptions {
  dbPath: string;
  /** Epoch seconds of message time, inclusive. */
  since: number;
  /** Epoch seconds of message time, exclusive. */
  until: number;
  out: string;
  force?: boolean;
  /** Rows per SQLite read, each its own short read transaction. */
  chunkRows?: number;
  /** Rows per Parquet file at most: bounds the memory DuckDB holds. */
  partRows?: number;
  onProgress?: (p: ExportProgress) => void;
  /** Aborting stops the export between chunks; `out` is left as it was. */
  signal?: AbortSignal;
}

export interface ExportProgress {
  rows: number;
  total: number;
  /** The UTC day being written, YYYY-MM-DD. */
  day: string;
}

export interface ExportSummary {
  out: string;
  rows: number;
  /** Day directories written. */
  days: number;
  files: number;
  bytes: number;
  ms: number;
}

type DuckType = MirrorColumn['duck'];

interface Column {
  name: string;
  declared: string;
  duck: DuckType;
}

const DAY_S = 86_400;
/** About 30 ms of reading each: short read transactions, and garbage V8 collects young (20k-row chunks kept 150 MB of heap). */
const DEFAULT_CHUNK_ROWS = 5_000;
/**
 * Measured on 1M stored messages: peak memory grows with the part (about 0.6 GB resident at
 * 50k rows, 0.85 GB at 100k, 1 GB at 250k) and export speed does not (55-75k rows/s at each,
 * mostly SQLite reads and Appender calls). 50k rows per file suit Parquet readers well enough.
 */
const DEFAULT_PART_ROWS = 50_000;
/** Flags and small counts: 32 bits is plenty, and readers get a narrower type. */
const SMALL_INTEGERS = new Set(['is_acars', 'channel', 'error', 'more', 'copies', 'frame_index']);

const quoteId = (name: string): string => `"${name.replace(/"/g, '""')}"`;
const quoteLiteral = (text: string): string => `'${text.replace(/'/g, "''")}'`;
const dayName = (day: number): string => new Date(day * DAY_S * 1000).toISOString().slice(0, 10);

/** SQLite's own affinity rules, in its order, applied to the declared type. */
function duckType(name: string, declared: string): DuckType {
  const t = declared.toUpperCase();
  if (t.includes('INT')) return SMALL_INTEGERS.has(name) ? 'INTEGER' : 'BIGINT';
  if (t.includes('CHAR') || t.includes('CLOB') || t.includes('TEXT')) return 'VARCHAR';
  if (t.includes('REAL') || t.includes('FLOA') || t.includes('DOUB')) return 'DOUBLE';
  throw new ExportError(`messages.${name} is declared ${declared || 'without a type'}: no Parquet type is defined for it`);
}

/** Every column of `messages`, as the database has them (any schema version). */
function messageColumns(db: Database.Database): Column[] {
  const info = db.prepare('SELECT name, type FROM pragma_table_info(?)').all('messages') as { name: string; type: string }[];
  if (info.length === 0) throw new ExportError('the database has no messages table (never started by the engine?)');
  if (info.some((c) => c.name === 'day')) throw new ExportError('messages has a column named day, which is the partition column of the export');
  return info.map((c) => ({ name: c.name, declared: c.type, duck: duckType(c.name, c.type) }));
}

/** Flexible typing lets SQLite keep e.g. text in a REAL column; such a value is refused by name, not cast or dropped. */
function refuse(row: unknown[], idAt: number, col: Column, v: unknown): never {
  const what = Buffer.isBuffer(v) ? 'a blob' : `${typeof v} ${JSON.stringify(v)}`;
  throw new ExportError(`message ${String(row[idAt])}: ${col.name} holds ${what}, not a value of its declared type ${col.declared}`);
}

function appendRow(a: DuckDBAppender, cols: readonly Column[], row: unknown[], idAt: number): void {
  for (let i = 0; i < cols.length; i++) {
    const v = row[i];
    const col = cols[i]!;
    if (v === null) a.appendNull();
    else if (col.duck === 'VARCHAR') {
      if (typeof v !== 'string') refuse(row, idAt, col, v);
      a.appendVarchar(v);
    } else if (col.duck === 'DOUBLE') {
      if (typeof v !== 'number') refuse(row, idAt, col, v);
      a.appendDouble(v);
    } else {
      if (!Number.isInteger(v)) refuse(row, idAt, col, v);
      // The Appender casts to the column's type; integers below 2^53 (all of Contrail's) are exact as doubles.
      a.appendDouble(v as number);
    }
  }
  a.endRow();
}

const errno = (e: unknown): string | undefined => (e as NodeJS.ErrnoException).code;

/** The nearest ancestor of `path` that exists. */
function existingAncestor(path: string): string {
  let p = dirname(path);
  while (!existsSync(p) && dirname(p) !== p) p = dirname(p);
  return p;
}

/**
 * `out` is new, or an empty (with force: any) directory this process may write into. Returns
 * the device `out` is on, or null when it does not exist yet.
 */
function checkOut(out: string, force: boolean): number | null {
  let info: Stats;
  try {
    info = statSync(out);
  } catch (e) {
    if (errno(e) === 'ENOENT') return null;
    if (errno(e) === 'ENOTDIR') throw new ExportError(`--out ${out}: ${existingAncestor(out)} is a file, not a directory`);
    throw new ExportError(`--out ${out} cannot be used: ${(e as Error).message}`, { cause: e });
  }
  if (!info.isDirectory()) throw new ExportError(`--out ${out} is a file, not a directory`);
  let entries: string[];
  try {
    entries = readdirSync(out);
    // Day directories are renamed into it at the end: find out now, not after the whole export.
    accessSync(out, constants.W_OK);
  } catch (e) {
    throw new ExportError(`--out ${out} cannot be written: ${(e as Error).message}`, { cause: e });
  }
  if (entries.length > 0 && !force) {
    throw new ExportError(
      `--out ${out} is not empty (${entries.length} entries): choose a new directory, or pass --force to replace the day directories this export writes (other files there are left alone)`,
    );
  }
  return info.dev;
}

/**
 * Creates `dir` and its missing parents one at a time; returns those it created, outermost
 * first. Not mkdirSync's recursive mode: under /proc, where mkdir fails with ENOENT below a
 * parent that exists, that retries forever.
 */
function makeDirs(dir: string): string[] {
  const missing: string[] = [];
  for (let p = dir; !existsSync(p) && dirname(p) !== p; p = dirname(p)) missing.unshift(p);
  const made: string[] = [];
  try {
    for (const p of missing) {
      try {
        mkdirSync(p);
        made.push(p);
      } catch (e) {
        if (errno(e) !== 'EEXIST' || !statSync(p).isDirectory()) throw e;
      }
    }
  } catch (e) {
    removeDirs(made);
    throw e;
  }
  return made;
}

/** Removes directories makeDirs created, innermost first, as long as they are empty. */
function removeDirs(made: readonly string[]): void {
  for (const p of [...made].reverse()) {
    try {
      rmdirSync(p);
    } catch (e) {
      if (errno(e) !== 'ENOENT') return;
    }
  }
}

/** Files and bytes under a directory. */
function tally(dir: string): { files: number; bytes: number } {
  let files = 0;
  let bytes = 0;
  for (const e of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (!e.isFile()) continue;
    files++;
    bytes += statSync(join(e.parentPath, e.name)).size;
  }
  return { files, bytes };
}

/** Moves each finished day directory into `out`, replacing one of the same day (only possible with force). */
function install(staging: string, out: string, days: readonly string[], force: boolean): void {
  makeDirs(out);
  const taken = days.filter((d) => existsSync(join(out, `day=${d}`)));
  if (taken.length > 0 && !force) throw new ExportError(`day=${taken.join(', day=')} appeared in ${out} while exporting; nothing was written there`);
  for (const d of days) {
    const name = `day=${d}`;
    const target = join(out, name);
    if (existsSync(target)) {
      // Moved aside, not deleted first: the day is missing from `out` only between two renames.
      const old = join(staging, `replaced-${name}`);
      renameSync(target, old);
      renameSync(join(staging, name), target);
      rmSync(old, { recursive: true, force: true });
    } else {
      renameSync(join(staging, name), target);
    }
  }
}

/** The staged part (at most one day) in a DuckDB table: filled through an Appender, written out by COPY. */
class PartWriter {
  readonly #conn: DuckDBConnection;
  readonly #defs: string;
  readonly #staging: string;
  #appender: DuckDBAppender | null = null;
  #seq = 0;
  rows = 0;

  constructor(conn: DuckDBConnection, cols: readonly Column[], staging: string) {
    this.#conn = conn;
    this.#defs = cols.map((c) => `${quoteId(c.name)} ${c.duck}`).join(', ');
    this.#staging = staging;
  }

  get appender(): DuckDBAppender {
    if (this.#appender === null) throw new Error('PartWriter: begin() first');
    return this.#appender;
  }

  async begin(): Promise<void> {
    await this.#conn.run(`CREATE OR REPLACE TABLE part (${this.#defs})`);
    this.#appender = await this.#conn.createAppender('part');
    this.rows = 0;
  }

  /** Writes the part's rows as one Parquet file in their day's directory. */
  async flush(): Promise<void> {
    this.close();
    if (this.rows === 0) return;
    const seq = String(++this.#seq).padStart(6, '0');
    // floor(msg_time / 86400) days after the epoch is the UTC day, whatever DuckDB's TimeZone.
    // OVERWRITE_OR_IGNORE lets a later part add a file to an existing day directory (without
    // it COPY refuses a non-empty target); the sequence number keeps names from colliding.
    await this.#conn.run(
      `COPY (SELECT *, DATE '1970-01-01' + CAST(floor(msg_time / ${DAY_S}) AS INTEGER) AS day FROM part)
       TO ${quoteLiteral(this.#staging)}
       (FORMAT parquet, COMPRESSION zstd, PARTITION_BY (day), FILENAME_PATTERN ${quoteLiteral(`part-${seq}-{i}`)}, OVERWRITE_OR_IGNORE)`,
    );
    this.rows = 0;
  }

  close(): void {
    this.#appender?.closeSync();
    this.#appender = null;
  }
}

interface Source {
  db: Database.Database;
  cols: Column[];
  idAt: number;
  timeAt: number;
  /** The largest id when the export began: later rows are not exported. */
  maxId: number;
  total: number;
}

function openSource(dbPath: string, since: number, until: number): Source {
  if (!existsSync(dbPath)) throw new ExportError(`no database at ${dbPath}`);
  let db: Database.Database;
  try {
    db = new Database(dbPath, { readonly: true, fileMustExist: true });
  } catch (e) {
    throw new ExportError(`cannot open ${dbPath} read-only: ${(e as Error).message}`, { cause: e });
  }
  try {
    const cols = messageColumns(db);
    const idAt = cols.findIndex((c) => c.name === 'id');
    const timeAt = cols.findIndex((c) => c.name === 'msg_time');
    if (idAt < 0 || timeAt < 0) throw new ExportError('messages has no id or msg_time column');
    const maxId = (db.prepare('SELECT max(id) FROM messages').pluck().get() as number | null) ?? 0;
    const total = db.prepare('SELECT count(*) FROM messages WHERE msg_time >= ? AND msg_time < ? AND id <= ?').pluck().get(since, until, maxId) as number;
    return { db, cols, idAt, timeAt, maxId, total };
  } catch (e) {
    db.close();
    throw e;
  }
}

/** Reads the range chunk by chunk and writes it as parts into `staging`; the days written, in order. */
async function writeParts(src: Source, staging: string, o: ExportOptions): Promise<{ rows: number; days: string[] }> {
  const chunkRows = o.chunkRows ?? DEFAULT_CHUNK_ROWS;
  const partRows = o.partRows ?? DEFAULT_PART_ROWS;
  const { cols, idAt, timeAt } = src;
  // (msg_time, id) > cursor: a keyset the msg_time index (which holds the id) serves in order,
  // so each chunk is a short index range scan, and rows with equal times are neither skipped
  // nor repeated at chunk boundaries.
  const select = src.db
    .prepare(`SELECT ${cols.map((c) => quoteId(c.name)).join(', ')} FROM messages WHERE (msg_time, id) > (?, ?) AND msg_time < ? AND id <= ? ORDER BY msg_time, id LIMIT ?`)
    .raw();
  // An in-memory database would otherwise spill to ./.tmp in the caller's working directory.
  const duck = await DuckDBInstance.create(':memory:', { temp_directory: join(staging, '.spill') });
  let conn: DuckDBConnection | null = null;
  let part: PartWriter | null = null;
  try {
    conn = await duck.connect();
    part = new PartWriter(conn, cols, staging);
    const days: string[] = [];
    let day = Number.NaN;
    let rows = 0;
    let cursor: [number, number] = [o.since, Number.MIN_SAFE_INTEGER];
    for (;;) {
      if (o.signal?.aborted) throw new ExportError(`export interrupted; nothing was written to ${resolve(o.out)}`);
      const chunk = select.all(cursor[0], cursor[1], o.until, src.maxId, chunkRows) as unknown[][];
      for (const row of chunk) {
        const d = Math.floor((row[timeAt] as number) / DAY_S);
        if (d !== day || part.rows >= partRows) {
          await part.flush();
          await part.begin();
          if (d !== day) days.push(dayName(d));
          day = d;
        }
        appendRow(part.appender, cols, row, idAt);
        part.rows++;
      }
      rows += chunk.length;
      // A redecode running meanwhile may move messages into the range: the total is a floor.
      if (chunk.length > 0) o.onProgress?.({ rows, total: Math.max(src.total, rows), day: days[days.length - 1]! });
      if (chunk.length < chunkRows) break;
      const last = chunk[chunk.length - 1]!;
      cursor = [last[timeAt] as number, last[idAt] as number];
      // Lets a signal (Ctrl-C) be seen between chunks.
      await yieldToLoop();
    }
    await part.flush();
    return { rows, days };
  } finally {
    part?.close();
    conn?.closeSync();
    duck.closeSync();
    rmSync(join(staging, '.spill'), { recursive: true, force: true });
  }
}

export async function exportParquet(o: ExportOptions): Promise<ExportSummary> {
  const started = performance.now();
  if (!Number.isFinite(o.since) || !Number.isFinite(o.until) || o.since >= o.until) {
    throw new ExportError(`the time range is empty: since ${o.since} is not before until ${o.until}`);
  }
  const out = resolve(o.out);
  const force = o.force ?? false;
  const outDev = checkOut(out, force);
  // Beside `out`, so day directories are renamed into it on the same file system, and a reader
  // globbing out/**/*.parquet never sees a part being written.
  const staging = join(dirname(out), `.${basename(out)}.partial-${process.pid}-${randomBytes(4).toString('hex')}`);
  // Made before the database is opened, even for an empty range: a place that cannot be
  // written fails now, not after the whole export. Unless day directories land in `out`, the
  // directories made here (staging and any missing parents of `out`) are removed again.
  let made: string[];
  try {
    made = makeDirs(staging);
  } catch (e) {
    throw new ExportError(`--out ${out} cannot be written: ${(e as Error).message}; choose a directory this user can create and write`, { cause: e });
  }
  let src: Source | null = null;
  let installed = false;
  try {
    if (outDev !== null && outDev !== statSync(staging).dev) {
      throw new ExportError(`--out ${out} is a mount point: the day directories, written beside it first, cannot be renamed into another file system; choose a directory inside it`);
    }
    src = openSource(o.dbPath, o.since, o.until);
    if (src.total === 0) return { out, rows: 0, days: 0, files: 0, bytes: 0, ms: Math.round(performance.now() - started) };
    let written: { rows: number; days: string[] };
    try {
      written = await writeParts(src, staging, o);
    } catch (e) {
      if (e instanceof ContrailError) throw e;
      throw new ExportError(`export to ${out} failed: ${(e as Error).message}; nothing was written there`, { cause: e });
    }
    const { files, bytes } = tally(staging);
    try {
      // From here `out` may hold day directories: the directories made above stay.
      installed = true;
      install(staging, out, written.days, force);
    } catch (e) {
      if (e instanceof ContrailError) throw e;
      throw new ExportError(`moving the finished day directories into ${out} failed: ${(e as Error).message}`, { cause: e });
    }
    return { out, rows: written.rows, days: written.days.length, files, bytes, ms: Math.round(performance.now() - started) };
  } finally {
    src?.db.close();
    rmSync(staging, { recursive: true, force: true });
    if (!installed) removeDirs(made);
  }
}
