/**
 * The aircraft position a message's decoded content reports, if any: ADS-C reports in the
 * decoders' own libacars output, or the position the label decoder read from the text.
 *
 * Where the ADS-C tags sit: dumpvdl2 and dumphfdl put libacars' ARINC-622 output under
 * `arinc622` (`decoded.arinc622.adsc.tags`); acarsdec puts libacars' whole tree under `libacars`
 * (`decoded.libacars.arinc622.adsc.tags`); MIAM-wrapped messages nest it deeper. So the ADS-C
 * node is searched for by key, not by a fixed path.
 */

import type { LabelDecoding } from './label-decoder.js';

export interface PayloadPosition {
  lat: number;
  lon: number;
  /** Feet; null when not reported or not plausible. */
  alt: number | null;
  /** Where it came from: `adsc:<tag>` (e.g. `adsc:basic_report`) or `label:<decoder>` (e.g. `label:arinc-702`). */
  source: string;
}

/**
 * libacars' downlink tags that carry the aircraft's current position in the basic report
 * format `{lat, lon, alt, ts_sec, pos_accuracy_nm, nav_redundancy, tcas_avail}` (libacars
 * adsc.c: every one of these is parsed and formatted as a basic report).
 */
const REPORT_TAGS = [
  'basic_report',
  'emerg_basic_report',
  'lat_dev_change_event',
  'vspd_chg_event',
  'alt_range_event',
  'wpt_change_event',
] as const;

/** Payloads are small trees; a bound keeps a hostile or broken one from costing much. */
const MAX_DEPTH = 8;

/** Plausible altitudes in feet: below the Dead Sea shore to well above any airliner. */
const MIN_ALT = -2000;
const MAX_ALT = 100000;

/**
 * ADS-C first: it is binary, machine-encoded and exact, where label decoding parses free text.
 */
export function positionOf(label: LabelDecoding | null, decoded: Record<string, unknown> | null): PayloadPosition | null {
  if (decoded !== null) {
    const p = adscIn(decoded, 0);
    if (p !== null) return p;
  }
  return label === null ? null : labelPosition(label);
}

function adscIn(o: Record<string, unknown>, depth: number): PayloadPosition | null {
  for (const key in o) {
    const v = o[key];
    if (!isRecord(v)) continue;
    // A failed ARINC-622 CRC means the ADS-C bytes are damaged: their numbers are junk.
    if (key === 'adsc' && o.crc_ok !== false) {
      const p = reportIn(v.tags);
      if (p !== null) return p;
    } else if (depth < MAX_DEPTH) {
      const p = adscIn(v, depth + 1);
      if (p !== null) return p;
    }
  }
  return null;
}

/** `tags` is a list of single-key objects, `[{"ack": {...}}, {"basic_report": {...}}]`. */
function reportIn(tags: unknown): PayloadPosition | null {
  if (!Array.isArray(tags)) return null;
  for (const tag of tags) {
    if (!isRecord(tag)) continue;
    for (const name of REPORT_TAGS) {
      const r = tag[name];
      // -1 is libacars' "NAV capability lost": the position is not a fix.
      if (!isRecord(r) || r.pos_accuracy_nm === -1) continue;
      const p = position(r.lat, r.lon, r.alt, `adsc:${name}`);
      if (p !== null) return p;
    }
  }
  return null;
}

function labelPosition(label: LabelDecoding): PayloadPosition | null {
  const pos = label.raw.position;
  if (!isRecord(pos)) return null;
  return position(pos.latitude, pos.longitude, label.raw.altitude, `label:${label.decoder}`);
}

function position(lat: unknown, lon: unknown, alt: unknown, source: string): PayloadPosition | null {
  if (typeof lat !== 'number' || typeof lon !== 'number') return null;
  if (!(lat >= -90 && lat <= 90 && lon >= -180 && lon <= 180)) return null; // also rejects NaN
  // 0,0 is what an all-zero field decodes to, not where aircraft report from.
  if (lat === 0 && lon === 0) return null;
  const a = typeof alt === 'number' && alt >= MIN_ALT && alt <= MAX_ALT ? alt : null;
  return { lat, lon, alt: a, source };
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
