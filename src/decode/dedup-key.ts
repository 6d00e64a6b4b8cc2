/**
 * The content key that recognizes one message heard several times: by several stations, on
 * several frequencies, or twice by one station. It covers what the message says (decoder type,
 * label, sublabel, text, message number, block id, tail, flight, direction and the decoders'
 * own decoded payloads) and leaves out who heard it, when, and how well (station, time,
 * frequency, channel, signal, noise, error count).
 *
 * 48 bits of SHA-1: an integer SQLite stores natively and JavaScript holds exactly. Within a
 * window of a few seconds (a few hundred thousand messages at most) a false match has a chance
 * of about one in a billion.
 */
import { hash } from 'node:crypto';
import type { Message } from './message.js';

/** Separates fields so that ("AB","C") and ("A","BC") differ. */
const SEP = '\u0001';

/** Null for frames without ACARS content: link frames repeat legitimately and are not deduplicated. */
export function dedupKey(m: Message): number | null {
  if (!m.isAcars) return null;
  const text = m.text === null ? '' : m.text.replace(/\r\n?/g, '\n').trimEnd();
  const parts = [m.type, m.label, m.sublabel, m.msgno, m.blockId, m.tail, m.flight, m.direction, text, m.decoded === null ? '' : JSON.stringify(m.decoded)];
  return hash('sha1', parts.map((p) => p ?? '').join(SEP), 'buffer').readUIntBE(0, 6);
}
