/**
 * The decode worker's work on one batch: UTF-8 check, JSON.parse, normalize, build rows.
 * Pure: it takes the batch buffer and returns the result buffer.
 */
import { readFrameBatch } from '../ingest/frame-batch.js';
import { toMessageRow } from '../store/message-row.js';
import type { AlertMatcher } from '../alerts/alert-matcher.js';
import { hasAcarsHubContent } from './acarshub-content.js';
import { messageIntel } from './message-intel.js';
import { DecodeStats } from './decode-stats.js';
import { encodeDecodedBatch, type DecodedPayload, type RejectRow } from './decoded-batch.js';
import type { DecoderType } from './message.js';
import { normalizeFrame } from './normalize.js';

export interface DecodeContext {
  /** Listener type per source index. */
  sourceTypes: readonly (DecoderType | null)[];
  /** Store every frame; false: only those ACARS Hub would store with DB_SAVEALL off (see acarshub-content.ts). */
  storeNonAcars: boolean;
  /** Alert terms compiled; null or empty: no matching. */
  matcher?: AlertMatcher | null;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

function firstError(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

export function decodeFrames(batch: ArrayBuffer, ctx: DecodeContext): ArrayBuffer {
  const stats = new DecodeStats();
  const payload: DecodedPayload = { rows: [], json: [], rejects: [], alerts: [] };
  const reject = (r: RejectRow, hint: DecoderType | null): void => {
    stats.rejected(hint, r[2]);
    payload.rejects.push(r);
  };
  let index = -1;
  for (const f of readFrameBatch(batch)) {
    index++;
    stats.frame();
    const hint = ctx.sourceTypes[f.sourceIndex] ?? null;
    // Raw bytes are copied out: the batch buffer goes away with this task.
    if (f.framerReject !== null) {
      const detail = f.framerReject === 'oversize' ? `frame of ${f.size} bytes exceeds the maximum frame size` : '';
      reject([f.receivedAtMs, f.sourceIndex, f.framerReject, detail, f.size, f.bytes.slice()], hint);
      continue;
    }
    let text: string;
    try {
      text = utf8.decode(f.bytes);
    } catch (e) {
      reject([f.receivedAtMs, f.sourceIndex, 'invalid-utf8', firstError(e), f.size, f.bytes.slice()], hint);
      continue;
    }
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (e) {
      reject([f.receivedAtMs, f.sourceIndex, 'invalid-json', firstError(e), f.size, f.bytes.slice()], hint);
      continue;
    }
    const result = normalizeFrame(value, hint, f.receivedAtMs);
    if (!result.ok) {
      reject([f.receivedAtMs, f.sourceIndex, result.reason, result.detail, f.size, f.bytes.slice()], hint);
      continue;
    }
    const m = result.message;
    if (result.typeMismatch) stats.mismatch();
    if (!ctx.storeNonAcars && !hasAcarsHubContent(m)) {
      stats.droppedNonAcars(m.type);
      continue;
    }
    stats.accepted(m.type);
    if (ctx.matcher && !ctx.matcher.empty && m.isAcars) {
      for (const a of ctx.matcher.match(m)) payload.alerts!.push([payload.rows.length, a.term, a.field]);
    }
    const intel = messageIntel(m);
    payload.rows.push(toMessageRow(m, f.receivedAtMs, index, intel.intel));
    payload.json.push(`{"receivedAt":${Math.round(f.receivedAtMs)},${JSON.stringify(m).slice(1, -1)}${intel.json}}`);
  }
  return encodeDecodedBatch(stats.words, payload);
}
