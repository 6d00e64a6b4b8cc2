/**
 * A batch of raw frames in one ArrayBuffer, so it crosses to a decode worker as a single
 * transfer (no structured clone of many small buffers), and is appended to the journal as is.
 *
 * Layout of a taken batch, little-endian, exactly as long as its content:
 *   [0, 8)                   u32 count, u32 reserved
 *   [8, 8 + count * 24)      per frame: f64 receivedAtMs, u32 offset, u32 length, u32 size,
 *                            u16 sourceIndex, u8 framerReject, u8 unused
 *   [8 + count * 24, ...)    frame bytes; offsets count from the buffer's start
 * `size` differs from `length` only for oversize rejects, whose bytes are cut to the maximum.
 */
import type { FramerRejectReason } from './json-framer.js';

const HEADER = 8;
const META = 24;
const MIN_DATA = 16 * 1024;

export const FRAMER_REJECT_CODES: readonly (FramerRejectReason | null)[] = [null, 'truncated', 'oversize', 'garbage'];

function rejectCode(reason: FramerRejectReason | null): number {
  return reason === null ? 0 : FRAMER_REJECT_CODES.indexOf(reason);
}

export interface FrameView {
  receivedAtMs: number;
  sourceIndex: number;
  /** Set when the framer already rejected these bytes. */
  framerReject: FramerRejectReason | null;
  bytes: Uint8Array;
  size: number;
}

export class FrameBatchBuilder {
  readonly #capacity: number;
  #buffer: ArrayBuffer;
  #view: DataView;
  #bytes: Uint8Array;
  #count = 0;
  #write: number;
  /**
   * Data capacity of the next buffer: the last batch's size rounded up to a power of two, so a
   * trickle of frames does not allocate (and zero) a large buffer every few milliseconds, and a
   * flood rarely has to grow one.
   */
  #nextData: number;

  constructor(maxFrames: number, initialDataBytes = MIN_DATA) {
    this.#capacity = maxFrames;
    this.#nextData = initialDataBytes;
    this.#write = this.#dataStart;
    this.#buffer = new ArrayBuffer(this.#dataStart + initialDataBytes);
    this.#view = new DataView(this.#buffer);
    this.#bytes = new Uint8Array(this.#buffer);
  }

  get #dataStart(): number {
    return HEADER + this.#capacity * META;
  }

  get count(): number {
    return this.#count;
  }

  get full(): boolean {
    return this.#count >= this.#capacity;
  }

  /** Frame bytes held so far. */
  get dataBytes(): number {
    return this.#write - this.#dataStart;
  }

  /** Copies the frame in; `bytes` may be a view the caller reuses afterwards. */
  add(bytes: Uint8Array, sourceIndex: number, receivedAtMs: number, framerReject: FramerRejectReason | null, size = bytes.length): void {
    if (this.#count >= this.#capacity) throw new RangeError('frame batch is full');
    if (this.#write + bytes.length > this.#buffer.byteLength) this.#grow(bytes.length);
    const m = HEADER + this.#count * META;
    const v = this.#view;
    v.setFloat64(m, receivedAtMs, true);
    v.setUint32(m + 8, this.#write, true);
    v.setUint32(m + 12, bytes.length, true);
    v.setUint32(m + 16, size, true);
    v.setUint16(m + 20, sourceIndex, true);
    v.setUint8(m + 22, rejectCode(framerReject));
    this.#bytes.set(bytes, this.#write);
    this.#write += bytes.length;
    this.#count++;
  }

  /**
   * Hands over the batch in an exact-size buffer (to be transferred and journaled) and starts a
   * fresh one. The copy drops the unused metadata slots, so a batch of three frames is not
   * 12 KiB of zeros on disk and across threads.
   */
  take(): { buffer: ArrayBuffer; count: number } {
    const count = this.#count;
    const metaEnd = HEADER + count * META;
    const shift = this.#dataStart - metaEnd;
    const out = new ArrayBuffer(metaEnd + this.dataBytes);
    const bytes = new Uint8Array(out);
    bytes.set(this.#bytes.subarray(0, metaEnd));
    bytes.set(this.#bytes.subarray(this.#dataStart, this.#write), metaEnd);
    const view = new DataView(out);
    view.setUint32(0, count, true);
    for (let k = 0; k < count; k++) {
      const m = HEADER + k * META + 8;
      view.setUint32(m, view.getUint32(m, true) - shift, true);
    }
    this.#nextData = Math.max(MIN_DATA, 2 ** Math.ceil(Math.log2(Math.max(1, this.dataBytes))));
    this.#count = 0;
    this.#write = this.#dataStart;
    // The working buffer is reused unless the last batch outgrew it by far.
    if (this.#buffer.byteLength > this.#dataStart + 4 * this.#nextData) {
      this.#buffer = new ArrayBuffer(this.#dataStart + this.#nextData);
      this.#view = new DataView(this.#buffer);
      this.#bytes = new Uint8Array(this.#buffer);
    }
    return { buffer: out, count };
  }

  #grow(need: number): void {
    const size = Math.max(this.#buffer.byteLength * 2, this.#write + need);
    const next = new ArrayBuffer(size);
    new Uint8Array(next).set(this.#bytes.subarray(0, this.#write));
    this.#buffer = next;
    this.#view = new DataView(next);
    this.#bytes = new Uint8Array(next);
  }
}

/** Frames in a taken batch. */
export function frameBatchCount(buffer: ArrayBuffer): number {
  return new DataView(buffer).getUint32(0, true);
}

/** The latest receivedAtMs of the batch's frames (0 for an empty batch). */
export function frameBatchNewest(buffer: ArrayBuffer): number {
  const view = new DataView(buffer);
  let newest = 0;
  for (let k = 0; k < view.getUint32(0, true); k++) newest = Math.max(newest, view.getFloat64(HEADER + k * META, true));
  return newest;
}

/** Reads a batch built by FrameBatchBuilder; the views share the batch's memory. */
export function* readFrameBatch(buffer: ArrayBuffer): Generator<FrameView> {
  const view = new DataView(buffer);
  const count = view.getUint32(0, true);
  for (let k = 0; k < count; k++) {
    const m = HEADER + k * META;
    const offset = view.getUint32(m + 8, true);
    const length = view.getUint32(m + 12, true);
    yield {
      receivedAtMs: view.getFloat64(m, true),
      bytes: new Uint8Array(buffer, offset, length),
      size: view.getUint32(m + 16, true),
      sourceIndex: view.getUint16(m + 20, true),
      framerReject: FRAMER_REJECT_CODES[view.getUint8(m + 22)] ?? null,
    };
  }
}
