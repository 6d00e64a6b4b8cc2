/**
 * What a straightforward implementation gets: one thread, and per frame JSON.parse,
 * normalizeFrame, toMessageRow and one INSERT in autocommit mode (a commit per row) into the
 * same tables, WAL with synchronous=NORMAL, with the same full-text index kept the usual way:
 * a trigger per inserted row (as ACARS Hub does, and as Contrail did before migration 0002).
 * No per-decoder tables, no counters: it does less per message than Contrail's writer.
 *
 *   node dist/bench/reference/naive-baseline.js [--seconds N]
 */
import { performance } from 'node:perf_hooks';
import { normalizeFrame } from '../../src/decode/normalize.js';
import { FTS_COLUMNS } from '../../src/store/fts-index.js';
import { MESSAGE_COLUMNS, toMessageRow } from '../../src/store/message-row.js';
import { loadCorpus } from '../lib/corpus.js';
import { emitResult } from '../lib/result.js';
import { secondsArg } from './support/seconds-arg.js';
import { openTempDatabase } from './support/temp-database.js';

export interface NaiveBaselineResult {
  framesPerSec: number;
  frames: number;
  seconds: number;
  /** Frames normalizeFrame refused (counted in frames: the work was done). */
  rejected: number;
}

const WARMUP_MS = 1000;

const seconds = secondsArg(process.argv.slice(2), 5);
const corpus = loadCorpus();
const temp = await openTempDatabase('naive-baseline');
try {
  // The usual way to keep an external-content FTS5 index: index every inserted ACARS row by trigger.
  const cols = FTS_COLUMNS.join(', ');
  temp.db.exec(
    `CREATE TRIGGER naive_fts_insert AFTER INSERT ON messages WHEN new.is_acars = 1 BEGIN
       INSERT INTO messages_fts (rowid, ${cols}) VALUES (new.id, ${FTS_COLUMNS.map((c) => `new.${c}`).join(', ')});
     END`,
  );
  // Prepared once, as anyone using better-sqlite3 would; no db.transaction(): autocommit per row.
  const insert = temp.db.prepare(`INSERT INTO messages (${MESSAGE_COLUMNS.join(', ')}) VALUES (${MESSAGE_COLUMNS.map(() => '?').join(', ')})`);
  let next = 0;
  let rejected = 0;
  const runFor = (ms: number): number => {
    const until = performance.now() + ms;
    let frames = 0;
    for (let n = 0; n < 100_000_000 && performance.now() < until; n++) {
      const frame = corpus[next++ % corpus.length]!;
      const now = Date.now();
      const result = normalizeFrame(JSON.parse(frame.text), frame.hint, now);
      frames++;
      if (!result.ok) {
        rejected++;
        continue;
      }
      // Stored as live traffic: the capture's old timestamp becomes now.
      result.message.time = now / 1000;
      insert.run(toMessageRow(result.message, now, 0));
    }
    return frames;
  };
  runFor(WARMUP_MS);
  rejected = 0;
  const t0 = performance.now();
  const frames = runFor(seconds * 1000);
  const elapsed = (performance.now() - t0) / 1000;
  const result: NaiveBaselineResult = {
    framesPerSec: Math.round(frames / elapsed),
    frames,
    seconds: Math.round(elapsed * 1000) / 1000,
    rejected,
  };
  console.log(`naive baseline: ${result.framesPerSec.toLocaleString('en')} frames/s (${frames} frames in ${result.seconds} s, one autocommit INSERT each)`);
  if (rejected > 0) console.log(`  ${rejected} frames rejected by normalizeFrame`);
  emitResult(result);
} finally {
  temp.dispose();
}
