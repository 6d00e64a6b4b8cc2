/**
 * The filters of a search or a history request, validated once, on the main thread, from URL
 * parameters: a bad value is refused (CONTRAIL_ERR_BAD_REQUEST, HTTP 400) with a message naming
 * the parameter and what it allows, before any thread is asked. Values come out normalized, so
 * two requests meaning the same thing build the same SQL and the same cursor hash.
 */
import { createHash } from 'node:crypto';
import { bad, parseTime } from '../../analytics/analytics-request.js';
import { DECODER_TYPES, type DecoderType } from '../../decode/message.js';

/** An identifier compared as stored, upper case and trimmed; `prefix`: the value ended in `*`. */
export interface IdentifierMatch {
  value: string;
  prefix: boolean;
}

/** One whole word of a text search; `prefix`: the word ended in `*` (`ENG*` finds ENGINE). */
export interface TextWord {
  word: string;
  prefix: boolean;
}

export const IDENTIFIERS = ['icao', 'flight', 'tail'] as const;
export type Identifier = (typeof IDENTIFIERS)[number];

export interface SearchFilters {
  icao?: IdentifierMatch;
  flight?: IdentifierMatch;
  tail?: IdentifierMatch;
  depa?: string;
  dsta?: string;
  label?: string;
  msgno?: string;
  station?: string;
  type?: DecoderType;
  /** MHz, inclusive. */
  freq?: { min: number; max: number };
  /** Epoch seconds: from <= msg_time < to. */
  from?: number;
  to?: number;
  text?: TextWord[];
  substring?: string;
}

/** `freq=131.55` matches within a hertz: stored MHz values come from integer Hz or decimal text. */
const FREQ_TOLERANCE_MHZ = 1e-6;
const MAX_TEXT = 200;
const MAX_WORDS = 16;

export const FILTER_PARAMETERS = [
  'flight', 'tail', 'icao', 'depa', 'dsta', 'label', 'msgno', 'station', 'type',
  'freq', 'freq_min', 'freq_max', 'from', 'to', 'text', 'substring',
] as const;

type Params = Record<string, string | undefined>;

/** The parameter's value, or undefined when absent or empty. */
function param(p: Params, name: string): string | undefined {
  const v = p[name];
  return v === undefined || v === '' ? undefined : v;
}

/** Refuses names the API does not know: a typo must not silently widen a search. */
export function refuseUnknown(p: Params, known: readonly string[]): void {
  for (const name of Object.keys(p)) {
    if (!known.includes(name)) bad(`unknown parameter "${name}"; parameters are ${known.join(', ')}`);
  }
}

/** A letter or digit: what the full-text index makes a token of. */
export const HAS_WORD_CHAR = /[\p{L}\p{N}]/u;
const PRINTABLE_ASCII = /^[\x21-\x7e]+$/;
const CONTROL = /[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]/;

function identifier(p: Params, name: Identifier): IdentifierMatch | undefined {
  let v = param(p, name);
  if (v === undefined) return undefined;
  v = v.trim().toUpperCase();
  if (name === 'tail') v = v.replace(/^\.+/, '');
  const prefix = v.endsWith('*');
  if (prefix) v = v.slice(0, -1);
  if (name === 'icao') {
    if (!(prefix ? /^[0-9A-F]{1,6}$/ : /^[0-9A-F]{6}$/).test(v)) bad(`icao "${p[name]}": 6 hexadecimal digits, or the first 1 to 6 followed by * (e.g. A1B2*)`);
  } else if (v.length === 0 || v.length > 16 || !PRINTABLE_ASCII.test(v) || v.includes('*') || !HAS_WORD_CHAR.test(v)) {
    bad(`${name} "${p[name]}": 1 to 16 letters, digits or punctuation with at least one letter or digit and no spaces, optionally ending in * for a prefix`);
  }
  return { value: v, prefix };
}

function code(p: Params, name: string, max: number, upper: boolean): string | undefined {
  const raw = param(p, name);
  if (raw === undefined) return undefined;
  const v = upper ? raw.trim().toUpperCase() : raw.trim();
  if (v.length === 0 || v.length > max || !PRINTABLE_ASCII.test(v)) bad(`${name} "${raw}": 1 to ${max} letters, digits or punctuation, no spaces`);
  return v;
}

function number(p: Params, name: string): number | undefined {
  const raw = param(p, name);
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (!/^\d+(\.\d+)?$/.test(raw.trim()) || !(n > 0 && n < 100_000)) bad(`${name} "${raw}": a frequency in MHz, e.g. 131.55`);
  return n;
}

function freq(p: Params): SearchFilters['freq'] {
  const exact = number(p, 'freq');
  const min = number(p, 'freq_min');
  const max = number(p, 'freq_max');
  if (exact !== undefined) {
    if (min !== undefined || max !== undefined) bad('give freq (one frequency) or freq_min/freq_max (a range), not both');
    return { min: exact - FREQ_TOLERANCE_MHZ, max: exact + FREQ_TOLERANCE_MHZ };
  }
  if (min === undefined && max === undefined) return undefined;
  const range = { min: min ?? 0, max: max ?? 100_000 };
  if (range.min > range.max) bad(`freq_min (${range.min}) must not be above freq_max (${range.max})`);
  return range;
}

function decoderType(p: Params): DecoderType | undefined {
  const raw = param(p, 'type');
  if (raw === undefined) return undefined;
  const t = DECODER_TYPES.find((d) => d === raw.trim().toUpperCase());
  if (t === undefined) bad(`type "${raw}": one of ${DECODER_TYPES.join(', ')}`);
  return t;
}

function station(p: Params): string | undefined {
  const raw = param(p, 'station');
  if (raw === undefined) return undefined;
  const v = raw.trim();
  if (!/^[^\x00-\x1f\x7f]{1,64}$/.test(v)) bad(`station "${raw}": 1 to 64 characters, no control characters`);
  return v;
}

/** Whole words: split on white space; punctuation inside a word makes it a phrase of its parts, as the index splits it. */
function text(p: Params): TextWord[] | undefined {
  const raw = param(p, 'text');
  if (raw === undefined) return undefined;
  if (raw.length > MAX_TEXT || CONTROL.test(raw)) bad(`text: at most ${MAX_TEXT} characters, no control characters`);
  const words = raw.split(/\s+/).filter((w) => w.length > 0);
  if (words.length === 0) bad('text: give at least one word');
  if (words.length > MAX_WORDS) bad(`text: at most ${MAX_WORDS} words`);
  return words.map((w) => {
    const prefix = w.endsWith('*');
    const word = prefix ? w.replace(/\*+$/, '') : w;
    if (!HAS_WORD_CHAR.test(word)) bad(`text: "${w}" has no letter or digit; whole-word search skips punctuation, use substring= to find it`);
    return { word, prefix };
  });
}

function substring(p: Params): string | undefined {
  const raw = param(p, 'substring');
  if (raw === undefined) return undefined;
  if (raw.length > MAX_TEXT || CONTROL.test(raw)) bad(`substring: 1 to ${MAX_TEXT} characters, no control characters other than tab and line breaks`);
  return raw;
}

function timeRange(p: Params, nowS: number): Pick<SearchFilters, 'from' | 'to'> {
  const fromRaw = param(p, 'from');
  const toRaw = param(p, 'to');
  const from = fromRaw === undefined ? undefined : parseTime('from', fromRaw, nowS);
  const to = toRaw === undefined ? undefined : parseTime('to', toRaw, nowS);
  if (from !== undefined && to !== undefined && !(from < to)) bad(`from (${fromRaw}) must be before to (${toRaw})`);
  return { ...(from !== undefined ? { from } : {}), ...(to !== undefined ? { to } : {}) };
}

/**
 * Every filter of a search, all optional; `allowText` false for history (no text or substring).
 * Keys are set in one fixed order, so equal filters serialize (and hash) equally.
 */
export function parseFilters(p: Params, nowS = Date.now() / 1000, allowText = true): SearchFilters {
  if (!allowText) {
    for (const name of ['text', 'substring']) if (param(p, name) !== undefined) bad(`${name}: history takes no text filter; use GET /api/v1/search`);
  }
  const f: SearchFilters = {};
  const set = <K extends keyof SearchFilters>(k: K, v: SearchFilters[K] | undefined): void => {
    if (v !== undefined) f[k] = v;
  };
  for (const name of IDENTIFIERS) set(name, identifier(p, name));
  set('depa', code(p, 'depa', 8, true));
  set('dsta', code(p, 'dsta', 8, true));
  set('label', code(p, 'label', 8, false));
  set('msgno', code(p, 'msgno', 8, true));
  set('station', station(p));
  set('type', decoderType(p));
  set('freq', freq(p));
  const t = timeRange(p, nowS);
  set('from', t.from);
  set('to', t.to);
  set('text', text(p));
  set('substring', substring(p));
  return f;
}

/**
 * A short digest of the filters: a cursor carries it, so it cannot be replayed with other filters.
 * The time bounds enter as given (`24h` stays `24h`): a later page resolves them to the first
 * page's times, which its cursor carries.
 */
export function filtersHash(f: SearchFilters, given: Params): string {
  const { from: _f, to: _t, ...rest } = f;
  const input = JSON.stringify([rest, param(given, 'from')?.trim() ?? null, param(given, 'to')?.trim() ?? null]);
  return createHash('sha256').update(input).digest('base64url').slice(0, 16);
}

/** An integer parameter within [min, max], or the fallback when absent. */
export function intParam(p: Params, name: string, min: number, max: number, fallback: number): number {
  const raw = param(p, name);
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!/^\d+$/.test(raw) || n < min || n > max) bad(`${name} "${raw}": an integer from ${min} to ${max}`);
  return n;
}
