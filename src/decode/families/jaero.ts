/**
 * JAERO "JSONdump": `{app{name:"JAERO", ver}, t{sec,usec}, station, isu{acars{...}, refno, qno,
 * src{type, addr}, dst{type, addr}}}`. No frequency or level; `t` is the time of output.
 * `isu.acars` is absent for non-ACARS signal units.
 */

import { directionFromBlock, dropIfEmpty, icao, isObj, jsonType, takeApp, text, type Obj } from '../fields.js';
import { takeAcarsBlock } from './acars-block.js';
import { newMessage, setExtra, take, takeSecUsec, type FamilyResult } from './common.js';

const AES = 'Aircraft Earth Station';
const GES = 'Ground Earth Station';

export function fromJaero(frame: Obj, receivedAtMs: number): FamilyResult {
  const time = takeSecUsec(frame, 't', 't', receivedAtMs / 1000);
  if (typeof time === 'string') return time;
  const isu = frame.isu;
  if (!isObj(isu)) return `isu: expected an object, got ${jsonType(isu)}`;

  const m = newMessage('IMS-L', time);
  m.decoder = takeApp(frame);
  m.station = take(frame, 'station', text);

  const src = isu.src;
  const dst = isu.dst;
  const srcType = isObj(src) ? src.type : undefined;
  if (isObj(src)) m.srcAddr = take(src, 'addr', text);
  if (isObj(dst)) m.dstAddr = take(dst, 'addr', text);
  // The aircraft (AES) is the source on downlinks and the destination on uplinks.
  if (srcType === AES) {
    m.direction = 'downlink';
    m.icao = icao(m.srcAddr);
  } else if (srcType === GES) {
    m.direction = 'uplink';
    if (isObj(dst) && dst.type === AES) m.icao = icao(m.dstAddr);
  }

  const acars = isu.acars;
  if (acars !== undefined) {
    if (!isObj(acars)) return `isu.acars: expected an object, got ${jsonType(acars)}`;
    const errors = takeAcarsBlock(m, acars);
    if (errors > 0) m.error = errors;
    if (m.direction === null) m.direction = directionFromBlock(m.blockId, m.label);
    m.text = unindent(m.text);
    dropIfEmpty(isu, 'acars');
  } else {
    m.frameKind = 'imsl:isu';
  }
  dropIfEmpty(frame, 'isu');
  return setExtra(m, frame);
}

/**
 * JAERO rewrites line ends to `\n` and indents continuation lines with a tab (`\n\t`); the tab
 * is JAERO's layout, not message content, so it is removed to match the other decoders' text.
 */
function unindent(s: string | null): string | null {
  if (s === null || s.indexOf('\n\t') < 0) return s;
  return s.split('\n\t').join('\n');
}
