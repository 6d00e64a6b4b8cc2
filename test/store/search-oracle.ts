/**
 * What a search must return, computed the slow and obvious way: every row read, each filter
 * checked in JavaScript as docs/operations.md states it, newest first. SQLite's upper(), lower(),
 * trim() and NOCASE touch ASCII only, and so does this.
 */
import type { Db } from '../../src/store/open-database.js';
import type { IdentifierMatch, SearchFilters, TextWord } from '../../src/store/reads/search-filters.js';

export type Row = Record<string, string | number | null>;

export function allRows(db: Db): Row[] {
  return db.prepare('SELECT * FROM messages ORDER BY id DESC').all() as Row[];
}

const asciiUpper = (s: string): string => s.replace(/[a-z]/g, (c) => c.toUpperCase());
const asciiLower = (s: string): string => s.replace(/[A-Z]/g, (c) => c.toLowerCase());
const spaceTrim = (s: string): string => s.replace(/^ +| +$/g, '');

/** unicode61 with remove_diacritics: letters and digits, case and accents folded. */
function tokens(s: string): string[] {
  return s
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .split(/[^\p{L}\p{N}\p{Co}]+/u)
    .filter((t) => t.length > 0);
}

function hasPhrase(text: string, w: TextWord): boolean {
  const t = tokens(text);
  const q = tokens(w.word);
  for (let i = 0; i + q.length <= t.length; i++) {
    let ok = true;
    for (let j = 0; j < q.length && ok; j++) {
      const last = j === q.length - 1;
      ok = w.prefix && last ? t[i + j]!.startsWith(q[j]!) : t[i + j] === q[j];
    }
    if (ok) return true;
  }
  return false;
}

function identifier(v: string | number | null, m: IdentifierMatch): boolean {
  if (typeof v !== 'string') return false;
  const s = asciiUpper(spaceTrim(v));
  return m.prefix ? s.startsWith(m.value) : s === m.value;
}

function matches(r: Row, f: SearchFilters): boolean {
  const s = (c: string): string | null => (typeof r[c] === 'string' ? (r[c] as string) : null);
  if (f.icao && !identifier(r.icao!, f.icao)) return false;
  if (f.flight && !identifier(r.flight!, f.flight)) return false;
  if (f.tail && !identifier(r.tail!, f.tail)) return false;
  if (f.depa !== undefined && (s('depa') === null || asciiUpper(spaceTrim(s('depa')!)) !== f.depa)) return false;
  if (f.dsta !== undefined && (s('dsta') === null || asciiUpper(spaceTrim(s('dsta')!)) !== f.dsta)) return false;
  if (f.label !== undefined && r.label !== f.label) return false;
  if (f.msgno !== undefined && (s('msgno') === null || asciiUpper(s('msgno')!) !== f.msgno)) return false;
  if (f.station !== undefined && (s('station_id') === null || asciiLower(s('station_id')!) !== asciiLower(f.station))) return false;
  if (f.type !== undefined && r.type !== f.type) return false;
  if (f.freq && !(typeof r.freq === 'number' && r.freq >= f.freq.min && r.freq <= f.freq.max)) return false;
  const t = r.msg_time as number;
  if (f.from !== undefined && !(t >= f.from)) return false;
  if (f.to !== undefined && !(t < f.to)) return false;
  if (f.substring !== undefined && (s('text') === null || !asciiLower(s('text')!).includes(asciiLower(f.substring)))) return false;
  // Whole words: only what the full-text index holds (ACARS rows).
  if (f.text && (r.is_acars !== 1 || s('text') === null || !f.text.every((w) => hasPhrase(s('text')!, w)))) return false;
  return true;
}

/** Ids the search must return, newest first. */
export function expectedIds(rows: readonly Row[], f: SearchFilters): number[] {
  return rows.filter((r) => matches(r, f)).map((r) => r.id as number);
}
