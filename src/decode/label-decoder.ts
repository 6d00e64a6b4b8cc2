/**
 * ACARS label decoding with @airframes/acars-decoder: a message's label, sublabel and text in,
 * the library's structured reading out, as plain JSON-safe data. The library throws on some
 * inputs; that is reported as `failed`, never thrown on.
 */

import { MessageDecoder } from '@airframes/acars-decoder';

export interface LabelItem {
  type: string;
  code: string;
  label: string;
  value: string;
}

export interface LabelDecoding {
  /** The library's plugin that decoded the message, e.g. "arinc-702", "label-sq". */
  decoder: string;
  level: 'full' | 'partial';
  description: string | null;
  items: LabelItem[];
  /** The library's raw fields (position, altitude, ...) as plain JSON data. */
  raw: Record<string, unknown>;
  /** Text the library left undecoded. */
  remaining: string | null;
}

export type LabelResult = { kind: 'none' } | { kind: 'decoded'; value: LabelDecoding } | { kind: 'failed'; error: string };

export interface LabelInput {
  label: string | null;
  sublabel: string | null;
  text: string | null;
}

const NONE: LabelResult = Object.freeze({ kind: 'none' });
const OPTIONS = { debug: false };

// Module state is per worker thread; the decoder builds its plugin tables once, on first use.
let decoder: MessageDecoder | null = null;

/**
 * Builds the library's plugin tables and runs every plugin once on a stand-in text, at a
 * thread's start: cold, the first batches of live traffic took 15-20 ms each in the library's
 * parsers and regular expressions, and the batches behind them waited.
 */
export function prepareLabelDecoder(): void {
  if (decoder !== null) return;
  decoder = new MessageDecoder();
  for (const plugin of decoder.plugins) {
    const { labels, preambles } = plugin.qualifiers();
    const label = labels.find((l) => l !== '*') ?? 'H1';
    for (const preamble of preambles?.length ? preambles : ['']) decodeLabel({ label, sublabel: null, text: `${preamble}N34261W1083370000,35000,1234` });
  }
}

export function decodeLabel(input: LabelInput): LabelResult {
  const { label, sublabel, text } = input;
  if (label === null || label.length === 0 || text === null || text.trim().length === 0) return NONE;
  const message = sublabel === null || sublabel.length === 0 ? { label, text } : { label, sublabel, text };

  let r: ReturnType<MessageDecoder['decode']>;
  try {
    decoder ??= new MessageDecoder();
    r = decoder.decode(message, OPTIONS);
  } catch (e) {
    return { kind: 'failed', error: errorText(e) };
  }
  // The result is read defensively: the library's typings are not a promise about its output.
  if (r === null || typeof r !== 'object' || r.decoded !== true) return NONE;

  const d: unknown = r.decoder;
  const name = isRecord(d) && typeof d.name === 'string' && d.name.length > 0 ? d.name : 'unknown';
  const level = isRecord(d) && d.decodeLevel === 'full' ? 'full' : 'partial';
  const f: unknown = r.formatted;
  const description = isRecord(f) ? nonEmpty(f.description) : null;
  const rem: unknown = r.remaining;
  const raw = plain(r.raw, new Set());
  return {
    kind: 'decoded',
    value: {
      decoder: name,
      level,
      description,
      items: isRecord(f) ? itemsOf(f.items) : [],
      raw: isRecord(raw) ? raw : {},
      remaining: isRecord(rem) ? nonEmpty(rem.text) : null,
    },
  };
}

function itemsOf(v: unknown): LabelItem[] {
  if (!Array.isArray(v)) return [];
  const out: LabelItem[] = [];
  for (const x of v) {
    if (!isRecord(x)) continue;
    out.push({ type: field(x.type), code: field(x.code), label: field(x.label), value: field(x.value) });
  }
  return out;
}

/** Item fields are typed as strings but some plugins put numbers there. */
function field(v: unknown): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return String(v);
  return '';
}

function nonEmpty(v: unknown): string | null {
  return typeof v === 'string' && v.length > 0 ? v : null;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function errorText(e: unknown): string {
  if (e instanceof Error) return e.message.length > 0 ? e.message : e.name;
  if (typeof e === 'string') return e;
  try {
    return String(e);
  } catch {
    return 'unknown error';
  }
}

/**
 * The value as data JSON can carry unchanged: Dates (and anything with toJSON) as their JSON
 * form, Maps as objects, Sets and typed arrays as arrays, class instances as their own fields,
 * non-finite numbers as null, bigints as numbers (or strings when too large). Functions,
 * symbols, undefined and cyclic references are dropped (null inside arrays, as JSON does).
 * `undefined` as the result means "drop it".
 */
function plain(v: unknown, path: Set<object>): unknown {
  switch (typeof v) {
    case 'string':
    case 'boolean':
      return v;
    case 'number':
      return Number.isFinite(v) ? v : null;
    case 'bigint': {
      const n = Number(v);
      return Number.isSafeInteger(n) ? n : v.toString();
    }
    case 'object':
      break;
    default:
      return undefined;
  }
  if (v === null) return null;
  if (path.has(v)) return undefined;
  const toJSON: unknown = (v as { toJSON?: unknown }).toJSON;
  if (typeof toJSON === 'function') {
    let j: unknown;
    try {
      j = toJSON.call(v);
    } catch {
      return undefined;
    }
    // A toJSON returning its own object would recurse forever; read its fields instead.
    if (j !== v) {
      path.add(v);
      const r = plain(j, path);
      path.delete(v);
      return r;
    }
  }
  path.add(v);
  let out: unknown;
  if (Array.isArray(v) || v instanceof Set || (ArrayBuffer.isView(v) && !(v instanceof DataView))) {
    const arr: unknown[] = [];
    for (const x of Array.isArray(v) ? v : Array.from(v as Iterable<unknown>)) {
      const p = plain(x, path);
      arr.push(p === undefined ? null : p);
    }
    out = arr;
  } else {
    const entries: [string, unknown][] = [];
    const source: Iterable<[unknown, unknown]> = v instanceof Map ? v : Object.entries(v);
    for (const [k, x] of source) {
      const p = plain(x, path);
      if (p !== undefined) entries.push([String(k), p]);
    }
    // fromEntries defines keys as own data properties, so a "__proto__" key stays a key.
    out = Object.fromEntries(entries);
  }
  path.delete(v);
  return out;
}
