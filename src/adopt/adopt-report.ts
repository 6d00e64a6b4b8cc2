/**
 * The adoption's verification table: for every legacy table, how many rows it had, how many were
 * carried, rejected (kept in `rejects` with a reason) or merged into another row. Returned to the
 * caller, stored in `adoptions.report`, and printed by the CLI.
 */
import type { Generation } from './acarshub-revisions.js';
import type { NotCarried } from './detect-generation.js';

export interface TableTally {
  /** The legacy table read. */
  from: string;
  /** The Contrail table written. */
  to: string;
  /** Legacy rows read. Always before = after + rejected + merged. */
  before: number;
  /** Rows carried, each one row in `to`. */
  after: number;
  /** Rows stored in `rejects` instead, with a reason. */
  rejected: number;
  /** Rows folded into another row: keys equal after normalization (counts summed, time series: the later row kept). */
  merged: number;
}

export interface RejectCount {
  /** `adopt:<legacy table>`, as in rejects.source. */
  source: string;
  reason: string;
  rows: number;
}

export interface AdoptReport {
  /** The ACARS Hub file, as given (it was only read). */
  source: string;
  output: string;
  generation: Generation;
  /** alembic_version, or null for the Python era before Alembic. */
  revision: string | null;
  startedAt: number;
  finishedAt: number;
  seconds: number;
  messagesPerSecond: number;
  tables: TableTally[];
  rejects: RejectCount[];
  /** Rows in each Contrail table the adoption wrote, counted after the last write. */
  contrail: Record<string, number>;
  notCarried: NotCarried[];
  /** What the conversions did, in numbers (type inferred, ICAO from decimal, ...). */
  notes: string[];
  /** Where the file's shape disagreed with its revision. */
  warnings: string[];
}

export function newTally(from: string, to: string): TableTally {
  return { from, to, before: 0, after: 0, rejected: 0, merged: 0 };
}

function table(head: string[], rows: (string | number)[][], rightFrom: number): string {
  const cells = [head, ...rows.map((r) => r.map(String))];
  const widths = head.map((_, i) => Math.max(...cells.map((r) => r[i]!.length)));
  return cells
    .map((r) => r.map((c, i) => (i >= rightFrom ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join('  ').trimEnd())
    .join('\n');
}

const plural = (n: number, one: string): string => `${n} ${one}${n === 1 ? '' : 's'}`;

/** The human form: a summary line, then the verification table, rejects by reason, and what was left out. */
export function formatAdoptReport(r: AdoptReport): string {
  const era = r.revision === null ? 'generation 1, before Alembic' : `generation ${r.generation}, revision ${r.revision}`;
  const out: string[] = [
    `adopted ${r.source} (ACARS Hub ${era}) into ${r.output} in ${r.seconds} s (${r.messagesPerSecond} messages/s)`,
  ];
  for (const w of r.warnings) out.push(`warning: ${w}`);
  for (const n of r.notes) out.push(`note: ${n}`);
  if (r.notCarried.length > 0) {
    out.push('', 'not carried:');
    for (const n of r.notCarried) out.push(`  ${n.table} (${plural(n.rows, 'row')}): ${n.why}`);
  }
  if (r.rejects.length > 0) {
    out.push('', 'rejected rows (in the rejects table, with the legacy row):');
    out.push(table(['source', 'reason', 'rows'], r.rejects.map((x) => [x.source, x.reason, x.rows]), 2).replace(/^/gm, '  '));
  }
  out.push('', 'verification (before = after + rejected + merged):');
  out.push(
    table(
      ['legacy table', 'contrail table', 'before', 'after', 'rejected', 'merged'],
      r.tables.map((t) => [t.from, t.to, t.before, t.after, t.rejected, t.merged]),
      2,
    ),
  );
  return `${out.join('\n')}\n`;
}
