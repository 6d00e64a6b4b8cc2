/**
 * What the writer hands back after a commit: each stored message's ready-to-send WebSocket
 * payload (UTF-8 JSON) in one transferred buffer, so the main thread publishes bytes it never
 * parses or re-encodes.
 *
 * Layout, little-endian: u32 count, then per message u32 offset, u32 length, u32 kind (the
 * decoder type index, plus ALERT_FLAG for the alerts topic), then the payload bytes.
 */
import { Buffer } from 'node:buffer';
import { DECODER_TYPES, type DecoderType } from '../decode/message.js';

/** Set in a payload's kind when it goes to the alerts topic rather than the message topics. */
export const ALERT_FLAG = 0x100;

export type PublishTopic = 'messages' | 'alerts';

export function encodePublishBatch(payloads: readonly string[], typeIndexes: readonly number[]): ArrayBuffer {
  const n = payloads.length;
  let size = 4 + n * 12;
  for (const p of payloads) size += Buffer.byteLength(p, 'utf8');
  const buffer = new ArrayBuffer(size);
  const view = new DataView(buffer);
  const bytes = Buffer.from(buffer);
  view.setUint32(0, n, true);
  let write = 4 + n * 12;
  for (let k = 0; k < n; k++) {
    const length = bytes.write(payloads[k]!, write, 'utf8');
    const m = 4 + k * 12;
    view.setUint32(m, write, true);
    view.setUint32(m + 4, length, true);
    view.setUint32(m + 8, typeIndexes[k]!, true);
    write += length;
  }
  return buffer;
}

/** Calls `each` with a view of every payload, in commit order. */
export function forEachPublished(buffer: ArrayBuffer, each: (payload: Uint8Array, type: DecoderType, topic: PublishTopic) => void): void {
  const view = new DataView(buffer);
  const n = view.getUint32(0, true);
  for (let k = 0; k < n; k++) {
    const m = 4 + k * 12;
    const kind = view.getUint32(m + 8, true);
    const type = DECODER_TYPES[kind & 0xff];
    if (type === undefined) throw new RangeError(`publish batch: bad type index at ${k}`);
    each(new Uint8Array(buffer, view.getUint32(m, true), view.getUint32(m + 4, true)), type, kind & ALERT_FLAG ? 'alerts' : 'messages');
  }
}
