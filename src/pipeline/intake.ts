/**
 * What happens to each new batch: journaled and submitted; journaled to wait in the backlog
 * (pipeline full, or storage failing); or refused and counted, when even waiting is out of
 * bounds. Only a journaled batch is accepted: its journal position is its identity from here on.
 */
import type { JournalWriter } from '../journal/journal-writer.js';
import type { EngineMetrics } from '../metrics/engine-metrics.js';
import type { JournalBacklog } from './journal-backlog.js';
import type { Pipeline } from './pipeline.js';

/** Journal bytes that may wait in memory while storage is failing. */
export const BLOCKED_QUEUE_BYTES = 64 * 1024 * 1024;

export class Intake {
  constructor(
    private readonly journal: JournalWriter,
    private readonly pipeline: Pipeline,
    private readonly backlog: JournalBacklog,
    private readonly metrics: EngineMetrics,
    /** True while the journal or the database cannot be written. */
    private readonly storageBlocked: () => boolean,
  ) {}

  accept(buffer: ArrayBuffer, frames: number): void {
    const { journal, pipeline, backlog, metrics: m } = this;
    // While storage fails, batches wait for it (TCP is paused, so little arrives) within a
    // memory bound; past it (a UDP flood during an outage) they are refused and counted.
    const blocked = this.storageBlocked();
    if (blocked && journal.queuedBytes + buffer.byteLength > BLOCKED_QUEUE_BYTES) {
      m.framesLost.inc({ reason: 'storage-blocked' }, frames);
      return;
    }
    const wait = blocked || backlog.mustWait();
    if (pipeline.full || (wait && !backlog.fits(buffer.byteLength))) {
      m.framesLost.inc({ reason: 'overload' }, frames);
      return;
    }
    const start = journal.position;
    const end = journal.append(buffer);
    m.journalBytes.inc(buffer.byteLength);
    m.journalPosition.set(end);
    if (wait) {
      m.journalDeferred.inc();
      backlog.add(start, end, frames);
    } else {
      pipeline.submit(buffer, frames, end);
    }
  }
}
