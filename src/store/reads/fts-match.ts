/**
 * The FTS5 MATCH expression of a search, built only from the index's column names and the
 * user's values as FTS5 strings (inside double quotes, quotes doubled): no user text is ever
 * read as query syntax. A string is a phrase of the tokens the index's tokenizer (unicode61,
 * diacritics removed) finds in it, so `KPHX-KDFW` matches those two words in sequence.
 */
import { HAS_WORD_CHAR, IDENTIFIERS, type SearchFilters } from './search-filters.js';

function ftsString(value: string, prefix: boolean): string {
  return `"${value.replaceAll('"', '""')}"${prefix ? '*' : ''}`;
}

/**
 * The MATCH expression, or null when no filter can use the index. Identifiers and the label
 * narrow the index's candidates; each row found is still checked against the exact filter.
 * A label without a letter or digit (`:;`) has no token to look up and is only checked.
 */
export function ftsMatch(f: SearchFilters): string | null {
  const terms: string[] = [];
  for (const w of f.text ?? []) terms.push(`text:${ftsString(w.word, w.prefix)}`);
  for (const name of IDENTIFIERS) {
    const m = f[name];
    if (m !== undefined) terms.push(`${name}:${ftsString(m.value, m.prefix)}`);
  }
  if (f.label !== undefined && HAS_WORD_CHAR.test(f.label)) terms.push(`label:${ftsString(f.label, false)}`);
  return terms.length === 0 ? null : terms.join(' AND ');
}
