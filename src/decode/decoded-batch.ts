/**
 * A decode task's result in one transferable buffer: the stats block, then the rows, their
 * publish JSON and the rejects packed with msgpackr.
 */
import { Packr } from 'msgpackr';
import type { MessageRow } from '../store/message-row.js';
import { STATS_BYTES, STATS_WORDS, summarizeStats } from './decode-stats.js';
import type { RejectReason } from './message.js';

/** receivedAtMs, sourceIndex, reason, detail, size, raw bytes (cut to the maximum frame size). */
export type RejectRow = [number, number, RejectReason, string, number, Uint8Array];

export interface DecodedPayload {
  rows: MessageRow[];
  /** Normalized message JSON per row, without its id (the writer adds it after the insert). */
  json: string[];
  rejects: RejectRow[];
  /** Alert matches: row index, term (as configured), field. */
  alerts?: AlertRow[];
}

export type AlertRow = [number, string, string];

const packr = new Packr({ useRecords: false, moreTypes: false });

export function encodeDecodedBatch(stats: Uint32Array, payload: DecodedPayload): ArrayBuffer {
  // msgpackr returns a view of its reusable internal buffer: copy it out before transferring.
  const packed = packr.pack(payload);
  const buffer = new ArrayBuffer(STATS_BYTES + packed.length);
  new Uint32Array(buffer, 0, STATS_WORDS).set(stats);
  new Uint8Array(buffer, STATS_BYTES).set(packed);
  return buffer;
}

export function decodedBatchStats(buffer: ArrayBuffer): Uint32Array {
  return new Uint32Array(buffer, 0, STATS_WORDS);
}

/** Frames the decode task read (stored, rejected or dropped alike). */
export function decodedBatchFrames(buffer: ArrayBuffer): number {
  return summarizeStats(decodedBatchStats(buffer)).frames;
}

export function decodeDecodedBatch(buffer: ArrayBuffer): DecodedPayload {
  return packr.unpack(new Uint8Array(buffer, STATS_BYTES)) as DecodedPayload;
}
