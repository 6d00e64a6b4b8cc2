/**
 * The adoption's verification table: for every legacy table, how many rows it had, how many were
 * carried, rejected (kept in `rejects` with a reason) or merged into another row. Returned to the
 * caller, stored in `adoptions.report`, and printed by the CLI (src/cli/db-adopt-command.ts).
 */
import type { Generation } from './acarshub-revisions.js';
import type { NotCarried } from './detect-generation.js';
import type { Replacement } from './replace-output.js';
import type { RetentionNotice } from './retention-notice.js';

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
  /** What needs attention: where the file's shape disagreed with its revision; adopted messages the retention will delete. */
  warnings: string[];
  /** Adopted messages past the configured retention; null when no retention was given. */
  retention: RetentionNotice | null;
  /** What the adopted database replaced: moved aside into `dir` (the old database, its WAL, its journal), and the mirror deleted. */
  replaced: Replacement;
}

export function newTally(from: string, to: string): TableTally {
  return { from, to, before: 0, after: 0, rejected: 0, merged: 0 };
}
