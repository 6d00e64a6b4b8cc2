/**
 * Which decoder wrote a frame, from its shape alone (the listener's type is only a hint).
 * Cheap checks on top-level keys, most common families first.
 */

import type { DecoderType } from './message.js';
import { isObj, type Obj } from './fields.js';

export type Family =
  | 'dumpvdl2'
  | 'dumphfdl'
  | 'acarsdec'
  | 'vdlm2dec'
  /** flat acarsdec-shaped frame with nothing to tell acarsdec from vdlm2dec */
  | 'flat'
  | 'satdump'
  | 'jaero'
  | 'iridium';

/** The stored type of each family; `flat` is decided with the hint. */
export const FAMILY_TYPE: Readonly<Record<Exclude<Family, 'flat'>, DecoderType>> = {
  dumpvdl2: 'VDL-M2',
  dumphfdl: 'HFDL',
  acarsdec: 'ACARS',
  vdlm2dec: 'VDL-M2',
  satdump: 'IMS-L',
  jaero: 'IMS-L',
  iridium: 'IRDM',
};

export function detectFamily(o: Obj): Family | null {
  // Wrapped families: the wrapper key is the decoder's signature even if its content is broken
  // (a broken content is then an invalid-field reject, not an unknown format).
  if (o.vdl2 !== undefined) return 'dumpvdl2';
  if (o.hfdl !== undefined) return 'dumphfdl';
  if (o.isu !== undefined) return 'jaero';
  if (isObj(o.acars)) return 'iridium';

  const app = o.app;
  const appName = isObj(app) ? app.name : undefined;
  if (appName === 'acarsdec') return 'acarsdec';
  if (appName === 'vdlm2dec') return 'vdlm2dec';
  if (appName === 'JAERO') return 'jaero';
  if (appName === 'iridium-toolkit') return 'iridium';

  const source = o.source;
  if (isObj(source)) {
    if (source.transport === 'iridium') return 'iridium';
    const sourceApp = source.app;
    if (isObj(sourceApp) && sourceApp.name === 'SatDump') return 'satdump';
  }
  if (o.msg_name !== undefined || o.signal_unit !== undefined) return 'satdump';

  // vdlm2dec's own fields: the AVLC addresses as integers and two link flags.
  if (
    typeof o.icao === 'number' ||
    o.toaddr !== undefined ||
    o.is_response !== undefined ||
    o.is_onground !== undefined
  ) {
    return 'vdlm2dec';
  }
  // acarsdec always writes `label`, and `timestamp` unless told not to; vdlm2dec always `timestamp`.
  if (o.timestamp !== undefined || typeof o.label === 'string') return 'flat';
  return null;
}
