/**
 * Small converters shared by every decoder family. All of them are total: a value of the wrong
 * shape gives null, never an exception. Hot path: char-code checks, no regular expressions.
 */

import type { Direction } from './message.js';

export type Obj = Record<string, unknown>;

/** A plain JSON object (not null, not an array). */
export function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** True when the object has no own enumerable key. */
export function isEmpty(o: Obj): boolean {
  for (const _k in o) return false;
  return true;
}

/** Deletes `parent[key]` when it is an object left empty by earlier deletions. */
export function dropIfEmpty(parent: Obj, key: string): void {
  const v = parent[key];
  if (isObj(v) && isEmpty(v)) delete parent[key];
}

export function str(v: unknown): string | null {
  return typeof v === 'string' ? v : null;
}

/** Non-empty string or null (for fields where "" carries nothing, e.g. flight, station). */
export function text(v: unknown): string | null {
  return typeof v === 'string' && v.length > 0 ? v : null;
}

/** An identifier without the padding some decoders send (dumphfdl's flight ids are space-filled: "UPS66  "). */
export function trimmedText(v: unknown): string | null {
  return typeof v === 'string' ? text(v.trim()) : null;
}

/** Finite number from a number or a numeric string (SatDump sends "-1.7"); else null. */
export function num(v: unknown): number | null {
  if (typeof v === 'number') return Number.isFinite(v) ? v : null;
  if (typeof v === 'string') {
    if (v.length === 0) return null;
    const n = Number(v);
    // Number("  ") is 0: only accept strings that held digits.
    return Number.isFinite(n) && hasDigit(v) ? n : null;
  }
  return null;
}

function hasDigit(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 48 && c <= 57) return true;
  }
  return false;
}

/** Integer (number or integral numeric string) or null. */
export function int(v: unknown): number | null {
  const n = num(v);
  return n !== null && Number.isInteger(n) ? n : null;
}

/** Rounds to 6 decimals, which removes float noise such as 131.55000000000001 (1 Hz resolution in MHz). */
export function round6(x: number): number {
  return Math.round(x * 1e6) / 1e6;
}

/** Hz to MHz. One division of an integer by 1e6 is correctly rounded, so 136650000 gives exactly 136.65. */
export function hzToMhz(hz: number): number {
  return Math.round(hz) / 1e6;
}

/** Positive frequency in MHz from an MHz value (number or string); 0 and below mean "unknown". */
export function mhz(v: unknown): number | null {
  const n = num(v);
  return n !== null && n > 0 ? round6(n) : null;
}

/** Positive frequency in MHz from a Hz value (number or string). */
export function mhzFromHz(v: unknown): number | null {
  const n = num(v);
  return n !== null && n > 0 ? hzToMhz(n) : null;
}

/** Registration without the leading dots ACARS pads it with; blank gives null. */
export function cleanTail(v: unknown): string | null {
  if (typeof v !== 'string') return null;
  let start = 0;
  let end = v.length;
  while (start < end && (v.charCodeAt(start) === 46 /* . */ || v.charCodeAt(start) <= 32)) start++;
  while (end > start && v.charCodeAt(end - 1) <= 32) end--;
  if (start === end) return null;
  return start === 0 && end === v.length ? v : v.slice(start, end);
}

/** ACARS label; DEL (0x7f) as the second character is written `d` (`_\x7f` is `_d`). */
export function cleanLabel(v: unknown): string | null {
  if (typeof v !== 'string' || v.length === 0) return null;
  if (v.length === 2 && v.charCodeAt(1) === 0x7f) return v[0] + 'd';
  return v;
}

function isHexCode(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102);
}

/** Six upper-case hex digits from a 24-bit integer. */
export function icaoFromInt(v: unknown): string | null {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > 0xffffff) return null;
  return v.toString(16).toUpperCase().padStart(6, '0');
}

/** Six upper-case hex digits from a hex string (1 to 6 digits) or a decimal 24-bit integer. */
export function icao(v: unknown): string | null {
  if (typeof v === 'number') return icaoFromInt(v);
  if (typeof v !== 'string' || v.length === 0 || v.length > 6) return null;
  for (let i = 0; i < v.length; i++) if (!isHexCode(v.charCodeAt(i))) return null;
  return v.length === 6 ? v.toUpperCase() : v.toUpperCase().padStart(6, '0');
}

/**
 * A character sent as its ASCII code (SatDump `mode`, `bi`, `tak`): 50 -> "2". NAK (0x15) is
 * written `!` as every other decoder does; NUL and non-ASCII give null. A one-character string
 * passes through.
 */
export function asciiChar(v: unknown): string | null {
  if (typeof v === 'string') return v.length === 1 ? (v.charCodeAt(0) === 0x15 ? '!' : v) : null;
  if (typeof v !== 'number' || !Number.isInteger(v) || v <= 0 || v > 0x7f) return null;
  return v === 0x15 ? '!' : String.fromCharCode(v);
}

/** Acknowledgement: `false` means the frame carries none (null); a raw NAK byte becomes `!`. */
export function ack(v: unknown): string | null {
  if (typeof v !== 'string' || v.length === 0) return null;
  return v.length === 1 && v.charCodeAt(0) === 0x15 ? '!' : v;
}

/** Message number: `msg_num` + `msg_num_seq` ("D09" + "A" = "D09A"). */
export function msgno(num: unknown, seq: unknown): string | null {
  const n = typeof num === 'string' ? num : '';
  const s = typeof seq === 'string' ? seq : '';
  const joined = n + s;
  return joined.length > 0 ? joined : null;
}

/**
 * ACARS direction when the link layer does not say: downlink block ids are digits, uplink block
 * ids are letters; the ground-station squitter (label SQ) has no block id and is an uplink.
 */
export function directionFromBlock(blockId: string | null, label: string | null): Direction | null {
  if (blockId !== null && blockId.length === 1) {
    const c = blockId.charCodeAt(0);
    if (c >= 48 && c <= 57) return 'downlink';
    if ((c >= 65 && c <= 90) || (c >= 97 && c <= 122)) return 'uplink';
  }
  if (label === 'SQ') return 'uplink';
  return null;
}

/** "name version" from an `app` object ({name, ver} or {name, version}). */
export function decoderName(app: unknown): string | null {
  if (!isObj(app)) return null;
  const name = text(app.name);
  const ver = text(app.ver) ?? text(app.version);
  if (name === null) return ver;
  return ver === null ? name : name + ' ' + ver;
}

/**
 * Takes the decoder identity out of an `app` object. The router's proxy metadata
 * (`proxied`, `proxied_by`, `acars_router_version`, `acars_router_uuid`) is dropped on purpose:
 * it describes the transport, not the message, and the uuid alone would make every stored
 * `extra` unique. Anything else in `app` stays for `extra`.
 */
export function takeApp(parent: Obj, key = 'app'): string | null {
  const app = parent[key];
  if (!isObj(app)) return null;
  const name = decoderName(app);
  delete app.name;
  delete app.ver;
  delete app.version;
  delete app.proxied;
  delete app.proxied_by;
  delete app.acars_router_version;
  delete app.acars_router_uuid;
  dropIfEmpty(parent, key);
  return name;
}

/** Epoch seconds are plausible when finite and not negative. */
export function isEpoch(n: number): boolean {
  return Number.isFinite(n) && n >= 0;
}

/** Describes a value's JSON type for reject details. */
export function jsonType(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  return typeof v;
}

/**
 * Epoch seconds from an ISO-8601 UTC string: `YYYY-MM-DDTHH:MM:SS[.frac][Z|+HH:MM|-HH:MM]`.
 * No designator means UTC (iridium-toolkit omits the `Z`). Fractions keep full precision,
 * which Date.parse would cut to milliseconds. Null when the string is not of that shape.
 */
export function isoToEpoch(s: string): number | null {
  const len = s.length;
  if (len < 19) return null;
  const year = digits(s, 0, 4);
  const month = digits(s, 5, 2);
  const day = digits(s, 8, 2);
  const hour = digits(s, 11, 2);
  const minute = digits(s, 14, 2);
  const second = digits(s, 17, 2);
  const t = s.charCodeAt(10);
  if (
    year < 0 || month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 60 ||
    hour < 0 || minute < 0 || second < 0 ||
    s.charCodeAt(4) !== 45 || s.charCodeAt(7) !== 45 || (t !== 84 && t !== 32 && t !== 116) ||
    s.charCodeAt(13) !== 58 || s.charCodeAt(16) !== 58
  ) {
    return null;
  }
  let i = 19;
  let frac = 0;
  if (i < len && (s.charCodeAt(i) === 46 || s.charCodeAt(i) === 44)) {
    i++;
    let scale = 0.1;
    const start = i;
    while (i < len) {
      const c = s.charCodeAt(i);
      if (c < 48 || c > 57) break;
      frac += (c - 48) * scale;
      scale /= 10;
      i++;
    }
    if (i === start) return null;
  }
  let offsetMin = 0;
  if (i < len) {
    const c = s.charCodeAt(i);
    if ((c === 90 || c === 122) && i + 1 === len) {
      i++;
    } else if (c === 43 || c === 45) {
      const oh = digits(s, i + 1, 2);
      const hasColon = s.charCodeAt(i + 3) === 58;
      const om = digits(s, i + (hasColon ? 4 : 3), 2);
      if (oh < 0 || om < 0 || i + (hasColon ? 6 : 5) !== len) return null;
      offsetMin = (c === 45 ? -1 : 1) * (oh * 60 + om);
      i = len;
    } else {
      return null;
    }
  }
  const ms = Date.UTC(year, month - 1, day, hour, minute, second);
  // Fractions rounded to the microsecond, like every other family's time.
  return Math.round((ms / 1000 - offsetMin * 60 + frac) * 1e6) / 1e6;
}

/** Non-negative integer from `n` decimal digits at `at`, or -1. */
function digits(s: string, at: number, n: number): number {
  if (at + n > s.length) return -1;
  let v = 0;
  for (let i = at; i < at + n; i++) {
    const c = s.charCodeAt(i);
    if (c < 48 || c > 57) return -1;
    v = v * 10 + (c - 48);
  }
  return v;
}
