/**
 * Pure conversions of what ACARS Hub stored (nearly everything as text, '' for "none") into
 * Contrail's typed values. Every function is total: a value it cannot read gives null, and the
 * caller keeps the original text in the message's `extra`.
 */
import { DECODER_TYPES, type DecoderType } from '../decode/message.js';
import { round6 } from '../decode/fields.js';

/** A legacy cell as text; null, '' and blobs give null. Numbers (INTEGER/REAL affinity) become their text. */
export function legacyText(v: unknown): string | null {
  if (typeof v === 'string') return v.length > 0 ? v : null;
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : null;
  if (typeof v === 'bigint') return String(v);
  return null;
}

const NUMBER = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

/** A finite number from a number or numeric text ("-12.6", " 37000 "); else null. */
export function legacyNumber(v: unknown): number | null {
  if (typeof v === 'number') return Number.isFinite(v) ? v : null;
  if (typeof v === 'bigint') return Number(v);
  if (typeof v !== 'string') return null;
  const s = v.trim();
  if (!NUMBER.test(s)) return null;
  const n = Number(s);
  return Number.isFinite(n) ? n : null;
}

export function legacyInteger(v: unknown): number | null {
  const n = legacyNumber(v);
  return n !== null && Number.isSafeInteger(n) ? n : null;
}

/**
 * The latest time a JavaScript Date holds (8.64e15 ms), in seconds. Up to it, the arrival time in
 * milliseconds derived from a message time stays a safe integer, which SQLite and the analytics
 * mirror (BIGINT) store as one; no clock wrote a later time.
 */
const LAST_DATE_SECONDS = 8.64e12;

/** A message time: epoch seconds, above 0 and within what a Date holds; else null. */
export function legacyTime(v: unknown): number | null {
  const t = legacyNumber(v);
  return t !== null && t > 0 && t <= LAST_DATE_SECONDS ? t : null;
}

/** The largest error count kept: the analytics mirror holds error counts as 32-bit integers. */
const MAX_ERROR_COUNT = 2 ** 31 - 1;

/**
 * The number of errors the decoder reported. ACARS Hub's Python writer stored 0 when a decoder
 * sent no error, and both of its backends counted a message as an error only when this was a
 * number above 0. So an empty cell (or NULL) is a message ACARS Hub counted as good: 0. Anything
 * but a whole number from 0 to MAX_ERROR_COUNT gives null.
 */
export function legacyErrorCount(v: unknown): number | null {
  if (v === null || v === undefined || (typeof v === 'string' && v.trim().length === 0)) return 0;
  const n = legacyInteger(v);
  return n !== null && n >= 0 && n <= MAX_ERROR_COUNT ? n : null;
}

/**
 * Frequency bands (MHz) each family's decoders listen in. Each spans less than a factor of ten,
 * so at most one power of ten puts a string of digits inside it.
 */
export const BAND_MHZ: Readonly<Record<DecoderType, readonly [number, number]>> = {
  ACARS: [117.975, 137], // VHF aeronautical mobile (route) band
  'VDL-M2': [117.975, 137],
  HFDL: [2.8, 22], // HFDL ground stations transmit between 2.9 and 22 MHz
  'IMS-L': [1525, 1559], // Inmarsat L-band downlink
  IRDM: [1616, 1626.5], // Iridium L-band
};

export interface LegacyFrequency {
  mhz: number;
  /** True when the text had no decimal point and the point was put back by the band rule. */
  scaled: boolean;
}

/**
 * Frequency in MHz from ACARS Hub's text.
 *
 * ACARS Hub wrote `String(freq).padEnd(7, "0")` (the Python era `str(freq)`). Values with a
 * decimal point keep it and their value: "131.550", "136.975", "17.9190", "8.94200" are MHz as
 * written. JavaScript prints a whole number without a point, so 129.0 MHz became "129" and then
 * "1290000"; 8 MHz would give "8000000" and 10 MHz "1000000": the digits of a whole number of MHz
 * followed by zeros, and how many zeros were padding is lost. So a string of digits gets its
 * point back where it puts the value inside the family's band (BAND_MHZ): after the first three
 * digits for VHF, after the first one or two for HF. A reading is accepted when it is what
 * padding gives (seven characters, a whole number of MHz) or a whole number of MHz, kHz or Hz,
 * which some paths stored raw: "8927000" cannot come from padding 8.927 (that gives "8.92700");
 * it is 8927 kHz padded or 8 927 000 Hz from dumphfdl, 8.927 MHz either way; "136975000"
 * (dumpvdl2 Hz) is 136.975. Anything else, or digits with no known family, gives null.
 */
export function legacyFrequency(v: unknown, type: DecoderType | null): LegacyFrequency | null {
  const s = legacyText(v)?.trim();
  if (s === undefined || s.length === 0) return null;
  if (/^\d*\.\d*$/.test(s) && s !== '.') {
    const n = Number(s);
    // Enough digits before the point make Infinity, which is no frequency.
    return n > 0 && Number.isFinite(n) ? { mhz: round6(n), scaled: false } : null;
  }
  if (!/^\d+$/.test(s) || type === null) return null;
  const mhz = digitsInBand(s, BAND_MHZ[type]);
  return mhz === null ? null : { mhz, scaled: true };
}

function digitsInBand(digits: string, [low, high]: readonly [number, number]): number | null {
  const n = Number(digits);
  if (!(n > 0)) return null;
  for (let e = 0; e <= 9; e++) {
    const x = n / 10 ** e;
    if (x < low) break;
    if (x > high) continue;
    // Only one power of ten lands in a band; it must also be a reading some writer produced.
    const unit = e === 0 || e === 3 || e === 6;
    const padded = digits.length === 7 && Number.isInteger(x);
    return unit || padded ? round6(x) : null;
  }
  return null;
}

/**
 * The decoder family a frequency belongs to, for rows that do not say (generation 1 before
 * `message_type`, or a type string ACARS Hub never used). ACARS and VDL-M2 share the VHF band;
 * only dumpvdl2 and vdlm2dec rows carry link addresses (toaddr/fromaddr), acarsdec rows never do.
 */
export function familyFromFrequency(v: unknown, hasLinkAddresses: boolean): DecoderType | null {
  const vhf: DecoderType = hasLinkAddresses ? 'VDL-M2' : 'ACARS';
  const candidates: DecoderType[] = [vhf, 'HFDL', 'IRDM', 'IMS-L'];
  const fits = candidates.filter((t) => {
    const f = legacyFrequency(v, t);
    return f !== null && f.mhz >= BAND_MHZ[t][0] && f.mhz <= BAND_MHZ[t][1];
  });
  return fits.length === 1 ? fits[0]! : null;
}

const TYPE_ALIASES: Readonly<Record<string, DecoderType>> = {
  ACARS: 'ACARS',
  VDLM2: 'VDL-M2',
  VDLM: 'VDL-M2',
  VDL2: 'VDL-M2',
  HFDL: 'HFDL',
  IMSL: 'IMS-L',
  IRDM: 'IRDM',
  IRIDIUM: 'IRDM',
};

/** Contrail's type string from ACARS Hub's `message_type` / `freq_type` ("VDL-M2", "VDLM2", "IMSL" ...). */
export function legacyType(v: unknown): DecoderType | null {
  const s = legacyText(v);
  if (s === null) return null;
  if ((DECODER_TYPES as readonly string[]).includes(s)) return s as DecoderType;
  return TYPE_ALIASES[s.toUpperCase().replace(/[^A-Z0-9]/g, '')] ?? null;
}

export interface LegacyIcao {
  icao: string;
  /** True when the stored value was a decimal number. */
  fromDecimal: boolean;
}

/**
 * Six upper-case hex digits. Digits only are decimal when the database predates the hex
 * conversion (`decimalEra`), and always when longer than six (no 24-bit hex value is); letters
 * A-F mean hex in any era (dumpvdl2's addresses were stored as hex text before the conversion too).
 */
export function legacyIcao(v: unknown, decimalEra: boolean): LegacyIcao | null {
  const s = legacyText(v)?.trim().toUpperCase();
  if (s === undefined || s.length === 0) return null;
  if (/^\d+$/.test(s) && (decimalEra || s.length > 6)) {
    const n = Number(s);
    return n > 0 && n <= 0xffffff ? { icao: n.toString(16).toUpperCase().padStart(6, '0'), fromDecimal: true } : null;
  }
  return /^[0-9A-F]{1,6}$/.test(s) ? { icao: s.padStart(6, '0'), fromDecimal: false } : null;
}

/** acarsdec writes NAK as JSON `false`, which ACARS Hub stored as the text "false"; Contrail spells NAK `!`. */
export function legacyAck(v: unknown): string | null {
  const s = legacyText(v);
  if (s === null) return null;
  return s.toLowerCase() === 'false' ? '!' : s;
}

/**
 * A link-layer address. ACARS Hub turned dumpvdl2's hex AVLC addresses into decimal integers;
 * for VDL-M2 they become 6-digit hex again, as Contrail stores them live. Other families keep the
 * stored text (HFDL and SatDump identifiers are numbers to begin with).
 */
export function legacyAddress(v: unknown, type: DecoderType): string | null {
  const s = legacyText(v)?.trim();
  if (s === undefined || s.length === 0) return null;
  if (type === 'VDL-M2' && /^\d+$/.test(s)) {
    const n = Number(s);
    if (n <= 0xffffff) return n.toString(16).toUpperCase().padStart(6, '0');
  }
  return s;
}
