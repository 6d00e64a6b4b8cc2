/**
 * The two encodings a WebSocket client can speak: JSON text frames (the default) or MessagePack
 * binary frames (subprotocol `contrail.msgpack`). Same objects either way. MessagePack is plain
 * maps and arrays (msgpackr with records off), so any MessagePack library reads it.
 */
import { C1, Packr, Unpackr } from 'msgpackr';

export type Encoding = 'json' | 'msgpack';

/** The subprotocol a client offers to get MessagePack frames. */
export const MSGPACK_PROTOCOL = 'contrail.msgpack';

// Records (msgpackr's extension) would make frames unreadable by other MessagePack libraries.
const packr = new Packr({ useRecords: false, moreTypes: false });
const unpackr = new Unpackr({ useRecords: false, mapsAsObjects: true });

/** Encodes one frame. MessagePack bytes are copied out of msgpackr's reusable buffer, so they may be kept. */
export function encodeFrame(encoding: Encoding, value: unknown): string | Uint8Array {
  if (encoding === 'json') return JSON.stringify(value);
  return Uint8Array.prototype.slice.call(packr.pack(value));
}

/** A published JSON payload re-encoded as MessagePack (once per message, only when a MessagePack client wants it). */
export function jsonToMsgpack(payload: Uint8Array): Uint8Array {
  return encodeFrame('msgpack', JSON.parse(textDecoder.decode(payload))) as Uint8Array;
}

const textDecoder = new TextDecoder();

export class FrameError extends Error {}

/**
 * A client's frame as a value: JSON text from anyone; binary frames only from MessagePack clients.
 * Throws FrameError saying what was wrong.
 */
export function decodeFrame(encoding: Encoding, message: ArrayBuffer, isBinary: boolean): unknown {
  if (isBinary) {
    if (encoding !== 'msgpack') throw new FrameError(`binary frames need the ${MSGPACK_PROTOCOL} subprotocol; requests are JSON text frames`);
    let value: unknown;
    try {
      value = unpackr.unpack(new Uint8Array(message));
    } catch {
      throw new FrameError('request is not valid MessagePack');
    }
    if (holdsC1(value)) throw new FrameError('request is not valid MessagePack (it holds the never-used byte 0xc1)');
    return value;
  }
  try {
    return JSON.parse(textDecoder.decode(message)) as unknown;
  } catch {
    throw new FrameError('request is not valid JSON');
  }
}

/**
 * msgpackr reads 0xc1, which MessagePack never uses, as a placeholder object (its `C1`) instead of
 * failing: a frame holding one anywhere is not MessagePack. Frames are at most 16 KiB: the walk is short.
 */
function holdsC1(value: unknown): boolean {
  const stack = [value];
  while (stack.length > 0) {
    const v = stack.pop();
    if (v === C1) return true;
    if (typeof v === 'object' && v !== null) stack.push(...(Array.isArray(v) ? v : Object.values(v)));
  }
  return false;
}
