/**
 * The keyset cursor of a search: where the next page starts (the last id returned), what the first
 * page found (its total, the lowest id its time range can reach, the times it resolved `24h` to)
 * and the filters' hash, so a cursor is refused with other filters. Opaque to clients: base64url
 * of a small JSON array. Not a secret nor a capability: forging one only pages through a search
 * the client could run anyway.
 */
import { bad } from '../../analytics/analytics-request.js';

export interface CursorState {
  /** The next page holds ids below this one. */
  before: number;
  /** The lowest id the time range reaches (null without a time range). */
  lo: number | null;
  /** The first page's total. */
  total: number;
  /** The time bounds the first page resolved, in epoch seconds. */
  from: number | null;
  to: number | null;
}

const VERSION = 1;

export function encodeCursor(hash: string, c: CursorState): string {
  return Buffer.from(JSON.stringify([VERSION, hash, c.before, c.lo, c.total, c.from, c.to])).toString('base64url');
}

const isId = (v: unknown): v is number => Number.isSafeInteger(v) && (v as number) >= 0;
const isTime = (v: unknown): v is number | null => v === null || (typeof v === 'number' && Number.isFinite(v));

/** The cursor's state; refused (400) when it is not one this server issued for these filters. */
export function decodeCursor(raw: string, hash: string): CursorState {
  let v: unknown;
  try {
    v = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8'));
  } catch {
    v = null;
  }
  if (!Array.isArray(v) || v.length !== 7 || v[0] !== VERSION || typeof v[1] !== 'string') {
    bad('cursor: not a cursor from this server (copy "next" from the previous reply unchanged), or start again without it');
  }
  const [, h, before, lo, total, from, to] = v as unknown[];
  if (!isId(before) || !(lo === null || isId(lo)) || !isId(total) || !isTime(from) || !isTime(to)) bad('cursor: damaged; start again without it');
  if (h !== hash) bad('cursor: it belongs to a search with other filters; repeat that search\'s filters unchanged, or start again without cursor');
  return { before, lo, total, from, to };
}
