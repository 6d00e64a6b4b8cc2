/**
 * What the writer hands back after a commit: each stored message's ready-to-send WebSocket
 * payload (UTF-8 JSON) in one transferred buffer, so the main thread publishes bytes it never
 * parses or re-encodes. Beside each payload, a short meta line (label, flight, tail, ICAO,
 * station) lets the main thread route it to narrow subscriptions without parsing the payload.
 *
 * Layout, little-endian: u32 count, then per message u32 offset, u32 length, u32 kind (the
 * decoder type index, plus ALERT_FLAG for the alerts topic), u32 meta offset, u32 meta length;
 * then the payload and meta bytes.
 */
import { Buffer } from 'node:buffer';
import { DECODER_TYPES, type DecoderType } from '../decode/message.js';

/** Set in a payload's kind when it goes to the alerts topic rather than the message topics. */
export const ALERT_FLAG = 0x100;

export type PublishTopic = 'messages' | 'alerts';

const ENTRY = 20;

/** What routing knows of a published message: its type and the fields topics and filters match. */
export interface MessageMeta {
  type: DecoderType;
  label: string;
  flight: string;
  tail: string;
  /** The ICAO address (aircraft topics and the `icao` filter). */
  icao: string;
  station: string;
}

/** Separates the meta line's fields (US, 0x1f: never in a label, flight, tail, address or station id). */
const META_SEPARATOR = '\x1f';

const up = (s: string | null): string => (s === null ? '' : s.trim().toUpperCase());

/**
 * A message's routing meta from its stored columns: flights, tails and addresses upper-case and
 * trimmed, as topics name them; a missing field is ''. Live messages (through encodeMeta) and a
 * subscribe's history (from stored rows) are both normalized here, so they match alike.
 */
export function toMeta(type: DecoderType, label: string | null, flight: string | null, tail: string | null, icao: string | null, station: string | null): MessageMeta {
  return { type, label: label ?? '', flight: up(flight), tail: up(tail), icao: up(icao), station: station ?? '' };
}

/** The meta line of one message: toMeta's fields, normalized alike, without the type (the entry's kind carries it). */
export function encodeMeta(label: string | null, flight: string | null, tail: string | null, icao: string | null, station: string | null): string {
  return `${label ?? ''}${META_SEPARATOR}${up(flight)}${META_SEPARATOR}${up(tail)}${META_SEPARATOR}${up(icao)}${META_SEPARATOR}${station ?? ''}`;
}

function decodeMeta(type: DecoderType, line: string): MessageMeta {
  const [label = '', flight = '', tail = '', icao = '', station = ''] = line.split(META_SEPARATOR);
  return { type, label, flight, tail, icao, station };
}

/** `metas[k]`: the meta line of payload k ('' for alert payloads, which are not routed). */
export function encodePublishBatch(payloads: readonly string[], typeIndexes: readonly number[], metas: readonly string[] = []): ArrayBuffer {
  const n = payloads.length;
  let size = 4 + n * ENTRY;
  for (let k = 0; k < n; k++) size += Buffer.byteLength(payloads[k]!, 'utf8') + Buffer.byteLength(metas[k] ?? '', 'utf8');
  const buffer = new ArrayBuffer(size);
  const view = new DataView(buffer);
  const bytes = Buffer.from(buffer);
  view.setUint32(0, n, true);
  let write = 4 + n * ENTRY;
  for (let k = 0; k < n; k++) {
    const m = 4 + k * ENTRY;
    const length = bytes.write(payloads[k]!, write, 'utf8');
    view.setUint32(m, write, true);
    view.setUint32(m + 4, length, true);
    view.setUint32(m + 8, typeIndexes[k]!, true);
    write += length;
    const metaLength = bytes.write(metas[k] ?? '', write, 'utf8');
    view.setUint32(m + 12, write, true);
    view.setUint32(m + 16, metaLength, true);
    write += metaLength;
  }
  return buffer;
}

/** One published payload; `meta()` decodes its meta line (only routing needs it). */
export interface Published {
  payload: Uint8Array;
  type: DecoderType;
  topic: PublishTopic;
  meta(): MessageMeta;
}

/** Calls `each` with a view of every payload, in commit order. */
export function forEachPublished(buffer: ArrayBuffer, each: (p: Published) => void): void {
  const view = new DataView(buffer);
  const bytes = Buffer.from(buffer);
  const n = view.getUint32(0, true);
  for (let k = 0; k < n; k++) {
    const m = 4 + k * ENTRY;
    const kind = view.getUint32(m + 8, true);
    const type = DECODER_TYPES[kind & 0xff];
    if (type === undefined) throw new RangeError(`publish batch: bad type index at ${k}`);
    const metaStart = view.getUint32(m + 12, true);
    const metaEnd = metaStart + view.getUint32(m + 16, true);
    each({
      payload: new Uint8Array(buffer, view.getUint32(m, true), view.getUint32(m + 4, true)),
      type,
      topic: kind & ALERT_FLAG ? 'alerts' : 'messages',
      meta: () => decodeMeta(type, bytes.toString('utf8', metaStart, metaEnd)),
    });
  }
}
