/**
 * dumphfdl: `{"hfdl":{app, t{sec,usec}, station, freq (Hz), sig_level, noise_level, freq_skew,
 * bit_rate, slot, spdu{...} | lpdu{src, dst, type, ac_info, hfnpdu{flight_id, pos, acars}}}}`.
 * Aircraft are numbered per ground station (`id`): those ids go to srcAddr/dstAddr, and the ICAO
 * address comes only from an `ac_info.icao` (on the LPDU, or on its aircraft endpoint).
 */

import {
  directionFromBlock,
  dropIfEmpty,
  icao,
  isObj,
  jsonType,
  mhzFromHz,
  num,
  takeApp,
  text,
  trimmedText,
  type Obj,
} from '../fields.js';
import type { Message } from '../message.js';
import { takeAcarsBlock } from './acars-block.js';
import { newMessage, setExtra, take, takeSecUsec, type FamilyResult } from './common.js';

export function fromDumphfdl(frame: Obj, receivedAtMs: number): FamilyResult {
  const h = frame.hfdl;
  if (!isObj(h)) return `hfdl: expected an object, got ${jsonType(h)}`;
  const time = takeSecUsec(h, 't', 'hfdl.t', receivedAtMs / 1000);
  if (typeof time === 'string') return time;

  const m = newMessage('HFDL', time);
  m.decoder = takeApp(h);
  m.station = take(h, 'station', text);
  m.freq = take(h, 'freq', mhzFromHz);
  m.level = take(h, 'sig_level', num);
  m.noise = take(h, 'noise_level', num);

  // dumphfdl reports errors only as per-layer `err` flags (and the ACARS CRC): 1 when any is set.
  let errors = 0;
  let counted = false;
  const spdu = h.spdu;
  const lpdu = h.lpdu;
  if (isObj(spdu)) {
    // Squitters: a ground station announcing itself and its frequencies to all aircraft.
    m.frameKind = 'hfdl:spdu';
    m.direction = 'uplink';
    const src = spdu.src;
    if (isObj(src)) m.srcAddr = idOf(src);
    counted = true;
    errors += takeErr(spdu);
  } else if (isObj(lpdu)) {
    counted = true;
    const r = mapLpdu(m, lpdu);
    if (typeof r === 'string') return r;
    errors += r;
    dropIfEmpty(h, 'lpdu');
  } else {
    m.frameKind = 'hfdl';
  }
  m.error = counted ? (errors > 0 ? 1 : 0) : null;

  dropIfEmpty(frame, 'hfdl');
  return setExtra(m, frame);
}

function mapLpdu(m: Message, lpdu: Obj): number | string {
  let errors = takeErr(lpdu);
  const src = lpdu.src;
  const dst = lpdu.dst;
  const srcType = isObj(src) ? src.type : undefined;
  if (isObj(src)) m.srcAddr = idOf(src);
  if (isObj(dst)) m.dstAddr = idOf(dst);
  if (srcType === 'Aircraft') m.direction = 'downlink';
  else if (srcType === 'Ground station') m.direction = 'uplink';

  // Logons carry `ac_info` on the LPDU; later traffic carries it on the aircraft endpoint,
  // which is how uplinks get their ICAO address.
  m.icao = takeIcao(lpdu);
  if (m.icao === null) {
    const aircraft = srcType === 'Aircraft' ? src : isObj(dst) && dst.type === 'Aircraft' ? dst : undefined;
    if (isObj(aircraft)) m.icao = takeIcao(aircraft);
  }

  const hfnpdu = lpdu.hfnpdu;
  let hfnpduType: string | null = null;
  if (isObj(hfnpdu)) {
    errors += takeErr(hfnpdu);
    m.flight = take(hfnpdu, 'flight_id', trimmedText);
    takePos(m, hfnpdu);
    const acars = hfnpdu.acars;
    if (acars !== undefined) {
      if (!isObj(acars)) return `hfdl.lpdu.hfnpdu.acars: expected an object, got ${jsonType(acars)}`;
      const flightId = m.flight;
      errors += takeAcarsBlock(m, acars);
      if (m.flight === null) m.flight = flightId;
      if (m.direction === null) m.direction = directionFromBlock(m.blockId, m.label);
      dropIfEmpty(hfnpdu, 'acars');
    }
    const t = hfnpdu.type;
    if (isObj(t)) hfnpduType = text(t.name);
    dropIfEmpty(lpdu, 'hfnpdu');
  }

  if (!m.isAcars) {
    const t = lpdu.type;
    const name = isObj(t) ? text(t.name) : null;
    let kind = name === null ? 'hfdl:lpdu' : 'hfdl:lpdu:' + name;
    if (hfnpduType !== null) kind += ':' + hfnpduType;
    m.frameKind = kind;
  }
  return errors;
}

/** Numeric aircraft or ground-station id, as a string; removed from the endpoint. */
function idOf(endpoint: Obj): string | null {
  const id = endpoint.id;
  if (typeof id === 'number' || (typeof id === 'string' && id.length > 0)) {
    delete endpoint.id;
    return String(id);
  }
  return null;
}

function takeIcao(o: Obj): string | null {
  const info = o.ac_info;
  if (!isObj(info)) return null;
  const r = take(info, 'icao', icao);
  dropIfEmpty(o, 'ac_info');
  return r;
}

/** `pos {lat, lon}`; dumphfdl writes 180/180 when the aircraft sent no position, which is not one. */
function takePos(m: Message, o: Obj): void {
  const pos = o.pos;
  if (!isObj(pos)) return;
  const lat = num(pos.lat);
  const lon = num(pos.lon);
  if (lat === null || lon === null || lat < -90 || lat > 90 || lon < -180 || lon > 180) return;
  m.lat = lat;
  m.lon = lon;
  delete pos.lat;
  delete pos.lon;
  dropIfEmpty(o, 'pos');
}

/** 1 when the layer's `err` flag is set; a clear flag is removed, a set one stays as evidence. */
function takeErr(o: Obj): number {
  if (o.err === false) {
    delete o.err;
    return 0;
  }
  return o.err === true ? 1 : 0;
}
