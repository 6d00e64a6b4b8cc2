/**
 * iridium-toolkit (`reassembler.py -m acars -a json`): `{app{name, version}, source{transport,
 * protocol, station_id}, acars{timestamp (ISO, `Z` optional), errors, link_direction, block_end,
 * mode, tail, label, block_id, message_number, ack, text, flight?}, freq (Hz, when known), level}`.
 */

import {
  cleanLabel,
  directionFromBlock,
  dropIfEmpty,
  int,
  isObj,
  isoToEpoch,
  jsonType,
  mhzFromHz,
  num,
  str,
  takeApp,
  text,
  type Obj,
} from '../fields.js';
import type { Direction } from '../message.js';
import { describe, newMessage, setExtra, take, takeAck, takeTail, type FamilyResult } from './common.js';

export function fromIridium(frame: Obj, receivedAtMs: number): FamilyResult {
  const a = frame.acars;
  if (!isObj(a)) return `acars: expected an object, got ${jsonType(a)}`;

  let time = receivedAtMs / 1000;
  const ts = a.timestamp;
  if (ts !== undefined && ts !== null) {
    const t = typeof ts === 'string' ? isoToEpoch(ts) : null;
    if (t === null) return `acars.timestamp: expected an ISO-8601 time, got ${describe(ts)}`;
    time = t;
    delete a.timestamp;
  }

  const m = newMessage('IRDM', time);
  m.decoder = takeApp(frame);
  const source = frame.source;
  if (isObj(source)) {
    m.station = take(source, 'station_id', text);
    dropIfEmpty(frame, 'source');
  }
  m.freq = take(frame, 'freq', mhzFromHz);
  m.level = take(frame, 'level', num);

  m.isAcars = true;
  m.error = take(a, 'errors', int);
  m.direction = take(a, 'link_direction', direction);
  // block_end true = last block, so more blocks follow exactly when it is false.
  const end = a.block_end;
  if (typeof end === 'boolean') {
    m.more = !end;
    delete a.block_end;
  }
  m.mode = take(a, 'mode', text);
  m.label = take(a, 'label', cleanLabel);
  m.blockId = take(a, 'block_id', text);
  m.msgno = take(a, 'message_number', text);
  m.flight = take(a, 'flight', text);
  m.text = take(a, 'text', str);
  m.ack = takeAck(a, 'ack');
  m.tail = takeTail(a, 'tail');
  if (m.direction === null) m.direction = directionFromBlock(m.blockId, m.label);
  dropIfEmpty(frame, 'acars');
  return setExtra(m, frame);
}

function direction(v: unknown): Direction | null {
  return v === 'uplink' || v === 'downlink' ? v : null;
}
