/**
 * What the decode worker adds to a normalized message: label decoding (guarded: a library
 * failure marks the message, never drops it), a position from the decoding or from ADS-C when
 * the frame had none, enrichment from the reference tables, and the dedup key. Returns the
 * stored columns and the extra JSON fields for live clients.
 */
import { dedupKey } from './dedup-key.js';
import { enrich, groundStationAddress, loadReference, type Reference } from './enrichment.js';
import { decodeLabel, prepareLabelDecoder, type LabelDecoding } from './label-decoder.js';
import type { Message } from './message.js';
import { positionOf } from './payload-position.js';
import type { MessageIntel } from '../store/message-row.js';

let reference: Reference | null = null;

export interface IntelResult {
  intel: MessageIntel;
  /** `,"labelDecoded":...,"enrichment":...` or '' : appended to the message's JSON. */
  json: string;
}

/**
 * Loads the reference tables and builds the label decoder: at a decode or reader thread's start,
 * so the first batches or queries do not pay it (about 15 ms, in front of live traffic).
 */
export function prepareIntel(): void {
  referenceTables();
  prepareLabelDecoder();
}

/** The reference tables, loaded once per thread on first use (or by prepareIntel). */
export function referenceTables(): Reference {
  return (reference ??= loadReference());
}

/** Fills m.lat/lon/alt in place when the decodings give a position and the frame did not. */
export function messageIntel(m: Message): IntelResult {
  const tables = referenceTables();
  let label: LabelDecoding | null = null;
  let labelDecoded: string | null = null;
  let decodeLevel: string | null = null;
  let json = '';
  if (m.isAcars) {
    const r = decodeLabel(m);
    if (r.kind === 'decoded') {
      label = r.value;
      // The formatted items are stored nowhere: they restate `raw` for display (about half the
      // decoding's size), and the stored label and text give them back by decoding again.
      const { items, ...stored } = r.value;
      labelDecoded = JSON.stringify(stored);
      decodeLevel = r.value.level;
      json += `,"labelDecoded":${labelDecoded.slice(0, -1)},"items":${JSON.stringify(items)}}`;
    } else if (r.kind === 'failed') {
      labelDecoded = JSON.stringify({ error: r.error });
      decodeLevel = 'error';
      json += `,"labelDecoded":${labelDecoded}`;
    }
    if (decodeLevel !== null) json += `,"decodeLevel":"${decodeLevel}"`;
    if (m.lat === null || m.lon === null) {
      const p = positionOf(label, m.decoded);
      if (p !== null) {
        m.lat = p.lat;
        m.lon = p.lon;
        if (m.alt === null) m.alt = p.alt;
        json += `,"positionSource":${JSON.stringify(p.source)}`;
      }
    }
  }
  const e = enrich(tables, m);
  if (e !== null) json += `,"enrichment":${JSON.stringify(e)}`;
  return {
    intel: { labelDecoded, decodeLevel, airline: e?.airline?.icao ?? null, gsAddr: groundStationAddress(m), dedupKey: dedupKey(m) },
    json,
  };
}
