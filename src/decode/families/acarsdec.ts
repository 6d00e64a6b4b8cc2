/**
 * The flat frames of acarsdec (ACARS) and vdlm2dec (VDL-M2), both by T. Leconte and built by the
 * same JSON code: `{timestamp, station_id, channel, freq (MHz), level, error, mode, label,
 * block_id, ack, tail, flight, msgno, text, end, sublabel, mfi, depa, ..., libacars, app}`;
 * vdlm2dec adds `icao` and `toaddr` (integers), `is_response`, `is_onground`, and position
 * fields (`lat`, `lon`, `alt`, `epu`) when it decodes one.
 */

import type { DecoderType } from '../message.js';
import {
  ack,
  cleanLabel,
  directionFromBlock,
  icaoFromInt,
  int,
  isObj,
  mhz,
  num,
  str,
  takeApp,
  text,
  type Obj,
} from '../fields.js';
import { addDecoded, newMessage, setExtra, take, takeEpoch, takeTail, type FamilyResult } from './common.js';

export function fromFlat(frame: Obj, type: DecoderType, receivedAtMs: number): FamilyResult {
  const time = takeEpoch(frame, 'timestamp', 'timestamp', receivedAtMs / 1000);
  if (typeof time === 'string') return time;

  const m = newMessage(type, time);
  m.decoder = takeApp(frame);
  m.station = take(frame, 'station_id', text);
  m.freq = take(frame, 'freq', mhz);
  m.channel = take(frame, 'channel', int);
  m.level = take(frame, 'level', num);
  m.noise = take(frame, 'noise', num);
  m.error = take(frame, 'error', num);

  m.label = take(frame, 'label', cleanLabel);
  m.mode = take(frame, 'mode', text);
  m.blockId = take(frame, 'block_id', text);
  m.sublabel = take(frame, 'sublabel', text);
  m.mfi = take(frame, 'mfi', text);
  m.flight = take(frame, 'flight', text);
  m.msgno = take(frame, 'msgno', text);
  m.text = take(frame, 'text', str);

  m.tail = takeTail(frame, 'tail');

  // acarsdec and vdlm2dec write `"ack": false` exactly when the ack character is NAK (their
  // output.c/outacars.c: `if (ack == '!') AddFalse(...)`), so false here is NAK, spelled `!`
  // as dumpvdl2, dumphfdl, JAERO and SatDump spell it. A missing ack (squitters) stays null.
  const k = frame.ack;
  if (k === false) {
    m.ack = '!';
    delete frame.ack;
  } else {
    m.ack = take(frame, 'ack', ack);
  }

  // `end: true` is written when the block ends with ETB, i.e. MORE blocks follow (despite its
  // name). Its absence proves nothing: the corpus has first blocks of multi-block messages
  // without it, so absent stays null (unknown).
  if (frame.end === true) {
    m.more = true;
    delete frame.end;
  }

  m.depa = take(frame, 'depa', text);
  m.dsta = take(frame, 'dsta', text);
  m.eta = take(frame, 'eta', text);
  m.gtout = take(frame, 'gtout', text);
  m.gtin = take(frame, 'gtin', text);
  m.wloff = take(frame, 'wloff', text);
  m.wlin = take(frame, 'wlin', text);
  m.lat = take(frame, 'lat', num);
  m.lon = take(frame, 'lon', num);
  m.alt = take(frame, 'alt', num);

  // vdlm2dec: the aircraft's address and the AVLC destination address, as 24-bit integers.
  m.icao = take(frame, 'icao', icaoFromInt);
  m.dstAddr = take(frame, 'toaddr', icaoFromInt);

  const la = frame.libacars;
  if (isObj(la)) {
    addDecoded(m, 'libacars', la);
    delete frame.libacars;
  }

  m.direction = directionFromBlock(m.blockId, m.label);
  if (m.label !== null) {
    m.isAcars = true;
  } else {
    // vdlm2dec writes frames with no ACARS content at all (just addresses).
    m.frameKind = type === 'VDL-M2' ? 'avlc' : 'acars';
  }
  return setExtra(m, frame);
}
