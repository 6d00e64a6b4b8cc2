/**
 * One parsed JSON frame in, one normalized message (or a counted reject) out. Pure and
 * synchronous: the hot path of every ingest worker.
 */

import type { DecoderType, NormalizeResult } from './message.js';
import { isObj, jsonType, type Obj } from './fields.js';
import { detectFamily, FAMILY_TYPE, type Family } from './detect.js';
import type { FamilyResult } from './families/common.js';
import { fromFlat } from './families/acarsdec.js';
import { fromDumpvdl2 } from './families/dumpvdl2.js';
import { fromDumphfdl } from './families/dumphfdl.js';
import { fromSatdump } from './families/satdump.js';
import { fromJaero } from './families/jaero.js';
import { fromIridium } from './families/iridium.js';

/**
 * `value` (the result of JSON.parse) is consumed: mapped fields are deleted from it and the
 * pruned remainder becomes `message.extra`. `hint` is the listener's type; the frame's shape wins and a
 * disagreement is reported as `typeMismatch`. A frame without a time gets `receivedAtMs`.
 */
export function normalizeFrame(value: unknown, hint: DecoderType | null, receivedAtMs: number): NormalizeResult {
  if (!isObj(value)) return { ok: false, reason: 'not-object', detail: `JSON ${jsonType(value)}, not an object` };
  const family = detectFamily(value);
  if (family === null) return { ok: false, reason: 'unknown-format', detail: unknownDetail(value) };

  const type = typeOf(family, hint);
  const r = mapFamily(family, type, value, receivedAtMs);
  if (typeof r === 'string') return { ok: false, reason: 'invalid-field', detail: `${family}: ${r}` };
  return { ok: true, message: r, typeMismatch: hint !== null && hint !== type };
}

/**
 * A flat acarsdec-shaped frame with no vdlm2dec sign can come from either decoder: a VDL-M2
 * listener's word is taken for it, anything else makes it ACARS.
 */
function typeOf(family: Family, hint: DecoderType | null): DecoderType {
  if (family === 'flat') return hint === 'VDL-M2' ? 'VDL-M2' : 'ACARS';
  return FAMILY_TYPE[family];
}

function mapFamily(family: Family, type: DecoderType, frame: Obj, receivedAtMs: number): FamilyResult {
  switch (family) {
    case 'dumpvdl2':
      return fromDumpvdl2(frame, receivedAtMs);
    case 'dumphfdl':
      return fromDumphfdl(frame, receivedAtMs);
    case 'acarsdec':
    case 'vdlm2dec':
    case 'flat':
      return fromFlat(frame, type, receivedAtMs);
    case 'satdump':
      return fromSatdump(frame, receivedAtMs);
    case 'jaero':
      return fromJaero(frame, receivedAtMs);
    case 'iridium':
      return fromIridium(frame, receivedAtMs);
  }
}

/** Names the first few keys, enough to recognize a new decoder in the reject log. */
function unknownDetail(o: Obj): string {
  let keys = '';
  let n = 0;
  for (const k in o) {
    if (n === 5) {
      keys += ', ...';
      break;
    }
    keys += (n === 0 ? '' : ', ') + k;
    n++;
  }
  return n === 0 ? 'empty object' : `no decoder family has keys {${keys}}`;
}
