/**
 * Cuts a byte stream into JSON objects without parsing them: it only tracks brace depth and
 * string state. It handles objects glued together (`}{`), split across any number of reads,
 * separated by newlines or blank lines, and cut off (a truncated object is rejected and the
 * scan resynchronizes on the next newline or object start). Memory stays bounded by
 * maxFrameBytes whatever the input: past it, the run's bytes are discarded but its structure is
 * still followed, so the frames after it are found.
 *
 * Emitted frames are views into the input; a sink must copy what it keeps before returning.
 */

export type FramerRejectReason = 'truncated' | 'oversize' | 'garbage';

export interface FrameSink {
  frame(bytes: Uint8Array): void;
  /** `bytes` holds at most maxFrameBytes of the rejected input; `size` is its full length. */
  reject(reason: FramerRejectReason, bytes: Uint8Array, size: number): void;
}

const LF = 0x0a;
const CR = 0x0d;
const SPACE = 0x20;
const TAB = 0x09;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const COLON = 0x3a;
const COMMA = 0x2c;

const enum State {
  /** Between objects: whitespace is skipped, `{` starts an object, anything else is garbage. */
  Idle,
  Object,
  String,
  /** Bytes outside any object, up to the next newline or `{`. */
  Garbage,
}

const EMPTY = new Uint8Array(0);
/** Nesting deeper than this is not checked for misplaced `{` (decoders nest far less). */
const MAX_TRACKED = 64;

function isSpace(c: number): boolean {
  return c === SPACE || c === LF || c === CR || c === TAB;
}

export class JsonFramer {
  readonly #max: number;
  readonly #sink: FrameSink;
  #state: State = State.Idle;
  #depth = 0;
  /** Inside a string, the previous byte was a backslash (may straddle two chunks). */
  #escape = false;
  /** Last significant byte outside strings: tells whether a `{` may start a value here. */
  #last = 0;
  /** The previous byte was a line feed outside strings. */
  #lineStart = false;
  /** Container kinds by depth (1 = array, 0 = object), for the first MAX_TRACKED levels. */
  readonly #containers = new Uint8Array(MAX_TRACKED + 1);
  /** Bytes of the current run (object or garbage) from earlier chunks. */
  #parts: Uint8Array[] = [];
  /** Full length of the current run so far, earlier chunks only. */
  #runLength = 0;
  /** The run grew past maxFrameBytes: only its first bytes (#head) are kept. */
  #discard = false;
  #head: Uint8Array = EMPTY;

  constructor(maxFrameBytes: number, sink: FrameSink) {
    this.#max = maxFrameBytes;
    this.#sink = sink;
  }

  /** Feed the next chunk of a stream (or a whole datagram, then call end()). */
  push(chunk: Uint8Array): void {
    const n = chunk.length;
    let start = 0; // where the current run began in this chunk (0 if in an earlier one)
    let i = 0;
    while (i < n) {
      switch (this.#state) {
        case State.Idle: {
          const c = chunk[i]!;
          if (c === OPEN_BRACE) {
            this.#beginObject();
            start = i;
            i++;
          } else if (isSpace(c)) {
            i++;
          } else {
            this.#beginRun(State.Garbage);
            start = i;
          }
          break;
        }
        case State.Garbage: {
          const c = chunk[i]!;
          if (c === OPEN_BRACE || c === LF) {
            this.#finish('garbage', chunk, start, i);
          } else {
            i++;
          }
          break;
        }
        case State.String: {
          // Most of a frame's bytes are inside strings: scan them in a tight loop.
          const q = this.#scanString(chunk, i, n);
          if (q < 0) {
            i = n;
          } else if (chunk[q] === LF) {
            // JSON strings cannot hold a raw newline: the object was cut off.
            this.#finish('truncated', chunk, start, q);
            i = q + 1;
          } else {
            this.#state = State.Object;
            this.#last = QUOTE;
            i = q + 1;
          }
          break;
        }
        case State.Object: {
          const c = chunk[i]!;
          if (c === QUOTE) {
            this.#state = State.String;
            this.#escape = false;
            this.#lineStart = false;
          } else if (c === OPEN_BRACE || c === OPEN_BRACKET) {
            if (c === OPEN_BRACE && !this.#valueMayStart()) {
              // The previous object was cut off and a new one begins here.
              this.#finish('truncated', chunk, start, i);
              this.#beginObject();
              start = i;
            } else {
              const d = this.#depth++;
              if (d < MAX_TRACKED) this.#containers[d + 1] = c === OPEN_BRACKET ? 1 : 0;
              this.#last = c;
            }
            this.#lineStart = false;
          } else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) {
            this.#last = c;
            this.#lineStart = false;
            if (--this.#depth === 0) {
              this.#finish(null, chunk, start, i + 1);
            }
          } else if (c === LF) {
            this.#lineStart = true;
          } else if (c === SPACE || c === TAB) {
            this.#lineStart = false; // indented: a nested value of pretty-printed JSON
          } else if (c !== CR) {
            this.#last = c;
            this.#lineStart = false;
          }
          i++;
          break;
        }
      }
      if (this.#state !== State.Idle && !this.#discard && this.#runLength + (i - start) > this.#max) {
        this.#startDiscard(chunk, start, i);
        start = i;
      }
    }
    if (this.#state !== State.Idle) {
      // The run continues in the next chunk.
      if (this.#discard) this.#runLength += n - start;
      else if (start < n) {
        this.#parts.push(chunk.slice(start, n));
        this.#runLength += n - start;
      }
    }
  }

  /** The stream or datagram ended: an unfinished object is truncated. */
  end(): void {
    if (this.#state === State.Object || this.#state === State.String) this.#finish('truncated', EMPTY, 0, 0);
    else if (this.#state === State.Garbage) this.#finish('garbage', EMPTY, 0, 0);
  }

  /** Bytes held for an unfinished run; never more than maxFrameBytes. */
  get bufferedBytes(): number {
    return this.#discard ? this.#head.length : this.#runLength;
  }

  #beginRun(state: State.Object | State.Garbage): void {
    this.#state = state;
    this.#parts = [];
    this.#runLength = 0;
    this.#discard = false;
    this.#head = EMPTY;
  }

  #beginObject(): void {
    this.#beginRun(State.Object);
    this.#depth = 1;
    this.#containers[1] = 0;
    this.#last = OPEN_BRACE;
    this.#lineStart = false;
  }

  /**
   * Whether a `{` here can be a nested value. In an object only after `:`; in an array after
   * `[` or `,`. A `{` at the very start of a line inside an object is taken as a new frame:
   * decoders write one object per line, and pretty-printed JSON indents nested values.
   */
  #valueMayStart(): boolean {
    const l = this.#last;
    const d = this.#depth;
    if (d > MAX_TRACKED) return l === COLON || l === COMMA || l === OPEN_BRACKET;
    if (this.#containers[d] === 1) return l === OPEN_BRACKET || l === COMMA;
    return l === COLON && !this.#lineStart;
  }

  /**
   * From `from`, find the byte that ends the current string: the closing quote, or a raw newline
   * (truncation). Returns -1 when the chunk ends first.
   */
  #scanString(chunk: Uint8Array, from: number, n: number): number {
    let i = from;
    if (this.#escape) {
      if (i >= n) return -1;
      if (chunk[i] === LF) return i;
      this.#escape = false;
      i++;
    }
    while (i < n) {
      const c = chunk[i]!;
      if (c === QUOTE || c === LF) return i;
      if (c === BACKSLASH) {
        if (i + 1 >= n) {
          this.#escape = true;
          return -1;
        }
        if (chunk[i + 1] === LF) return i + 1;
        i += 2;
      } else {
        i++;
      }
    }
    return -1;
  }

  /** The run's bytes: earlier chunks joined with chunk[start, end). */
  #collect(chunk: Uint8Array, start: number, end: number): Uint8Array {
    if (this.#parts.length === 0) return chunk.subarray(start, end);
    const out = new Uint8Array(this.#runLength + (end - start));
    let o = 0;
    for (const p of this.#parts) {
      out.set(p, o);
      o += p.length;
    }
    out.set(chunk.subarray(start, end), o);
    return out;
  }

  #startDiscard(chunk: Uint8Array, start: number, end: number): void {
    const bytes = this.#collect(chunk, start, end);
    this.#head = bytes.slice(0, this.#max);
    this.#runLength = bytes.length;
    this.#parts = [];
    this.#discard = true;
  }

  /** Ends the current run: a frame when `reason` is null, otherwise a reject. */
  #finish(reason: FramerRejectReason | null, chunk: Uint8Array, start: number, end: number): void {
    if (this.#discard) {
      const size = this.#runLength + (end - start);
      this.#sink.reject(reason === 'garbage' ? 'garbage' : 'oversize', this.#head, size);
    } else {
      const bytes = this.#collect(chunk, start, end);
      // The closing byte can take a frame one past the limit after the last size check.
      if (bytes.length > this.#max) this.#sink.reject('oversize', bytes.subarray(0, this.#max), bytes.length);
      else if (reason === null) this.#sink.frame(bytes);
      else this.#sink.reject(reason, bytes, bytes.length);
    }
    this.#state = State.Idle;
    this.#parts = [];
    this.#runLength = 0;
    this.#discard = false;
    this.#head = EMPTY;
  }
}
