/**
 * The adoption checks its own accounts before the new database replaces anything: every legacy
 * row is carried, rejected or merged; each Contrail table holds exactly what was carried into it;
 * every reject is in `rejects`; and the full-text index agrees with the messages.
 */
import { DECODER_TYPES } from '../decode/message.js';
import { TABLE_SUFFIX } from '../store/decoder-tables.js';
import type { Db } from '../store/open-database.js';
import type { RejectCount, TableTally } from './adopt-report.js';
import { countRows } from './adopt-context.js';
import { AdoptError } from './adopt-errors.js';

/** The Contrail tables an adoption writes, counted for the report. */
export const CONTRAIL_TABLES = [
  'messages',
  'alert_matches',
  'alert_terms',
  'ignore_terms',
  ...DECODER_TYPES.map((t) => `level_${TABLE_SUFFIX[t]}`),
  'level_unsplit',
  ...DECODER_TYPES.map((t) => `freqs_${TABLE_SUFFIX[t]}`),
  'timeseries',
  'counters',
  'rejects',
];

export function countContrailTables(db: Db): Record<string, number> {
  return Object.fromEntries(CONTRAIL_TABLES.map((t) => [t, countRows(db, t)]));
}

/** `to` may be a pattern ("freqs_*") when one legacy table feeds several Contrail tables. */
function rowsIn(contrail: Record<string, number>, to: string): number {
  if (!to.endsWith('*')) return contrail[to] ?? 0;
  const prefix = to.slice(0, -1);
  return Object.entries(contrail)
    .filter(([t]) => t.startsWith(prefix) && t !== 'level_unsplit')
    .reduce((n, [, rows]) => n + rows, 0);
}

export function verifyAdoption(db: Db, tallies: readonly TableTally[], rejects: readonly RejectCount[], contrail: Record<string, number>): void {
  const problems: string[] = [];
  for (const t of tallies) {
    if (t.before !== t.after + t.rejected + t.merged) {
      problems.push(`${t.from} -> ${t.to}: ${t.before} rows read but ${t.after} carried + ${t.rejected} rejected + ${t.merged} merged`);
    }
  }
  // Counters hold named totals, not rows: one legacy row becomes several, so only rows are compared.
  const targets = new Set(tallies.map((t) => t.to).filter((to) => to !== 'counters'));
  for (const to of targets) {
    const carried = tallies.filter((t) => t.to === to).reduce((n, t) => n + t.after, 0);
    const found = rowsIn(contrail, to);
    if (carried !== found) problems.push(`${to} holds ${found} rows, but ${carried} were carried into it`);
  }
  // A legacy row is rejected once, though every tally from its table counts it.
  const bySource = new Map<string, number>();
  for (const t of tallies) bySource.set(t.from, t.rejected);
  const expected = [...bySource.values()].reduce((a, b) => a + b, 0);
  const listed = rejects.reduce((n, r) => n + r.rows, 0);
  if (expected !== listed || listed !== (contrail.rejects ?? 0)) {
    problems.push(`rejects: ${expected} rows counted as rejected, ${listed} recorded, ${contrail.rejects ?? 0} in the table`);
  }
  try {
    // rank 1: compare the index with its content (the acars_text view), not only with itself.
    db.prepare("INSERT INTO messages_fts (messages_fts, rank) VALUES ('integrity-check', 1)").run();
  } catch (e) {
    problems.push(`the full-text index does not match the messages: ${(e as Error).message}`);
  }
  if (problems.length > 0) throw new AdoptError(`the adopted database failed verification, so it was not kept:\n  ${problems.join('\n  ')}`);
}
