/**
 * Alert terms (alert_stats: term and hit count) and ignore terms. Contrail's terms are unique
 * without regard to case, as ACARS Hub matched them; terms that differ only in case merge, their
 * hits summed. ACARS Hub pasted terms into a regular expression unescaped; Contrail matches them
 * as literal words (is_regex 0), which is what users typed them as.
 */
import { newTally, type TableTally } from './adopt-report.js';
import type { AdoptContext } from './adopt-context.js';
import { legacyInteger, legacyText } from './legacy-values.js';
import type { LegacyRow } from './convert-message.js';

/** SQLite's NOCASE folds ASCII letters only. */
function nocase(s: string): string {
  return s.replace(/[A-Z]/g, (c) => c.toLowerCase());
}

function carry(ctx: AdoptContext, from: string, to: string, withHits: boolean): TableTally {
  const tally = newTally(from, to);
  const terms = new Map<string, { term: string; hits: number }>();
  for (const row of ctx.legacy.prepare(`SELECT * FROM ${from} ORDER BY id`).all() as LegacyRow[]) {
    tally.before++;
    const term = legacyText(row.term)?.trim();
    if (!term) {
      ctx.rejects.reject(from, 'empty-term', `term ${JSON.stringify(row.term ?? null)} is empty`, row);
      tally.rejected++;
      continue;
    }
    // A term nobody matched yet may have a NULL count.
    const hits = withHits ? (row.count === null || row.count === undefined ? 0 : legacyInteger(row.count)) : 0;
    if (hits === null) {
      ctx.rejects.reject(from, 'invalid-count', `count ${JSON.stringify(row.count)} is not a whole number`, row);
      tally.rejected++;
      continue;
    }
    const key = nocase(term);
    const seen = terms.get(key);
    if (seen) {
      seen.hits += hits;
      tally.merged++;
    } else {
      terms.set(key, { term, hits });
      tally.after++;
    }
  }
  const insert = withHits
    ? ctx.target.prepare('INSERT INTO alert_terms (term, is_regex, hits, created_at) VALUES (?, 0, ?, ?)')
    : ctx.target.prepare('INSERT INTO ignore_terms (term, created_at) VALUES (?, ?)');
  // created_at is epoch seconds, as terms added later get it (term-store.ts); ACARS Hub kept no
  // date for its terms, so they are dated when they were adopted.
  const createdAt = Math.floor(ctx.now / 1000);
  ctx.target.transaction(() => {
    for (const t of terms.values()) {
      if (withHits) insert.run(t.term, t.hits, createdAt);
      else insert.run(t.term, createdAt);
    }
  })();
  return tally;
}

export function carryTerms(ctx: AdoptContext): TableTally[] {
  ctx.progress('alert terms', 0, 1);
  const tallies: TableTally[] = [];
  if (ctx.shape.alertTerms) tallies.push(carry(ctx, 'alert_stats', 'alert_terms', true));
  if (ctx.shape.ignoreTerms) tallies.push(carry(ctx, 'ignore_alert_terms', 'ignore_terms', false));
  ctx.progress('alert terms', 1, 1);
  return tallies;
}
