/**
 * Appends frame batches to segment files in the journal directory. Runs on the main thread
 * without blocking it: each batch is copied and written asynchronously, so the original can be
 * transferred to a decode thread at once. Positions are assigned at append time, in acceptance
 * order; the writer thread checkpoints them with each commit.
 *
 * Writes are issued one at a time, in order: whatever a crash leaves on disk is then a prefix
 * of what was appended (the last record possibly torn), never a hole followed by later records.
 */
import fs from 'node:fs';
import { join } from 'node:path';
import type { FsyncPolicy } from '../config/config-types.js';
import { checkRecord, encodeRecordHeader, RECORD_HEADER, segmentName, segmentStart } from './journal-record.js';

export type { FsyncPolicy } from '../config/config-types.js';

export interface JournalOptions {
  dir: string;
  segmentBytes: number;
  fsync: FsyncPolicy;
  /** Segments older than this, once checkpointed, are deleted. */
  retentionMs: number;
  /** Checkpointed segments are also deleted, oldest first, while the journal is larger than this. */
  maxBytes: number;
  /** Sync and delete errors. */
  onError(err: NodeJS.ErrnoException): void;
  /** A write failed (disk full, read-only...): the journal retries it every second; null when it went through. */
  onBlocked(err: NodeJS.ErrnoException | null): void;
}

const RETRY_MS = 1000;

interface WrittenWaiter {
  end: number;
  resolve: () => void;
}

interface PendingWrite {
  segment: Segment;
  record: Buffer;
  fileOffset: number;
}

interface Segment {
  start: number;
  fd: number;
  /** Writes appended and not yet finished on this fd. */
  inFlight: number;
  dirty: boolean;
  closing: boolean;
  /** Resolved when inFlight reaches zero. */
  idle: (() => void)[];
}

export class JournalWriter {
  readonly #o: JournalOptions;
  #segment: Segment;
  #position: number;
  #timer: NodeJS.Timeout | null = null;
  #closed = false;
  readonly #queue: PendingWrite[] = [];
  #writing = false;
  #blocked = false;
  #queuedBytes = 0;
  /** Every byte before this position is written (writes complete in order). */
  #writtenEnd: number;
  #writtenWaiters: WrittenWaiter[] = [];
  /** Start positions of the segments this writer created, in order: where to read a record back. */
  readonly #starts: number[] = [];

  /** Opens a new segment that starts at `position` (never appends to an old, possibly torn one). */
  constructor(options: JournalOptions, position: number) {
    this.#o = options;
    fs.mkdirSync(options.dir, { recursive: true });
    this.#position = position;
    this.#writtenEnd = position;
    this.#segment = this.#open(position);
    if (options.fsync.mode === 'interval') {
      this.#timer = setInterval(() => this.#syncDirty(), options.fsync.ms);
      this.#timer.unref();
    }
  }

  /** A write is failing and being retried: append nothing more until it goes through. */
  get blocked(): boolean {
    return this.#blocked;
  }

  /** The position the next record will start at. */
  get position(): number {
    return this.#position;
  }

  /** Appends one batch; returns the journal position of its end (its checkpoint value). */
  append(batch: ArrayBuffer): number {
    const payload = new Uint8Array(batch);
    const size = RECORD_HEADER + payload.length;
    if (this.#position - this.#segment.start + size > this.#o.segmentBytes && this.#position > this.#segment.start) {
      this.#rotate();
    }
    const record = Buffer.allocUnsafe(size);
    encodeRecordHeader(payload).copy(record, 0);
    record.set(payload, RECORD_HEADER);
    const segment = this.#segment;
    const fileOffset = this.#position - segment.start;
    this.#position += size;
    segment.inFlight++;
    this.#queue.push({ segment, record, fileOffset });
    this.#queuedBytes += size;
    this.#pump();
    return this.#position;
  }

  /** Bytes appended but not yet written (they wait in memory). */
  get queuedBytes(): number {
    return this.#queuedBytes;
  }

  #pump(): void {
    if (this.#writing) return;
    const next = this.#queue.shift();
    if (!next) return;
    this.#writing = true;
    const { segment, record, fileOffset } = next;
    fs.write(segment.fd, record, 0, record.length, fileOffset, (writeErr, bytesWritten) => {
      // A disk filling up mid-record gives a short write with no error (the error comes on the
      // next call): that record is not written, and must be retried whole at the same place.
      const err: NodeJS.ErrnoException | null =
        writeErr ?? (bytesWritten < record.length ? Object.assign(new Error(`short write (${bytesWritten} of ${record.length} bytes): disk full?`), { code: 'ENOSPC' }) : null);
      const done = (): void => {
        this.#queuedBytes -= record.length;
        segment.inFlight--;
        segment.dirty = true;
        this.#writing = false;
        this.#wrote(segment.start + fileOffset + record.length);
        this.#settle(segment);
        this.#pump();
      };
      if (err) {
        // The failed record keeps its place at the head: nothing is written after a hole.
        this.#queue.unshift(next);
        this.#writing = false;
        if (!this.#blocked) {
          this.#blocked = true;
          this.#o.onBlocked(err);
        }
        setTimeout(() => this.#pump(), RETRY_MS).unref();
        return;
      }
      if (this.#blocked) {
        this.#blocked = false;
        this.#o.onBlocked(null);
      }
      if (this.#o.fsync.mode === 'batch') {
        fs.fdatasync(segment.fd, (e) => {
          if (e) this.#o.onError(e);
          done();
        });
      } else done();
    });
  }

  /**
   * Deletes checkpointed segments past retention (age) or beyond the size cap, oldest first.
   * A segment is checkpointed when the next one starts at or before `checkpoint`.
   */
  prune(checkpoint: number, now = Date.now()): string[] {
    const segments = listSegments(this.#o.dir);
    let total = segments.reduce((sum, s) => sum + s.bytes, 0);
    const removed: string[] = [];
    for (let i = 0; i + 1 < segments.length; i++) {
      const s = segments[i]!;
      const next = segments[i + 1]!;
      if (next.start > checkpoint || s.start === this.#segment.start) break;
      if (now - s.mtimeMs < this.#o.retentionMs && total <= this.#o.maxBytes) break;
      try {
        fs.unlinkSync(join(this.#o.dir, s.name));
        total -= s.bytes;
        removed.push(s.name);
      } catch (err) {
        this.#o.onError(err as NodeJS.ErrnoException);
        break;
      }
    }
    return removed;
  }

  /** Waits for every write, syncs, closes the segment. Idempotent. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#timer) clearInterval(this.#timer);
    const segment = this.#segment;
    segment.closing = true;
    // A blocked journal (disk full) may never finish its writes: do not hang the shutdown on it.
    await Promise.race([this.#drained(segment), new Promise<void>((r) => setTimeout(r, this.#blocked ? 0 : 5000).unref())]);
    await new Promise<void>((r) => fs.fdatasync(segment.fd, () => fs.close(segment.fd, () => r())));
  }

  /** Resolves once every record ending at or before `end` is written (not necessarily synced). */
  written(end: number): Promise<void> {
    if (end <= this.#writtenEnd) return Promise.resolve();
    return new Promise((resolve) => this.#writtenWaiters.push({ end, resolve }));
  }

  /**
   * Reads back the batch whose record spans [start, end) from its segment: batches that waited
   * on disk while the pipeline was full. Call after written(end).
   */
  async read(start: number, end: number): Promise<ArrayBuffer> {
    let segStart = this.#starts[0]!;
    for (const s of this.#starts) if (s <= start) segStart = s;
    const fh = await fs.promises.open(join(this.#o.dir, segmentName(segStart)), 'r');
    try {
      const buf = Buffer.alloc(end - start);
      await fh.read(buf, 0, buf.length, start - segStart);
      const check = checkRecord(buf, 0);
      if (!check.ok) throw new Error(`journal record at ${start} does not check out (${check.reason})`);
      const payload = new ArrayBuffer(check.length);
      new Uint8Array(payload).set(buf.subarray(RECORD_HEADER, RECORD_HEADER + check.length));
      return payload;
    } finally {
      await fh.close();
    }
  }

  #open(start: number): Segment {
    this.#starts.push(start);
    const fd = fs.openSync(join(this.#o.dir, segmentName(start)), 'wx');
    return { start, fd, inFlight: 0, dirty: false, closing: false, idle: [] };
  }

  #rotate(): void {
    const old = this.#segment;
    old.closing = true;
    this.#segment = this.#open(this.#position);
    // The old segment closes once its last writes land (synced first: it is complete from now on).
    void this.#drained(old).then(() => fs.fdatasync(old.fd, () => fs.close(old.fd, () => {})));
  }

  #drained(segment: Segment): Promise<void> {
    if (segment.inFlight === 0) return Promise.resolve();
    return new Promise((resolve) => segment.idle.push(resolve));
  }

  #settle(segment: Segment): void {
    if (segment.inFlight !== 0) return;
    const waiters = segment.idle;
    segment.idle = [];
    for (const w of waiters) w();
  }

  #wrote(end: number): void {
    this.#writtenEnd = end;
    if (this.#writtenWaiters.length === 0) return;
    const still: WrittenWaiter[] = [];
    for (const w of this.#writtenWaiters) {
      if (w.end <= end) w.resolve();
      else still.push(w);
    }
    this.#writtenWaiters = still;
  }

  #syncDirty(): void {
    const segment = this.#segment;
    if (!segment.dirty || segment.closing) return;
    segment.dirty = false;
    fs.fdatasync(segment.fd, (e) => e && this.#o.onError(e));
  }
}

export interface SegmentInfo {
  name: string;
  start: number;
  bytes: number;
  mtimeMs: number;
}

/** Segment files of a journal directory, in position order. */
export function listSegments(dir: string): SegmentInfo[] {
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch {
    return [];
  }
  const out: SegmentInfo[] = [];
  for (const name of names) {
    const start = segmentStart(name);
    if (start === null) continue;
    const st = fs.statSync(join(dir, name));
    out.push({ name, start, bytes: st.size, mtimeMs: st.mtimeMs });
  }
  return out.sort((a, b) => a.start - b.start);
}
