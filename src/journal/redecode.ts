/**
 * Rebuilds stored messages from the raw frames in the journal with the current decoder, while
 * the engine keeps ingesting: each journaled batch is decoded again and its messages are
 * updated in place (matched by journal position and frame index), one short transaction per
 * batch, so the engine's writer is never held up for long. The full-text index follows by its
 * update triggers. Per-decoder histograms and minute counters are left as they were counted.
 */
import fs from 'node:fs';
import { join } from 'node:path';
import { decodeFrames, type DecodeContext } from '../decode/decode-frames.js';
import { decodeDecodedBatch } from '../decode/decoded-batch.js';
import { StoreError } from '../errors.js';
import { frameBatchCount, frameBatchNewest } from '../ingest/frame-batch.js';
import { COL, MESSAGE_COLUMNS } from '../store/message-row.js';
import type { Db } from '../store/open-database.js';
import { checkRecord, RECORD_HEADER } from './journal-record.js';
import { listSegments } from './journal-writer.js';

export interface RedecodeProgress {
  segment: number;
  segments: number;
  bytes: number;
  totalBytes: number;
}

export interface RedecodeSummary {
  batches: number;
  frames: number;
  /** Messages rewritten from their raw frame. */
  updated: number;
  /** Frames that decode to a message whose row is gone (pruned) or was never stored (rejected then). */
  notFound: number;
}

const REQUIRED_MIGRATION = '0004_frame_ref';

export function redecode(db: Db, journalDir: string, sinceMs: number, ctx: DecodeContext, progress: (p: RedecodeProgress) => void = () => {}): RedecodeSummary {
  const applied = db.prepare('SELECT 1 FROM kysely_migration WHERE name = ?').get(REQUIRED_MIGRATION);
  if (!applied) throw new StoreError(`the database schema predates ${REQUIRED_MIGRATION}: start the engine once to migrate it, then redecode`);
  const cols = MESSAGE_COLUMNS.filter((c) => c !== 'frame_index');
  const update = db.prepare(`UPDATE messages SET ${cols.map((c) => `${c} = ?`).join(', ')} WHERE journal_end = ? AND frame_index = ?`);
  const rewrite = db.transaction((rows: (string | number | null)[][], journalEnd: number) => {
    let n = 0;
    for (const row of rows) {
      const values = cols.map((c) => row[COL[c]] ?? null);
      n += update.run(...values, journalEnd, row[COL.frame_index] ?? null).changes;
    }
    return n;
  });

  const segments = listSegments(journalDir);
  const totalBytes = segments.reduce((n, s) => n + s.bytes, 0);
  const summary: RedecodeSummary = { batches: 0, frames: 0, updated: 0, notFound: 0 };
  let bytes = 0;
  segments.forEach((s, i) => {
    // A segment last written before `since` holds nothing newer.
    if (s.mtimeMs >= sinceMs) {
      const buf = fs.readFileSync(join(journalDir, s.name));
      for (let offset = 0; offset < buf.length; ) {
        const check = checkRecord(buf, offset);
        if (!check.ok) break; // the torn tail of a crash: nothing past it in this segment
        const end = s.start + offset + RECORD_HEADER + check.length;
        const payload = new ArrayBuffer(check.length);
        new Uint8Array(payload).set(buf.subarray(offset + RECORD_HEADER, offset + RECORD_HEADER + check.length));
        offset += RECORD_HEADER + check.length;
        if (frameBatchNewest(payload) < sinceMs) continue;
        const { rows } = decodeDecodedBatch(decodeFrames(payload, ctx));
        const updated = rewrite(rows, end);
        summary.batches++;
        summary.frames += frameBatchCount(payload);
        summary.updated += updated;
        summary.notFound += rows.length - updated;
      }
    }
    bytes += s.bytes;
    progress({ segment: i + 1, segments: segments.length, bytes, totalBytes });
  });
  return summary;
}
