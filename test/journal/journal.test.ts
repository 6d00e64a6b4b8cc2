/** The journal on real files: positions, rotation, replay from a mid-segment checkpoint, torn tails, pruning. */
import fs from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readJournalFrom } from '../../src/journal/journal-reader.js';
import { JournalWriter, listSegments, type JournalOptions } from '../../src/journal/journal-writer.js';
import { openJournal } from '../../src/journal/open-journal.js';

function batch(n: number, size = 100): ArrayBuffer {
  const b = new Uint8Array(size);
  new DataView(b.buffer).setUint32(0, n, true);
  b.fill(n % 251, 4);
  return b.buffer;
}

const id = (payload: ArrayBuffer): number => new DataView(payload).getUint32(0, true);

describe('journal', () => {
  let dir: string;
  let errors: Error[];
  let options: JournalOptions;
  beforeEach(() => {
    dir = fs.mkdtempSync(join(tmpdir(), 'contrail-journal-'));
    errors = [];
    options = { dir, segmentBytes: 1000, fsync: { mode: 'none' }, retentionMs: 0, maxBytes: 1 << 30, onError: (e) => errors.push(e), onBlocked: (e) => e && errors.push(e) };
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('assigns increasing end positions and reads every record back in order', async () => {
    const w = new JournalWriter(options, 0);
    const ends = [1, 2, 3].map((n) => w.append(batch(n)));
    expect(ends).toEqual([112, 224, 336]); // 12-byte header + 100-byte payload each
    await w.close();
    const scan = readJournalFrom(dir, 0);
    expect(scan.records.map((r) => [id(r.payload), r.end])).toEqual([
      [1, 112],
      [2, 224],
      [3, 336],
    ]);
    expect(scan).toMatchObject({ validEnd: 336, tornBytes: 0 });
    expect(errors).toEqual([]);
  });

  it('rotates segments and replays from a checkpoint in the middle of one', async () => {
    const w = new JournalWriter(options, 0);
    const ends: number[] = [];
    for (let n = 1; n <= 30; n++) ends.push(w.append(batch(n)));
    await w.close();
    const segments = listSegments(dir);
    expect(segments.length).toBeGreaterThan(3);
    // Checkpoint after record 12: replay 13..30, across segment boundaries.
    const scan = readJournalFrom(dir, ends[11]!);
    expect(scan.records.map((r) => id(r.payload))).toEqual(Array.from({ length: 18 }, (_, k) => k + 13));
    expect(scan.records.map((r) => r.end)).toEqual(ends.slice(12));
  });

  it('cuts a torn tail, and still replays what a later run wrote after it', async () => {
    const w1 = new JournalWriter(options, 0);
    const ends1 = [1, 2, 3].map((n) => w1.append(batch(n)));
    await w1.close();
    // A crash mid-write: the last record is cut short.
    const seg = join(dir, listSegments(dir)[0]!.name);
    fs.truncateSync(seg, fs.statSync(seg).size - 30);
    const opened = openJournal({ dir, segmentBytes: 1000, fsync: { mode: 'none' }, retentionMs: 0, maxBytes: 1 << 30 }, ends1[0]!, (e) => errors.push(e));
    expect(opened.replay.map((r) => id(r.payload))).toEqual([2]);
    expect(opened.tornBytes).toBe(82);
    // The new run starts past every byte on disk, so positions never repeat.
    expect(opened.writer.position).toBe(ends1[2]! - 30);
    opened.writer.append(batch(4));
    await opened.writer.close();
    expect(readJournalFrom(dir, ends1[0]!).records.map((r) => id(r.payload))).toEqual([2, 4]);
  });

  it('deletes only checkpointed segments, never the current one', async () => {
    const w = new JournalWriter(options, 0);
    const ends: number[] = [];
    for (let n = 1; n <= 30; n++) ends.push(w.append(batch(n)));
    // Writes are asynchronous: wait until all of them are on disk, however long that takes.
    await w.written(ends[29]!);
    const before = listSegments(dir);
    const removed = w.prune(ends[14]!);
    const after = listSegments(dir);
    expect(removed.length).toBeGreaterThan(0);
    expect(after.length).toBe(before.length - removed.length);
    // What is left still holds every record past the checkpoint.
    expect(readJournalFrom(dir, ends[14]!).records.map((r) => id(r.payload))).toEqual(Array.from({ length: 15 }, (_, k) => k + 16));
    // With retention not yet reached and the size under the cap, nothing goes.
    const keep = new JournalWriter({ ...options, dir: join(dir, 'b'), retentionMs: 3_600_000 }, 0);
    let keptEnd = 0;
    for (let n = 1; n <= 30; n++) keptEnd = keep.append(batch(n));
    await keep.written(keptEnd);
    expect(keep.prune(Number.MAX_SAFE_INTEGER)).toEqual([]);
    await keep.close();
    await w.close();
  });
});
