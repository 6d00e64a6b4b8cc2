/**
 * Matching of decoded messages against the configured alert and ignore terms, inside decode
 * workers. Everything is compiled once per term set; a message that matches nothing costs one
 * regular expression test per non-empty field (two on the text when regex terms exist).
 *
 * Rules:
 * - A literal term matches the text as a whole word, case-insensitively, taken literally (no
 *   character is special); a run of spaces in the term matches any run of whitespace, because
 *   message texts wrap lines with CR LF. Word characters are Unicode letters, combining marks,
 *   digits and `_`. At each end of the term:
 *   - if the term's character there is a word character, the text must not continue with a word
 *     character (`WN48` is not in `WN4899`, `CAF` is not in `CAFÉ`);
 *   - otherwise (`C++`, `(`, `/AD`), that symbol already delimits the term, and the text must
 *     only not repeat it: `C++` is in `REPAIR C++ UNIT`, `(C++)`, `C++,` and `C++X` but not in
 *     `C+++`; `(` is in `(2N3449`; `/AD` is in `0304/AD`; `**REVISED` is not in `***REVISED`.
 *     (`\b` cannot express this: next to `+` it demands a word character.)
 * - A literal term matches tail, flight and ICAO as a case-insensitive substring.
 * - A regex term runs on the linear-time engine against the text only, like ACARS Hub's
 *   text-only pattern matching: a pattern like `\d{4}` would otherwise hit every flight number,
 *   and tails, flights and ICAO addresses are short codes that literal substrings already cover.
 * - If any ignore term matches any field by the same rules, the message raises no alert.
 * - Each matching term is reported once per field, in field order then configured order.
 */

import { validateTerm, type AlertTermKind, type AlertTermSpec } from './alert-term.js';
import { compileLinear } from './linear-regex.js';

export type AlertField = 'text' | 'tail' | 'flight' | 'icao';

/** One term that matched one field; `term` as configured (trimmed). */
export interface AlertMatch {
  term: string;
  field: AlertField;
}

/** The fields of a message that alerts look at. */
export interface AlertSubject {
  text: string | null;
  tail: string | null;
  flight: string | null;
  icao: string | null;
}

export interface AlertMatcher {
  /** No alert terms: `match` always returns [] without looking at the message. */
  readonly empty: boolean;
  match(m: AlertSubject): AlertMatch[];
}

/** Validates and compiles the terms (throws AlertTermError on a bad one). */
export function compileMatcher(terms: readonly AlertTermSpec[], ignore: readonly AlertTermSpec[]): AlertMatcher {
  const alerts = new TermSet(terms, 'alert');
  const vetoes = new TermSet(ignore, 'ignore');
  if (alerts.size === 0) return EMPTY;
  return {
    empty: false,
    match(m: AlertSubject): AlertMatch[] {
      const found = alerts.find(m);
      return found.length > 0 && vetoes.size > 0 && vetoes.hits(m) ? [] : found;
    },
  };
}

const EMPTY: AlertMatcher = { empty: true, match: () => [] };

/** Unicode letters, combining marks, digits and underscore, as a class body (`u` flag). */
const WORD_CHARS = '\\p{L}\\p{M}\\p{N}_';
const WORD_CHAR = /^[\p{L}\p{M}\p{N}_]$/u;

interface LiteralTerm {
  term: string;
  word: RegExp;
  substring: RegExp;
}

interface RegexTerm {
  term: string;
  re: RegExp;
}

/** One list of terms, compiled: combined regexes to reject quickly, per-term ones to report. */
class TermSet {
  readonly size: number;
  private readonly literals: LiteralTerm[] = [];
  private readonly regexes: RegexTerm[] = [];
  /** Any literal as a whole word (text); null when there are no literals. */
  private readonly anyWord: RegExp | null = null;
  /** Any literal as a substring (tail, flight, ICAO). */
  private readonly anySubstring: RegExp | null = null;
  /** Any regex term; null when there are none, or when the union does not compile (then each is tried). */
  private readonly anyRegex: RegExp | null = null;

  constructor(specs: readonly AlertTermSpec[], kind: AlertTermKind) {
    const seen = new Set<string>();
    const regexSources: string[] = [];
    // Literal alternatives grouped by their boundary guards, so each group shares one
    // lookbehind and one lookahead (measured faster with hundreds of terms).
    const groups = new Map<string, { before: string; after: string; bodies: string[] }>();
    for (const input of specs) {
      const spec = validateTerm(input, kind);
      // The same term twice could not be told apart in the report.
      if (seen.has(spec.term)) continue;
      seen.add(spec.term);
      if (spec.regex) {
        this.regexes.push({ term: spec.term, re: compileLinear(spec.term) });
        regexSources.push(`(?:${spec.term})`);
        continue;
      }
      const body = literalBody(spec.term);
      const before = edgeGuard(firstChar(spec.term));
      const after = edgeGuard(lastChar(spec.term));
      this.literals.push({
        term: spec.term,
        word: new RegExp(`(?<!${before})${body}(?!${after})`, 'iu'),
        substring: new RegExp(body, 'iu'),
      });
      const key = `${before} ${after}`;
      let group = groups.get(key);
      if (group === undefined) groups.set(key, (group = { before, after, bodies: [] }));
      group.bodies.push(body);
    }
    this.size = seen.size;
    if (this.literals.length > 0) {
      const alternatives = [...groups.values()].map(
        (g) => `(?<!${g.before})(?:${g.bodies.join('|')})(?!${g.after})`,
      );
      this.anyWord = new RegExp(alternatives.join('|'), 'iu');
      this.anySubstring = new RegExp([...groups.values()].flatMap((g) => g.bodies).join('|'), 'iu');
    }
    if (this.regexes.length > 1) {
      try {
        this.anyRegex = compileLinear(regexSources.join('|'));
      } catch {
        this.anyRegex = null; // each term compiled alone; the union is only a shortcut
      }
    } else if (this.regexes.length === 1) {
      this.anyRegex = this.regexes[0]!.re;
    }
  }

  /** The terms matching `m`, each once per field. */
  find(m: AlertSubject): AlertMatch[] {
    const out: AlertMatch[] = [];
    const text = m.text;
    if (text) {
      if (this.anyWord !== null && this.anyWord.test(text)) {
        for (const t of this.literals) if (t.word.test(text)) out.push({ term: t.term, field: 'text' });
      }
      if (this.regexes.length > 0 && (this.anyRegex === null || this.anyRegex.test(text))) {
        for (const t of this.regexes) if (t.re.test(text)) out.push({ term: t.term, field: 'text' });
      }
    }
    if (this.anySubstring !== null) {
      this.findSubstrings(m.tail, 'tail', out);
      this.findSubstrings(m.flight, 'flight', out);
      this.findSubstrings(m.icao, 'icao', out);
    }
    return out;
  }

  /** Whether any term matches `m`; the combined regexes answer this without per-term work. */
  hits(m: AlertSubject): boolean {
    const text = m.text;
    if (text) {
      if (this.anyWord !== null && this.anyWord.test(text)) return true;
      if (this.regexes.length > 0) {
        if (this.anyRegex !== null) {
          if (this.anyRegex.test(text)) return true;
        } else if (this.regexes.some((t) => t.re.test(text))) {
          return true;
        }
      }
    }
    const any = this.anySubstring;
    if (any === null) return false;
    return (!!m.tail && any.test(m.tail)) || (!!m.flight && any.test(m.flight)) || (!!m.icao && any.test(m.icao));
  }

  private findSubstrings(value: string | null, field: AlertField, out: AlertMatch[]): void {
    if (!value || !this.anySubstring!.test(value)) return;
    for (const t of this.literals) if (t.substring.test(value)) out.push({ term: t.term, field });
  }
}

/** The term as a pattern: every character literal, whitespace runs matching any whitespace run. */
function literalBody(term: string): string {
  return term
    .split(/\s+/u)
    .map((part) => part.replace(/[\\^$.*+?()[\]{}|/]/g, '\\$&'))
    .join('\\s+');
}

/** What must not touch the term at an end whose character is `ch` (see the file comment). */
function edgeGuard(ch: string): string {
  if (WORD_CHAR.test(ch)) return `[${WORD_CHARS}]`;
  return `\\u{${ch.codePointAt(0)!.toString(16)}}`;
}

function firstChar(s: string): string {
  return String.fromCodePoint(s.codePointAt(0)!);
}

function lastChar(s: string): string {
  const chars = [...s];
  return chars[chars.length - 1]!;
}
