/**
 * The ACARS block dumpvdl2, dumphfdl and JAERO share (libacars' JSON shape):
 * `{label, sublabel, mfi, msg_text, reg, flight, msg_num, msg_num_seq, blk_id, ack, mode, more,
 * err, crc_ok, <decoded apps>}`.
 */

import type { Message } from '../message.js';
import { cleanLabel, isObj, msgno, str, text, type Obj } from '../fields.js';
import { addDecoded, take, takeAck, takeBool, takeTail } from './common.js';

/**
 * Maps the block onto `m` and removes what it mapped. Object-valued keys are the decoder's own
 * decoded applications (arinc622, media-adv, miam, ohma, and any libacars adds later) and go to
 * `decoded`. Returns the number of errors the block reports (err flag, failed CRC); the flags
 * stay in the frame when they report a problem, so `extra` shows which one it was.
 */
export function takeAcarsBlock(m: Message, a: Obj): number {
  m.isAcars = true;
  m.label = take(a, 'label', cleanLabel);
  m.sublabel = take(a, 'sublabel', text);
  m.mfi = take(a, 'mfi', text);
  m.mode = take(a, 'mode', text);
  m.blockId = take(a, 'blk_id', text);
  m.text = take(a, 'msg_text', str);
  m.flight = take(a, 'flight', text);
  m.more = takeBool(a, 'more');

  m.tail = takeTail(a, 'reg');

  m.ack = takeAck(a, 'ack');

  const num = a.msg_num;
  const seq = a.msg_num_seq;
  if (num !== undefined || seq !== undefined) {
    m.msgno = msgno(num, seq);
    if (typeof num === 'string') delete a.msg_num;
    if (typeof seq === 'string') delete a.msg_num_seq;
  }

  let errors = 0;
  if (a.err === false) delete a.err;
  else if (a.err === true) errors++;
  if (a.crc_ok === true) delete a.crc_ok;
  else if (a.crc_ok === false) errors++;

  for (const key in a) {
    const v = a[key];
    if (isObj(v)) {
      addDecoded(m, key, v);
      delete a[key];
    }
  }
  return errors;
}
