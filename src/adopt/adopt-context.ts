/** What every carry step works with: the private copy it reads, the new database it writes, and where refused rows and progress go. */
import type { Db } from '../store/open-database.js';
import type { LegacyShape } from './detect-generation.js';
import type { RejectSink } from './reject-sink.js';

export interface AdoptProgress {
  step: string;
  done: number;
  total: number;
}

export interface AdoptContext {
  /** The adoption's private copy of the ACARS Hub file (never the original). */
  legacy: Db;
  /** The Contrail database being built at `<output>.adopting`. */
  target: Db;
  shape: LegacyShape;
  rejects: RejectSink;
  /** When the adoption started, epoch ms (adopted terms' created_at is this in seconds). */
  now: number;
  /** Legacy rows per write transaction. */
  chunkRows: number;
  progress(step: string, done: number, total: number): void;
  /** Called between chunks: lets the event loop run (progress output, signals) and stops an aborted adoption. */
  pause(): Promise<void>;
}

export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

export function countRows(db: Db, table: string): number {
  return db.prepare(`SELECT count(*) FROM ${quoteIdent(table)}`).pluck().get() as number;
}
