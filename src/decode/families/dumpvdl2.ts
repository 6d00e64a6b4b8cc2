/**
 * dumpvdl2: `{"vdl2":{app, t{sec,usec}, station, freq (Hz), idx, sig_level, noise_level,
 * hdr_bits_fixed, octets_corrected_by_fec, burst_len_octets, freq_skew, avlc{src, dst, cr,
 * frame_type, ..., acars | xid | x25}}}`.
 */

import {
  directionFromBlock,
  icao,
  int,
  isEmpty,
  isObj,
  jsonType,
  mhzFromHz,
  num,
  takeApp,
  text,
  dropIfEmpty,
  type Obj,
} from '../fields.js';
import type { Message } from '../message.js';
import { takeAcarsBlock } from './acars-block.js';
import { addDecoded, newMessage, setExtra, take, takeSecUsec, type FamilyResult } from './common.js';

const BROADCAST = 'FFFFFF';

export function fromDumpvdl2(frame: Obj, receivedAtMs: number): FamilyResult {
  const v = frame.vdl2;
  if (!isObj(v)) return `vdl2: expected an object, got ${jsonType(v)}`;
  const time = takeSecUsec(v, 't', 'vdl2.t', receivedAtMs / 1000);
  if (typeof time === 'string') return time;
  const avlc = v.avlc;
  if (avlc !== undefined && !isObj(avlc)) return `vdl2.avlc: expected an object, got ${jsonType(avlc)}`;

  const m = newMessage('VDL-M2', time);
  m.decoder = takeApp(v);
  m.station = take(v, 'station', text);
  m.freq = take(v, 'freq', mhzFromHz);
  m.channel = take(v, 'idx', int);
  m.level = take(v, 'sig_level', num);
  m.noise = take(v, 'noise_level', num);

  // Corrected bits and octets are the errors dumpvdl2 counts; uncorrectable ones drop the frame.
  const fixed = take(v, 'hdr_bits_fixed', int);
  const fec = take(v, 'octets_corrected_by_fec', int);
  let errors = (fixed ?? 0) + (fec ?? 0);
  let counted = fixed !== null || fec !== null;

  if (isObj(avlc)) {
    const r = mapAvlc(m, avlc);
    if (typeof r === 'string') return r;
    if (r > 0) {
      errors += r;
      counted = true;
    }
    dropIfEmpty(v, 'avlc');
  } else {
    m.frameKind = 'vdl2';
  }
  m.error = counted ? errors : null;

  dropIfEmpty(frame, 'vdl2');
  return setExtra(m, frame);
}

/** Maps the AVLC frame; returns the error count its payloads report, or an invalid-field detail. */
function mapAvlc(m: Message, avlc: Obj): number | string {
  const src = avlc.src;
  const dst = avlc.dst;
  let srcType: unknown;
  let dstType: unknown;
  if (isObj(src)) {
    m.srcAddr = take(src, 'addr', text);
    srcType = src.type;
  }
  if (isObj(dst)) {
    m.dstAddr = take(dst, 'addr', text);
    dstType = dst.type;
  }
  // The aircraft's address is the source on downlinks and the destination on uplinks
  // (unless the uplink is a broadcast to all aircraft, FFFFFF).
  if (srcType === 'Aircraft') {
    m.direction = 'downlink';
    m.icao = icao(m.srcAddr);
  } else if (srcType === 'Ground station') {
    m.direction = 'uplink';
    if (dstType === 'Aircraft' && m.dstAddr !== null && m.dstAddr.toUpperCase() !== BROADCAST) m.icao = icao(m.dstAddr);
  }

  let errors = 0;
  const acars = avlc.acars;
  if (acars !== undefined) {
    if (!isObj(acars)) return `vdl2.avlc.acars: expected an object, got ${jsonType(acars)}`;
    errors += takeAcarsBlock(m, acars);
    if (m.direction === null) m.direction = directionFromBlock(m.blockId, m.label);
    dropIfEmpty(avlc, 'acars');
  }

  const xid = avlc.xid;
  if (isObj(xid)) {
    if (xid.err === false) delete xid.err;
    else if (xid.err === true) errors++;
    takeXidParams(m, xid);
    dropIfEmpty(avlc, 'xid');
  }

  // Other payloads (x25 carrying ATN traffic, and whatever dumpvdl2 adds) are decoded content.
  for (const key in avlc) {
    if (key === 'src' || key === 'dst' || key === 'xid') continue;
    const p = avlc[key];
    if (isObj(p)) {
      addDecoded(m, key, p);
      delete avlc[key];
    }
  }

  if (!m.isAcars) {
    const ft = avlc.frame_type;
    m.frameKind = isObj(xid) || avlc.cmd === 'XID' ? 'avlc:XID' : typeof ft === 'string' ? 'avlc:' + ft : 'avlc';
  }
  if (isObj(src) && isEmpty(src)) delete avlc.src;
  if (isObj(dst) && isEmpty(dst)) delete avlc.dst;
  return errors;
}

/**
 * XID `vdl_params` is a list of {name, value}. `ac_location` ({loc{lat,lon}, alt} in feet) is the
 * aircraft's position and `dst_airport` its destination; both have columns and leave the list.
 * `gs_location` is the ground station's own position, not the aircraft's: it stays in `extra`.
 */
function takeXidParams(m: Message, xid: Obj): void {
  const params = xid.vdl_params;
  if (!Array.isArray(params)) return;
  for (let i = params.length - 1; i >= 0; i--) {
    const p: unknown = params[i];
    if (!isObj(p)) continue;
    if (p.name === 'ac_location' && isObj(p.value)) {
      const loc = p.value.loc;
      const lat = isObj(loc) ? num(loc.lat) : null;
      const lon = isObj(loc) ? num(loc.lon) : null;
      const alt = num(p.value.alt);
      if (lat !== null && lon !== null) {
        m.lat = lat;
        m.lon = lon;
        m.alt = alt;
        params.splice(i, 1);
      }
    } else if (p.name === 'dst_airport' && typeof p.value === 'string' && p.value.length > 0) {
      m.dsta = p.value;
      params.splice(i, 1);
    }
  }
  if (params.length === 0) delete xid.vdl_params;
}
