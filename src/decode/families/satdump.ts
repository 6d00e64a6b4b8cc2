/**
 * SatDump's Inmarsat Aero output (flat): `{msg_name, timestamp (integer s), source{app{name,
 * version}, station_id}, freq ("1546.020" MHz), level ("-1.7" dB), label, message, plane_reg,
 * mode/bi/tak (ASCII codes), more_to_come, signal_unit{aes_id (decimal ICAO), ges_id, ref_no}}`.
 * Most frames are not ACARS (system tables, "Unknown"): only `msg_name == "ACARS"` is.
 */

import {
  asciiChar,
  cleanLabel,
  directionFromBlock,
  dropIfEmpty,
  icaoFromInt,
  isObj,
  mhz,
  mhzFromHz,
  num,
  str,
  takeApp,
  text,
  type Obj,
} from '../fields.js';
import { newMessage, setExtra, take, takeBool, takeEpoch, takeTail, type FamilyResult } from './common.js';

export function fromSatdump(frame: Obj, receivedAtMs: number): FamilyResult {
  const time = takeEpoch(frame, 'timestamp', 'timestamp', receivedAtMs / 1000);
  if (typeof time === 'string') return time;

  const m = newMessage('IMS-L', time);
  m.freq = take(frame, 'freq', mhz);
  const source = frame.source;
  if (isObj(source)) {
    m.decoder = takeApp(source);
    const sid = source.station_id;
    // Bare SatDump puts the channel frequency in Hz where a station name belongs.
    if (typeof sid === 'string' && isNumeric(sid)) {
      if (m.freq === null) {
        m.freq = mhzFromHz(sid);
        if (m.freq !== null) delete source.station_id;
      }
    } else {
      m.station = take(source, 'station_id', text);
    }
    dropIfEmpty(frame, 'source');
  }
  m.level = take(frame, 'level', num);

  const name = frame.msg_name;
  if (name === 'ACARS') {
    m.isAcars = true;
    delete frame.msg_name;
  } else {
    m.frameKind = typeof name === 'string' ? 'imsl:' + name : 'imsl';
    if (typeof name === 'string') delete frame.msg_name;
  }

  m.label = take(frame, 'label', cleanLabel);
  m.text = take(frame, 'message', str);
  m.flight = take(frame, 'flight', text);
  m.mode = take(frame, 'mode', asciiChar);
  m.blockId = take(frame, 'bi', asciiChar);
  m.ack = take(frame, 'tak', asciiChar);
  m.more = takeBool(frame, 'more_to_come');
  m.tail = takeTail(frame, 'plane_reg');

  const su = frame.signal_unit;
  if (isObj(su)) {
    m.icao = take(su, 'aes_id', icaoFromInt);
    dropIfEmpty(frame, 'signal_unit');
  }
  if (m.isAcars) m.direction = directionFromBlock(m.blockId, m.label);
  return setExtra(m, frame);
}

/** Digits with at most one dot: "1545125000" is a frequency, "RP-KLDJ-IMSL-98W" is a name. */
function isNumeric(s: string): boolean {
  if (s.length === 0) return false;
  let dots = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 46) dots++;
    else if (c < 48 || c > 57) return false;
  }
  return dots <= 1 && s.length > dots;
}
