/**
 * Inputs the micro suites build from the real captures: frames as bytes, frames grouped by
 * decoder family, normalized messages, and decode results of exactly N rows as the decode
 * workers hand them to the writer.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodeFrames } from '../../src/decode/decode-frames.js';
import { decodeDecodedBatch, encodeDecodedBatch, type DecodedPayload } from '../../src/decode/decoded-batch.js';
import { STATS_WORDS } from '../../src/decode/decode-stats.js';
import { detectFamily, type Family } from '../../src/decode/detect.js';
import { isObj } from '../../src/decode/fields.js';
import { DECODER_TYPES, type DecoderType, type Message } from '../../src/decode/message.js';
import { normalizeFrame } from '../../src/decode/normalize.js';
import { FrameBatchBuilder } from '../../src/ingest/frame-batch.js';
import { loadCorpus, type CorpusFrame } from '../lib/corpus.js';
import { packageRoot } from '../lib/paths.js';

/** Hand-written IMS-L and IRDM frames: no real captures of those families exist (corpus README). */
const FIXTURES: readonly [string, DecoderType][] = [
  ['imsl-satdump.jsonl', 'IMS-L'],
  ['imsl-jaero.jsonl', 'IMS-L'],
  ['irdm-iridium-toolkit.jsonl', 'IRDM'],
];

const utf8 = new TextEncoder();

export function fixtureFrames(): CorpusFrame[] {
  const out: CorpusFrame[] = [];
  for (const [file, hint] of FIXTURES) {
    for (const line of readFileSync(join(packageRoot, 'test/fixtures', file), 'utf8').split('\n')) {
      const text = line.trim();
      if (text) out.push({ file: `test/fixtures/${file}`, hint, text });
    }
  }
  return out;
}

export function toBytes(frames: readonly CorpusFrame[]): Uint8Array[] {
  return frames.map((f) => utf8.encode(f.text));
}

export interface FamilyFrames {
  family: Family;
  frames: CorpusFrame[];
}

/** Corpus and fixture frames by the family detectFamily sees, largest group first. */
export function framesByFamily(): FamilyFrames[] {
  const groups = new Map<Family, CorpusFrame[]>();
  for (const f of [...loadCorpus(), ...fixtureFrames()]) {
    const v: unknown = JSON.parse(f.text);
    const family = isObj(v) ? detectFamily(v) : null;
    if (family === null) continue;
    let g = groups.get(family);
    if (!g) groups.set(family, (g = []));
    g.push(f);
  }
  return [...groups].map(([family, frames]) => ({ family, frames })).sort((a, b) => b.frames.length - a.frames.length);
}

/** Every corpus frame that normalizes, as its message. */
export function normalizedCorpus(): Message[] {
  const out: Message[] = [];
  for (const f of loadCorpus()) {
    const r = normalizeFrame(JSON.parse(f.text), f.hint, Date.now());
    if (r.ok) out.push(r.message);
  }
  return out;
}

/** Source index per listener type, so decodeFrames sees each frame's real hint. */
export const SOURCE_TYPES: readonly DecoderType[] = DECODER_TYPES;

function batchOf(frames: readonly CorpusFrame[], bytes: readonly Uint8Array[], indexes: readonly number[]): ArrayBuffer {
  const builder = new FrameBatchBuilder(indexes.length);
  for (const i of indexes) builder.add(bytes[i]!, SOURCE_TYPES.indexOf(frames[i]!.hint), Date.now(), null);
  return builder.take().buffer;
}

/** `count` batches of `size` corpus frames (the dispatcher's default batch is 512), cycling through the corpus. */
export function frameBatches(size: number, count: number): ArrayBuffer[] {
  const corpus = loadCorpus();
  const bytes = toBytes(corpus);
  return Array.from({ length: count }, (_, b) => batchOf(corpus, bytes, Array.from({ length: size }, (_, j) => (b * size + j) % corpus.length)));
}

/**
 * Decode results holding exactly `size` rows each (no rejects), in the buffer format the writer
 * reads: the corpus decoded with the real decode task, its rows regrouped.
 */
export function decodedRowBatches(size: number, count: number): ArrayBuffer[] {
  const all: DecodedPayload = { rows: [], json: [], rejects: [] };
  const corpus = loadCorpus();
  const bytes = toBytes(corpus);
  // Each corpus frame once: batches of 512 and a shorter last one.
  for (let from = 0; from < corpus.length; from += 512) {
    const indexes = Array.from({ length: Math.min(512, corpus.length - from) }, (_, j) => from + j);
    const buffer = batchOf(corpus, bytes, indexes);
    const p = decodeDecodedBatch(decodeFrames(buffer, { sourceTypes: SOURCE_TYPES, storeNonAcars: true }));
    all.rows.push(...p.rows);
    all.json.push(...p.json);
  }
  const out: ArrayBuffer[] = [];
  let k = 0;
  for (let b = 0; b < count; b++) {
    const payload: DecodedPayload = { rows: [], json: [], rejects: [] };
    for (let r = 0; r < size; r++, k++) {
      payload.rows.push(all.rows[k % all.rows.length]!);
      payload.json.push(all.json[k % all.json.length]!);
    }
    out.push(encodeDecodedBatch(new Uint32Array(STATS_WORDS), payload));
  }
  return out;
}
