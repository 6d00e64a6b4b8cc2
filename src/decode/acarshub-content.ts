/**
 * ACARS Hub's rule for which frames are worth storing when saving everything is off
 * (`DB_SAVEALL` off, or `CONTRAIL_STORE_NON_ACARS=false`). Both of its generations are honoured,
 * so a frame either one stored is stored here too:
 * - v4 (TypeScript): a non-blank text, label, flight, tail, depa, dsta, or "libacars" column;
 * - the Python era: a text, libacars, depa, dsta, eta, gtout, gtin, wloff, wlin, lat, lon or alt field.
 *
 * ACARS Hub's "libacars" column is not only libacars output: it also holds an HFDL frame's
 * squitter (SPDU) and its frequency data (`hfnpdu.freq_data`), so those frames count as content.
 * ATN traffic (`x25`) never reaches that column and does not count. An HFDL `hfnpdu.pos` counts
 * even when it is dumphfdl's 180/180 "no position" marker, which ACARS Hub stored as a position
 * and Contrail leaves in `extra`.
 */

import { isObj } from './fields.js';
import type { Message } from './message.js';

const TEXT_FIELDS = ['text', 'label', 'flight', 'tail', 'depa', 'dsta', 'eta', 'gtout', 'gtin', 'wloff', 'wlin'] as const;

/** Decoded payloads ACARS Hub stores in its libacars column. */
const LIBACARS_KEYS = ['libacars', 'arinc622'] as const;

export function hasAcarsHubContent(m: Message): boolean {
  for (const f of TEXT_FIELDS) {
    const v = m[f];
    if (v !== null && v.trim() !== '') return true;
  }
  if (m.lat !== null || m.lon !== null || m.alt !== null) return true;
  const decoded = m.decoded;
  if (decoded !== null && LIBACARS_KEYS.some((k) => decoded[k] !== undefined)) return true;
  if (m.type !== 'HFDL') return false;
  if (m.frameKind === 'hfdl:spdu') return true;
  const hfnpdu = hfdlHfnpduRest(m);
  return hfnpdu !== null && (isPresent(hfnpdu.freq_data) || isPresent(hfnpdu.pos));
}

/** What of dumphfdl's `hfnpdu` has no column is still where the decoder put it, in `extra`. */
function hfdlHfnpduRest(m: Message): Record<string, unknown> | null {
  const hfdl = m.extra?.hfdl;
  const lpdu = isObj(hfdl) ? hfdl.lpdu : undefined;
  const hfnpdu = isObj(lpdu) ? lpdu.hfnpdu : undefined;
  return isObj(hfnpdu) ? hfnpdu : null;
}

function isPresent(v: unknown): boolean {
  return typeof v === 'object' && v !== null;
}
