/**
 * The writer limit: how many rows/s ONE thread stores through the real MessageWriter.writeBatch
 * (same schema, FTS triggers, indexes, per-decoder tables and minute counters) when decoding
 * costs it nothing. The engine can never ingest faster than this, whatever the worker count.
 *
 *   node dist/bench/reference/writer-limit.js [--seconds N]
 */
import { performance } from 'node:perf_hooks';
import { DEFAULT_INTEL, MessageWriter, type SourceLabel } from '../../src/store/message-writer.js';
import { DECODER_TYPES } from '../../src/decode/message.js';
import { COL } from '../../src/store/message-row.js';
import { emitResult } from '../lib/result.js';
import { decodeCorpusRows, packRetimed } from './support/corpus-rows.js';
import { secondsArg } from './support/seconds-arg.js';
import { openTempDatabase } from './support/temp-database.js';

export interface WriterLimitResult {
  rowsPerSec: number;
  rows: number;
  seconds: number;
  batchSize: number;
  dbBytes: number;
  /** dbBytes over every row in the file (warm-up rows included: they take space too). */
  bytesPerRow: number;
  storedRows: number;
}

const BATCH = 512;
/** Distinct pre-packed batches, cycled: 64k rows, enough variety without holding the run's every row in memory. */
/** A stand-in record size for journal positions; only their increase matters. */
const BATCH_BYTES = 300_000;
const POOL = 128;
/** The pool's rows span this many recent seconds, so a batch touches one or two minutes per type, as live. */
const SPAN_S = 600;
const WARMUP_MS = 1000;

const seconds = secondsArg(process.argv.slice(2), 5);
const templates = decodeCorpusRows();
const end = Date.now() / 1000;
const total = POOL * BATCH;
const pool: ArrayBuffer[] = [];
for (let b = 0; b < POOL; b++) {
  pool.push(
    packRetimed(templates, b * BATCH, BATCH, (k) => {
      const i = b * BATCH + k;
      // Time order with up to 2 s of disorder, as frames from several stations interleave.
      const jitter = ((i * 2654435761) % 1000) / 250 - 2;
      return { msgTime: end - SPAN_S + (i / total) * SPAN_S + jitter };
    }),
  );
}

const sources: SourceLabel[] = DECODER_TYPES.map((type) => ({ descriptor: `bench:${type}`, type }));
const temp = await openTempDatabase('writer-limit');
try {
  // Dedup off: the corpus cycles every ~1,500 rows, so its copies fall inside the window and
  // would be counted, not inserted. The ceiling wanted here is the insert path's, with every
  // other part of the writer (multi-part, aircraft, alert matches) on.
  const writer = new MessageWriter(temp.db, sources, { ...DEFAULT_INTEL, dedupWindowS: 0 });
  let next = 0;
  let journalEnd = 0;
  // Bounded by time, and by a batch count no real run reaches (a hung clock must not spin forever).
  const runFor = (ms: number): number => {
    const until = performance.now() + ms;
    let rows = 0;
    for (let n = 0; n < 10_000_000 && performance.now() < until; n++) {
      // Increasing journal positions, as the engine passes them (the frame-reference index then grows at its end).
      journalEnd += BATCH_BYTES;
      rows += writer.writeBatch(pool[next++ % POOL]!, journalEnd).stored;
    }
    return rows;
  };
  runFor(WARMUP_MS);
  const t0 = performance.now();
  const rows = runFor(seconds * 1000);
  const elapsed = (performance.now() - t0) / 1000;
  const storedRows = (temp.db.prepare('SELECT count(*) AS n FROM messages').get() as { n: number }).n;
  const dbBytes = temp.checkpointedBytes();
  const result: WriterLimitResult = {
    rowsPerSec: Math.round(rows / elapsed),
    rows,
    seconds: Math.round(elapsed * 1000) / 1000,
    batchSize: BATCH,
    dbBytes,
    bytesPerRow: Math.round(dbBytes / storedRows),
    storedRows,
  };
  const acars = templates.rows.filter((r) => r[COL.is_acars] === 1).length;
  console.log(`writer limit: ${result.rowsPerSec.toLocaleString('en')} rows/s (${rows} rows in ${result.seconds} s, batches of ${BATCH})`);
  console.log(`  corpus: ${templates.rows.length} rows from ${templates.frames} frames, ${acars} with ACARS content (FTS-indexed)`);
  console.log(`  database: ${(dbBytes / 2 ** 20).toFixed(1)} MiB for ${storedRows} rows, ${result.bytesPerRow} bytes/row`);
  emitResult(result);
} finally {
  temp.dispose();
}
