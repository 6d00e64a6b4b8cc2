/**
 * User-supplied alert patterns on V8's linear-time regular expression engine (the `l` flag).
 *
 * Why this engine: it never backtracks, so a match costs O(pattern size × text length) whatever
 * the pattern. A pattern such as `^(a+)+$`, which takes exponential time on the usual
 * backtracking engine, cannot stall ingest in a decode worker.
 *
 * Node 20's V8 (11.3) runs only a subset on it: no backreferences, no lookahead or lookbehind,
 * counted repetitions of at most 16 copies in total (nested counts multiply), and none of the
 * flags `i`, `u`, `v`, `d` ("Cannot be executed in linear time"). Case-insensitive matching is
 * therefore done here by rewriting the pattern: each cased letter becomes a class of its case
 * variants, following ECMAScript's non-Unicode `i` rules, so `/abc/i` and the rewritten
 * pattern match the same strings.
 */

import v8 from 'node:v8';

let available: boolean | undefined;

/**
 * Makes the `l` flag available and reports whether it works. Idempotent and cheap after the
 * first call. The V8 flag is process-wide (every thread shares it); it only teaches V8 the `l`
 * flag, every other regular expression keeps running on the usual engine.
 */
export function enableLinearRegex(): boolean {
  if (available !== undefined) return available;
  v8.setFlagsFromString('--enable-experimental-regexp-engine');
  try {
    new RegExp('a', 'l');
    available = true;
  } catch {
    available = false;
  }
  return available;
}

/**
 * Compiles `pattern` for the linear-time engine. `flags` may hold `g`, `i`, `m`, `s`, `y`;
 * `i` is emulated by rewriting (see the file comment), so the result's `source` is the
 * rewritten pattern. Named groups lose their names (harmless without backreferences, and it
 * lets callers join several patterns into one alternation). Throws a SyntaxError naming the
 * pattern and the reason when it is invalid or cannot run in linear time.
 */
export function compileLinear(pattern: string, flags = 'i'): RegExp {
  if (!/^[gimsy]*$/.test(flags) || new Set(flags).size !== flags.length) {
    throw new SyntaxError(
      `regular expression flags "${flags}": the linear-time engine accepts only g, i, m, s and y`,
    );
  }
  if (!enableLinearRegex()) {
    throw new Error('this Node.js does not provide the linear-time regular expression engine');
  }
  const pieces = scan(pattern);
  // Refused here rather than left to V8: with group names dropped, `\k<name>` would silently
  // turn into the literal text "k<name>".
  const refused = pieces.find((p) => p.unsupported !== undefined)?.unsupported;
  if (refused !== undefined) throw notLinear(pattern, refused);
  const foldCase = flags.includes('i');
  const source = pieces.map((p) => (foldCase ? p.folded : p.text)).join('');
  try {
    return new RegExp(source, flags.replace('i', '') + 'l');
  } catch (err) {
    throw compileFailure(pattern, err);
  }
}

/**
 * Whether `pattern` (which must compile) can match an empty string in some text. Anchors and
 * word boundaries are zero-width, so they are taken as satisfiable: `\b|x` counts as empty
 * (it matches at every word), which is what makes a pattern match nearly every message.
 */
export function canMatchEmpty(pattern: string): boolean {
  if (!enableLinearRegex()) {
    throw new Error('this Node.js does not provide the linear-time regular expression engine');
  }
  const withoutAssertions = scan(pattern)
    .map((p) => (p.assertion ? '(?:)' : p.text))
    .join('');
  return new RegExp(`^(?:${withoutAssertions})$`, 'l').test('');
}

/** One syntactic unit of a pattern: its text, its case-folded text, and what it is. */
interface Piece {
  text: string;
  folded: string;
  /** `^`, `$`, `\b` or `\B` outside a class. */
  assertion?: boolean;
  /** Set for constructs the linear engine cannot run (backreferences, lookarounds). */
  unsupported?: string;
}

/** A decoded escape or character: a single code unit, or something copied verbatim. */
type Atom = { end: number; cu: number } | { end: number; cu: undefined; unsupported?: string };

const CONTROL_ESCAPES: Record<string, number> = { f: 12, n: 10, r: 13, t: 9, v: 11 };

/** Splits a pattern (non-Unicode, Annex B syntax) into pieces. Lenient: V8 reports errors. */
function scan(pattern: string): Piece[] {
  const pieces: Piece[] = [];
  let i = 0;
  while (i < pattern.length) {
    const ch = pattern[i]!;
    if (ch === '[') {
      const end = classEnd(pattern, i);
      if (end === -1) {
        // Unterminated: copied unchanged so V8 reports it.
        const text = pattern.slice(i);
        pieces.push({ text, folded: text });
        break;
      }
      const text = pattern.slice(i, end);
      pieces.push({ text, folded: foldClass(pattern, i) });
      i = end;
    } else if (ch === '\\') {
      const atom = readEscape(pattern, i, false);
      const text = pattern.slice(i, atom.end);
      const next = pattern[i + 1];
      if (next === 'b' || next === 'B') pieces.push({ text, folded: text, assertion: true });
      else if (atom.cu !== undefined) {
        // A lone `\` (from `\c` not followed by a letter) must stay a literal backslash.
        pieces.push({ text, folded: text === '\\' ? '\\\\' : foldChar(atom.cu, text) });
      }
      else pieces.push({ text, folded: text, ...(atom.unsupported ? { unsupported: atom.unsupported } : {}) });
      i = atom.end;
    } else if (ch === '(' && pattern[i + 1] === '?') {
      const piece = groupOpening(pattern, i);
      pieces.push(piece.piece);
      i = piece.end;
    } else if (ch === '^' || ch === '$') {
      pieces.push({ text: ch, folded: ch, assertion: true });
      i += 1;
    } else {
      pieces.push({ text: ch, folded: foldChar(ch.charCodeAt(0), ch) });
      i += 1;
    }
  }
  return pieces;
}

/** `(?:`, lookarounds (marked unsupported) and named groups (name dropped). */
function groupOpening(pattern: string, i: number): { piece: Piece; end: number } {
  const head = pattern.slice(i, i + 4);
  if (head.startsWith('(?=') || head.startsWith('(?!')) {
    const text = head.slice(0, 3);
    return { piece: { text, folded: text, unsupported: `lookahead ${text}` }, end: i + 3 };
  }
  if (head === '(?<=' || head === '(?<!') {
    return { piece: { text: head, folded: head, unsupported: `lookbehind ${head}` }, end: i + 4 };
  }
  if (head.startsWith('(?<')) {
    const close = pattern.indexOf('>', i + 3);
    if (close !== -1) return { piece: { text: '(', folded: '(' }, end: close + 1 };
  }
  // `(?:` and anything malformed: copy the two characters and let V8 judge the rest.
  return { piece: { text: '(?', folded: '(?' }, end: i + 2 };
}

function isHex(s: string): boolean {
  return /^[0-9a-fA-F]+$/.test(s);
}

/** Decodes the escape at `i` (a backslash). Inside a class `\b` is backspace and digits are octal. */
function readEscape(pattern: string, i: number, inClass: boolean): Atom {
  const c = pattern[i + 1];
  if (c === undefined) return { end: i + 1, cu: undefined };
  if (c === 'p' || c === 'P') {
    throw new SyntaxError(
      `regular expression /${pattern}/: Unicode property escapes (\\${c}{...}) need the u flag, ` +
        'which the linear-time engine does not support',
    );
  }
  if (c === 'u' && pattern[i + 2] === '{') {
    throw new SyntaxError(
      `regular expression /${pattern}/: \\u{...} needs the u flag, which the linear-time engine ` +
        'does not support; write \\uXXXX',
    );
  }
  if ('dDwWsS'.includes(c)) return { end: i + 2, cu: undefined };
  if (c === 'b' || c === 'B') return inClass && c === 'b' ? { end: i + 2, cu: 8 } : { end: i + 2, cu: undefined };
  const control = CONTROL_ESCAPES[c];
  if (control !== undefined) return { end: i + 2, cu: control };
  if (c === 'c') {
    // `\cX` is a control character; a `\c` not followed by a letter is a backslash, then "c".
    const letter = /[A-Za-z]/.test(pattern[i + 2] ?? '');
    return letter ? { end: i + 3, cu: pattern.charCodeAt(i + 2) % 32 } : { end: i + 1, cu: 92 };
  }
  if (c === 'x' && isHex(pattern.slice(i + 2, i + 4)) && i + 4 <= pattern.length) {
    return { end: i + 4, cu: parseInt(pattern.slice(i + 2, i + 4), 16) };
  }
  if (c === 'u' && isHex(pattern.slice(i + 2, i + 6)) && i + 6 <= pattern.length) {
    return { end: i + 6, cu: parseInt(pattern.slice(i + 2, i + 6), 16) };
  }
  if (c >= '0' && c <= '9') {
    if (!inClass && c !== '0') return { end: i + 2, cu: undefined, unsupported: `backreference \\${c}` };
    // Legacy octal (only `\0` outside a class); digits carry no case, so copying is enough.
    const octal = /^[0-7]{1,3}/.exec(pattern.slice(i + 1))?.[0];
    if (octal === undefined) return { end: i + 2, cu: c.charCodeAt(0) };
    const value = parseInt(octal, 8);
    const digits = value > 0o377 ? octal.slice(0, 2) : octal;
    return { end: i + 1 + digits.length, cu: parseInt(digits, 8) };
  }
  if (c === 'k' && pattern[i + 2] === '<' && !inClass) {
    const close = pattern.indexOf('>', i + 3);
    return { end: close === -1 ? i + 2 : close + 1, cu: undefined, unsupported: 'backreference \\k<...>' };
  }
  // Identity escape: the character itself (`\.`, and in this syntax also `\A` for "A").
  return { end: i + 2, cu: c.charCodeAt(0) };
}

/** Index just past the class starting at `i`, or -1 if it is unterminated. */
function classEnd(pattern: string, i: number): number {
  let j = i + 1;
  while (j < pattern.length && pattern[j] !== ']') j = pattern[j] === '\\' ? j + 2 : j + 1;
  return j < pattern.length ? j + 1 : -1;
}

/** Rewrites the class at `i` with every member's case variants added. */
function foldClass(pattern: string, i: number): string {
  let j = i + 1;
  const negated = pattern[j] === '^';
  if (negated) j += 1;
  const members: string[] = [];
  const extra = new Set<number>();
  const addVariants = (lo: number, hi: number): void => {
    for (let cu = lo; cu <= hi; cu++) {
      for (const v of caseVariants(cu) ?? []) if (v < lo || v > hi) extra.add(v);
    }
  };
  const readAtom = (at: number): Atom =>
    pattern[at] === '\\' ? readEscape(pattern, at, true) : { end: at + 1, cu: pattern.charCodeAt(at) };
  while (j < pattern.length && pattern[j] !== ']') {
    const first = readAtom(j);
    if (first.cu === undefined) {
      members.push(pattern.slice(j, first.end)); // \d, \w, \s and their negations: no case
      j = first.end;
      continue;
    }
    if (pattern[first.end] === '-' && first.end + 1 < pattern.length && pattern[first.end + 1] !== ']') {
      const second = readAtom(first.end + 1);
      if (second.cu !== undefined) {
        members.push(`${unitEscape(first.cu)}-${unitEscape(second.cu)}`);
        addVariants(first.cu, second.cu);
        j = second.end;
        continue;
      }
    }
    members.push(unitEscape(first.cu));
    addVariants(first.cu, first.cu);
    j = first.end;
  }
  return `[${negated ? '^' : ''}${members.join('')}${runs([...extra])}]`;
}

/** A character outside a class: itself, or a class of its case variants. */
function foldChar(cu: number, text: string): string {
  const variants = caseVariants(cu);
  return variants === undefined ? text : `[${variants.map(unitEscape).join('')}]`;
}

/** Code units as class members, consecutive ones collapsed into ranges. */
function runs(units: number[]): string {
  units.sort((a, b) => a - b);
  let out = '';
  for (let k = 0; k < units.length; ) {
    let end = k;
    while (end + 1 < units.length && units[end + 1] === units[end]! + 1) end++;
    out += end > k ? `${unitEscape(units[k]!)}-${unitEscape(units[end]!)}` : unitEscape(units[k]!);
    k = end + 1;
  }
  return out;
}

function unitEscape(cu: number): string {
  const ch = String.fromCharCode(cu);
  return /[0-9A-Za-z]/.test(ch) ? ch : `\\u${cu.toString(16).padStart(4, '0')}`;
}

function compileFailure(pattern: string, err: unknown): SyntaxError {
  const detail = err instanceof Error ? err.message.replace(/^.*: /s, '') : String(err);
  if (detail.includes('linear time')) {
    // Backreferences and lookarounds were refused before compiling; this is what remains.
    return notLinear(pattern, 'a counted repetition over 16 copies (nested counts multiply)', err);
  }
  return new SyntaxError(`regular expression /${pattern}/ is invalid: ${detail}`, { cause: err });
}

function notLinear(pattern: string, reason: string, cause?: unknown): SyntaxError {
  return new SyntaxError(
    `regular expression /${pattern}/ cannot run in linear time: it uses ${reason}; the linear-time engine ` +
      'supports no backreferences, no lookahead or lookbehind, and counted repetitions of at most 16 copies',
    cause === undefined ? undefined : { cause },
  );
}

let variantTable: Map<number, readonly number[]> | undefined;

/** The code units that match `cu` under non-Unicode `i` (itself included), or undefined if none other. */
function caseVariants(cu: number): readonly number[] | undefined {
  variantTable ??= buildVariantTable();
  return variantTable.get(cu);
}

/**
 * ECMAScript's Canonicalize for non-Unicode ignoreCase: the upper case of the code unit,
 * unless that is several units long or maps a non-ASCII unit to ASCII (so `ſ` is not `s`).
 */
function canonicalize(cu: number): number {
  const upper = String.fromCharCode(cu).toUpperCase();
  if (upper.length !== 1) return cu;
  const u = upper.charCodeAt(0);
  return cu >= 128 && u < 128 ? cu : u;
}

/** Groups all 65,536 code units by canonical form, once per thread (a few milliseconds). */
function buildVariantTable(): Map<number, readonly number[]> {
  const groups = new Map<number, number[]>();
  for (let cu = 0; cu <= 0xffff; cu++) {
    const canon = canonicalize(cu);
    const group = groups.get(canon);
    if (group === undefined) groups.set(canon, [cu]);
    else group.push(cu);
  }
  const table = new Map<number, readonly number[]>();
  for (const group of groups.values()) {
    if (group.length > 1) for (const cu of group) table.set(cu, group);
  }
  return table;
}
