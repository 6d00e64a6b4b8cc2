/**
 * One journal record: a frame batch exactly as the dispatcher built it, behind a small header
 * that lets a reader tell a complete record from a torn one.
 *
 *   u32 magic 'CTJ1', u32 payload length, u32 CRC-32 of the payload, payload
 *
 * A journal position is a byte offset in the journal as a whole (segments follow each other
 * without gaps in position). The position stored as a checkpoint is the END of the last
 * committed record: replay resumes there.
 */
import { crc32 } from 'node:zlib';

export const RECORD_MAGIC = 0x314a5443; // "CTJ1" little-endian
export const RECORD_HEADER = 12;

export function encodeRecordHeader(payload: Uint8Array): Buffer {
  const h = Buffer.allocUnsafe(RECORD_HEADER);
  h.writeUInt32LE(RECORD_MAGIC, 0);
  h.writeUInt32LE(payload.length, 4);
  h.writeUInt32LE(crc32(payload), 8);
  return h;
}

export type RecordCheck = { ok: true; length: number } | { ok: false; reason: 'short' | 'magic' | 'crc' };

/** Checks the record at `offset` of `buf` (the payload must be fully inside `buf`). */
export function checkRecord(buf: Buffer, offset: number): RecordCheck {
  if (buf.length - offset < RECORD_HEADER) return { ok: false, reason: 'short' };
  if (buf.readUInt32LE(offset) !== RECORD_MAGIC) return { ok: false, reason: 'magic' };
  const length = buf.readUInt32LE(offset + 4);
  if (buf.length - offset - RECORD_HEADER < length) return { ok: false, reason: 'short' };
  const payload = buf.subarray(offset + RECORD_HEADER, offset + RECORD_HEADER + length);
  if (crc32(payload) !== buf.readUInt32LE(offset + 8)) return { ok: false, reason: 'crc' };
  return { ok: true, length };
}

/** Segment files are named by the journal position of their first byte. */
export function segmentName(startPosition: number): string {
  return `${startPosition.toString().padStart(16, '0')}.seg`;
}

export function segmentStart(name: string): number | null {
  const m = /^(\d{16})\.seg$/.exec(name);
  return m ? Number(m[1]) : null;
}
