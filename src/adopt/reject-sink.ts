/**
 * Legacy rows that cannot be converted go to Contrail's `rejects` table, never nowhere: the whole
 * legacy row as JSON in `raw`, so nothing is lost and a later version can take them in.
 */
import type { Statement } from 'better-sqlite3';
import type { Db } from '../store/open-database.js';
import type { RejectCount } from './adopt-report.js';

export class RejectSink {
  private readonly insert: Statement;
  private readonly counts = new Map<string, RejectCount>();

  constructor(
    db: Db,
    /** received_at of every reject: when the adoption ran (epoch ms). */
    private readonly at: number,
  ) {
    this.insert = db.prepare('INSERT INTO rejects (received_at, source, type_hint, reason, detail, size, raw) VALUES (?, ?, ?, ?, ?, ?, ?)');
  }

  /** `reason` is short kebab-case (invalid-time, unknown-type, ...); `detail` says what was found. */
  reject(table: string, reason: string, detail: string, row: Record<string, unknown>, typeHint: string | null = null): void {
    const source = `adopt:${table}`;
    const raw = Buffer.from(JSON.stringify(row), 'utf8');
    this.insert.run(this.at, source, typeHint, reason, detail, raw.length, raw);
    const key = `${source}\u0000${reason}`;
    const c = this.counts.get(key);
    if (c) c.rows++;
    else this.counts.set(key, { source, reason, rows: 1 });
  }

  summary(): RejectCount[] {
    return [...this.counts.values()].sort((a, b) => a.source.localeCompare(b.source) || a.reason.localeCompare(b.reason));
  }
}
