/**
 * Adopted messages that the engine's age pruning deletes as soon as it starts: ACARS Hub history
 * is usually older than DB_SAVE_DAYS. Counted on the adopted database with the engine's own
 * cutoffs (prune-by-age.ts) and the retention of the configuration the engine would load.
 */
import { MAX_RETENTION_DAYS } from '../config/defaults.js';
import { ageCutoffs, countAgePrunable } from '../store/maintenance/prune-by-age.js';
import type { Db } from '../store/open-database.js';

export interface Retention {
  /** DB_SAVE_DAYS. */
  saveDays: number;
  /** DB_ALERT_SAVE_DAYS. */
  alertSaveDays: number;
}

export interface RetentionNotice extends Retention {
  /** Adopted messages past the retention: deleted at the engine's next start. */
  expiring: number;
  /** Of those, the alert-matched ones (older than the larger of the two settings). */
  expiringAlertMatched: number;
  /** Alert-matched messages past DB_SAVE_DAYS that stay until DB_ALERT_SAVE_DAYS. */
  alertKept: number;
  /** The oldest adopted message's age in days, rounded up; null when there are none. */
  oldestDays: number | null;
}

const DAY_S = 86_400;

export function retentionNotice(db: Db, retention: Retention, nowMs: number): RetentionNotice {
  const age = countAgePrunable(db, ageCutoffs(nowMs, retention.saveDays, retention.alertSaveDays));
  const oldest = db.prepare('SELECT min(msg_time) FROM messages').pluck().get() as number | null;
  return {
    ...retention,
    expiring: age.plainMessages + age.alertMessages,
    expiringAlertMatched: age.alertMessages,
    alertKept: age.alertKept,
    oldestDays: oldest === null ? null : Math.max(0, Math.ceil((nowMs / 1000 - oldest) / DAY_S)),
  };
}

/** The warning for the report, or null when nothing adopted expires. */
export function retentionWarning(n: RetentionNotice, adopted: number): string | null {
  if (n.expiring === 0) return null;
  const keepAbove = n.oldestDays ?? 0;
  const keep =
    keepAbove < MAX_RETENTION_DAYS
      ? `To keep them, start the engine with DB_SAVE_DAYS above ${keepAbove} (the oldest adopted message is ${keepAbove} days old), up to ${MAX_RETENTION_DAYS}; there is no 0 for "forever". Alert-matched messages are kept for the larger of DB_SAVE_DAYS and DB_ALERT_SAVE_DAYS`
      : `Even DB_SAVE_DAYS=${MAX_RETENTION_DAYS}, the largest allowed, does not keep the oldest of them (${keepAbove} days old)`;
  return (
    `${n.expiring} of the ${adopted} adopted messages (${n.expiringAlertMatched} of them alert-matched) are older than the retention, DB_SAVE_DAYS=${n.saveDays} ` +
    `(DB_ALERT_SAVE_DAYS=${n.alertSaveDays} for alert-matched ones), and will be deleted as soon as the engine starts with it. ${keep}. ` +
    '`contrail db prune --dry-run` shows what would be deleted'
  );
}
