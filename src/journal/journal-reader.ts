/**
 * Reads journal records from a position on, for replay after a restart. The journal writer
 * issues its writes in order and every start opens a new segment, so a crash leaves at most a
 * torn tail at the end of one segment: reading a segment stops at its first record that does not
 * check out (counted as torn bytes) and goes on with the next segment, which a later run wrote.
 */
import fs from 'node:fs';
import { join } from 'node:path';
import { checkRecord, RECORD_HEADER } from './journal-record.js';
import { listSegments } from './journal-writer.js';

export interface JournalRecord {
  /** The frame batch, in a buffer of its own (transferable). */
  payload: ArrayBuffer;
  /** Journal position of the record's end: its checkpoint value. */
  end: number;
}

export interface ReplayScan {
  records: JournalRecord[];
  /** Position just past the last valid record found (or `from` when none). */
  validEnd: number;
  /** Bytes that did not form valid records and were skipped. */
  tornBytes: number;
}

/** Every valid record that ends after `from`. Reads whole segments: they are bounded in size. */
export function readJournalFrom(dir: string, from: number): ReplayScan {
  const segments = listSegments(dir);
  const records: JournalRecord[] = [];
  let validEnd = from;
  let tornBytes = 0;
  for (let i = 0; i < segments.length; i++) {
    const s = segments[i]!;
    const end = segments[i + 1]?.start ?? s.start + s.bytes;
    if (end <= from) continue;
    const buf = fs.readFileSync(join(dir, s.name));
    let offset = Math.max(0, from - s.start);
    while (offset < buf.length) {
      const check = checkRecord(buf, offset);
      if (!check.ok) {
        tornBytes += buf.length - offset;
        break;
      }
      const recordEnd = offset + RECORD_HEADER + check.length;
      const payload = new ArrayBuffer(check.length);
      new Uint8Array(payload).set(buf.subarray(offset + RECORD_HEADER, recordEnd));
      records.push({ payload, end: s.start + recordEnd });
      validEnd = Math.max(validEnd, s.start + recordEnd);
      offset = recordEnd;
    }
  }
  return { records, validEnd, tornBytes };
}
