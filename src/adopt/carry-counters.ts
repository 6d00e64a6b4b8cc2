/**
 * ACARS Hub's running totals: `count` (messages it logged: total, with errors, good) and
 * `nonlogged_count` (messages it received but did not store because they carried nothing). Each
 * table has one row; more rows are summed.
 */
import { newTally, type TableTally } from './adopt-report.js';
import type { AdoptContext } from './adopt-context.js';
import type { LegacyRow } from './convert-message.js';
import { legacyInteger } from './legacy-values.js';

function carry(ctx: AdoptContext, from: string, columns: Readonly<Record<string, string>>): TableTally {
  const tally = newTally(from, 'counters');
  const sums = new Map<string, number>();
  for (const row of ctx.legacy.prepare(`SELECT * FROM ${from}`).all() as LegacyRow[]) {
    tally.before++;
    const values = Object.entries(columns).map(([column, name]) => [name, legacyInteger(row[column])] as const);
    if (values.every(([, v]) => v === null)) {
      ctx.rejects.reject(from, 'invalid-count', `none of ${Object.keys(columns).join(', ')} is a whole number`, row);
      tally.rejected++;
      continue;
    }
    if (sums.size === 0) tally.after++;
    else tally.merged++;
    for (const [name, v] of values) if (v !== null) sums.set(name, (sums.get(name) ?? 0) + v);
  }
  const insert = ctx.target.prepare('INSERT INTO counters (name, value) VALUES (?, ?)');
  for (const [name, value] of sums) insert.run(name, value);
  return tally;
}

export function carryCounters(ctx: AdoptContext): TableTally[] {
  ctx.progress('counters', 0, 1);
  const tallies: TableTally[] = [];
  ctx.target.transaction(() => {
    if (ctx.shape.count) tallies.push(carry(ctx, 'count', { total: 'acarshub_total', errors: 'acarshub_errors', good: 'acarshub_good' }));
    if (ctx.shape.nonloggedCount) tallies.push(carry(ctx, 'nonlogged_count', { errors: 'acarshub_nonlogged_errors', good: 'acarshub_nonlogged_good' }));
  })();
  ctx.progress('counters', 1, 1);
  return tallies;
}
