/**
 * The corpus decoded once, through the decode worker's own function, into row templates; and
 * copies of those rows re-packed with new times (and stations) into decoded-batch buffers, the
 * exact input MessageWriter.writeBatch takes from a decode worker.
 */
import { encodeDecodedBatch, decodeDecodedBatch, type DecodedPayload } from '../../../src/decode/decoded-batch.js';
import { decodeFrames } from '../../../src/decode/decode-frames.js';
import { STATS_WORDS } from '../../../src/decode/decode-stats.js';
import { DECODER_TYPES } from '../../../src/decode/message.js';
import { FrameBatchBuilder } from '../../../src/ingest/frame-batch.js';
import { COL, type MessageRow } from '../../../src/store/message-row.js';
import { loadCorpus } from '../../lib/corpus.js';

export interface RowTemplates {
  rows: MessageRow[];
  /** Publish JSON per row, as the decode worker made it (the writer only wraps it). */
  json: string[];
  frames: number;
  rejects: number;
}

/** Every corpus frame through decodeFrames with its file's listener type as hint, non-ACARS rows kept. */
export function decodeCorpusRows(): RowTemplates {
  const corpus = loadCorpus();
  const encoder = new TextEncoder();
  // Source index k is a listener of type DECODER_TYPES[k], so each frame's hint is its source.
  const builder = new FrameBatchBuilder(corpus.length);
  const now = Date.now();
  for (const f of corpus) builder.add(encoder.encode(f.text), DECODER_TYPES.indexOf(f.hint), now, null);
  const decoded = decodeDecodedBatch(decodeFrames(builder.take().buffer, { sourceTypes: DECODER_TYPES, storeNonAcars: true }));
  if (decoded.rows.length === 0) throw new Error('the corpus decoded to no rows');
  // In capture-time order, not file order: the ACARS, VDL-M2 and HFDL captures of one station
  // then interleave as they did on air, so a run of rows holds every type, as live traffic does.
  const order = decoded.rows.map((_, k) => k).sort((a, b) => (decoded.rows[a]![COL.msg_time] as number) - (decoded.rows[b]![COL.msg_time] as number));
  return {
    rows: order.map((k) => decoded.rows[k]!),
    json: order.map((k) => decoded.json[k]!),
    frames: corpus.length,
    rejects: decoded.rejects.length,
  };
}

/** What one copied row becomes: its msg_time (epoch seconds) and, if set, its station. */
export interface Retime {
  msgTime: number;
  station?: string;
}

const EMPTY_STATS = new Uint32Array(STATS_WORDS);

/**
 * Rows templates[start], templates[start + 1], ... (cycled), `count` of them, with row k given
 * `retime(k)`; received_at follows msg_time by a fraction of a second as on a live feed.
 */
export function packRetimed(t: RowTemplates, start: number, count: number, retime: (k: number) => Retime): ArrayBuffer {
  const payload: DecodedPayload = { rows: new Array<MessageRow>(count), json: new Array<string>(count), rejects: [] };
  for (let k = 0; k < count; k++) {
    const i = (start + k) % t.rows.length;
    const row = t.rows[i]!.slice();
    const r = retime(k);
    row[COL.msg_time] = r.msgTime;
    row[COL.received_at] = Math.round(r.msgTime * 1000) + 150;
    if (r.station !== undefined) row[COL.station_id] = r.station;
    payload.rows[k] = row;
    payload.json[k] = t.json[i]!;
  }
  return encodeDecodedBatch(EMPTY_STATS, payload);
}
