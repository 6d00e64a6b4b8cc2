/**
 * What the writer thread does, apart from the thread plumbing: open the database and decide what
 * its schema allows (write, migrate first, or wait for consent), commit batches in order, and
 * answer the admin requests that need the database (status, migrate, backup, restore).
 *
 * While migrations wait for consent nothing is written: the engine keeps new batches in the
 * journal. The service polls the schema, so a `contrail db migrate --yes` run from another
 * process is picked up without a restart, and relays that process's progress.
 */
import { decodedBatchFrames } from '../decode/decoded-batch.js';
import { ContrailError, MigrationError } from '../errors.js';
import { errorCode, type FromWriter, type SchemaState, type ToWriter, type WriterRequest, type WriterWorkerData } from '../threads/protocol.js';
import { BatchQueue } from './batch-queue.js';
import { MessageWriter } from './message-writer.js';
import { openWriterDatabase, type Db } from './open-database.js';
import { createBackup, findBackup, pruneBackups } from './schema/backups.js';
import { databaseStatus } from './schema/database-status.js';
import { migrationLockPath } from './schema/lock-paths.js';
import { migrateWithBackup } from './schema/migrate-with-backup.js';
import { assertKnownSchema, schemaStatus, type MigrationProgress } from './schema/migration-runner.js';
import { ProcessLock, readLock } from './schema/process-lock.js';
import { schemaHas } from './schema/schema-snapshot.js';
import { restoreDatabase } from './schema/restore-database.js';
import { Maintenance } from './maintenance/maintenance.js';
import { compileMatcher } from '../alerts/alert-matcher.js';
import { AlertRescan } from '../alerts/alert-rescan.js';
import { addTerm, listTerms, removeTerm, termSet, type TermSet } from '../alerts/term-store.js';
import { SerialQueue } from '../util/serial-queue.js';

type Batch = Extract<ToWriter, { kind: 'batch' }>;
type Post = (message: FromWriter, transfer?: ArrayBuffer[]) => void;

/** How often a waiting writer looks whether another process migrated the schema. */
const SCHEMA_POLL_MS = 1000;
/** Idle pace of maintenance; while a job has work, slices follow each other (batches interleave). */
const MAINTENANCE_TICK_MS = 250;
/** Longest a maintenance slice aims to hold the writer: a batch waits at most about this long. */
const MAINTENANCE_BUDGET_MS = 20;
/** Maintenance counters reach the main thread's metrics at most this often. */
const COUNTERS_EVERY_MS = 1000;

export class WriterService {
  readonly #data: WriterWorkerData;
  readonly #post: Post;
  #db: Db | null = null;
  #writer: MessageWriter | null = null;
  readonly #queue: BatchQueue<Batch>;
  /** Batches that arrived while no schema was ready (the engine should not send any). */
  #early: Batch[] = [];
  #busy: 'migrating' | 'restoring' | null = null;
  #poll: NodeJS.Timeout | null = null;
  #lastRelayed = '';
  #closed = false;
  #maintenance: Maintenance | null = null;
  #maintenanceTimer: NodeJS.Timeout | null = null;
  /** A slice ran a job since the counters were last posted. */
  #countersDirty = false;
  #countersPostedAt = 0;
  /** The alert terms last posted (JSON), and the database's data_version when last compared. */
  #terms: TermSet = { terms: [], ignore: [] };
  #dataVersion = -1;
  #termsPoll: NodeJS.Timeout | null = null;
  #rescan: AlertRescan | null = null;
  #rescanPostedAt = 0;
  /**
   * Backups and restores, one at a time in the order asked: a restore closes the database, so it
   * must not run under a backup, and a backup asked during a restore copies the restored file.
   */
  readonly #fileWork = new SerialQueue();

  constructor(data: WriterWorkerData, post: Post) {
    this.#data = data;
    this.#post = post;
    this.#queue = new BatchQueue<Batch>({
      write: (m) => {
        const start = performance.now();
        const o = this.#writer!.writeBatch(m.buffer, m.journalEnd);
        post({ kind: 'committed', seq: m.seq, journalEnd: m.journalEnd, txMs: performance.now() - start, ...o }, [o.publish]);
      },
      fail: (m, e) => post({ kind: 'failed', seq: m.seq, frames: decodedBatchFrames(m.buffer), code: errorCode(e), message: (e as Error).message }),
      stalled: (e) => post({ kind: 'stalled', code: errorCode(e), message: (e as Error).message }),
      resumed: () => post({ kind: 'resumed' }),
    });
  }

  /** Opens the database and posts `ready`; throws (fatal) if the schema is not one it can use. */
  async start(): Promise<void> {
    const applied = await this.#open();
    this.#post({ kind: 'ready', appliedMigrations: applied, ...this.#state() });
  }

  /**
   * Opens the database. Creating the schema of a new database needs no consent; migrating an
   * existing one needs it unless autoMigrate. Returns the migrations applied.
   */
  async #open(): Promise<string[]> {
    const db = openWriterDatabase(this.#data.dbPath);
    this.#db = db;
    const status = schemaStatus(db);
    assertKnownSchema(status, this.#data.dbPath);
    let applied: string[] = [];
    if (status.pending.length > 0 && status.tampered.length === 0 && (status.fresh || this.#data.autoMigrate)) {
      applied = await this.#migrate();
    }
    if (schemaStatus(db).pending.length === 0) this.#becomeReady();
    else this.#waitForSchema();
    return applied;
  }

  #state(): SchemaState {
    const s = schemaStatus(this.#db!);
    const checkpoint = this.#writer
      ? this.#writer.checkpoint
      : ((schemaHas(this.#db!, 'journal_checkpoint') ? (this.#db!.prepare('SELECT position FROM journal_checkpoint WHERE id = 1').pluck().get() as number | undefined) : 0) ?? 0);
    return { mode: this.#writer ? 'ready' : 'pending', schema: s.current, target: s.target, pending: s.pending.map((p) => p.name), tampered: s.tampered, checkpoint };
  }

  #becomeReady(): void {
    this.#stopPolling();
    this.#writer = new MessageWriter(this.#db!, this.#data.sources, this.#data.intel);
    this.#maintenance = new Maintenance(this.#db!, this.#data.maintenance);
    this.#scheduleMaintenance(MAINTENANCE_TICK_MS);
    this.#postTermsIfChanged();
    // `contrail alerts` in another process writes the terms directly: data_version tells.
    if (!this.#termsPoll) {
      this.#termsPoll = setInterval(() => {
        if (!this.#db || !this.#writer || this.#busy) return;
        const v = Number(this.#db.pragma('data_version', { simple: true }));
        if (v === this.#dataVersion) return;
        this.#dataVersion = v;
        this.#postTermsIfChanged();
      }, SCHEMA_POLL_MS);
      this.#termsPoll.unref();
    }
    const early = this.#early;
    this.#early = [];
    for (const b of early) this.#queue.push(b);
  }

  /**
   * One bounded slice at a time, from a timer: batch messages from the main thread are handled
   * between slices, so ingest waits at most about one slice.
   */
  #scheduleMaintenance(ms: number): void {
    if (this.#maintenanceTimer) clearTimeout(this.#maintenanceTimer);
    this.#maintenanceTimer = setTimeout(() => {
      this.#maintenanceTimer = null;
      const m = this.#maintenance;
      if (!m || !this.#writer || this.#busy || this.#closed) return;
      let more = false;
      if (this.#rescan) {
        this.#rescanStep();
        this.#scheduleMaintenance(1);
        return;
      }
      try {
        const r = m.runSlice(MAINTENANCE_BUDGET_MS);
        more = r.more;
        if (r.job) this.#countersDirty = true;
        if (r.note) this.#post({ kind: 'maintenance', note: r.note, detail: r.detail ?? {} });
      } catch (e) {
        this.#post({ kind: 'maintenance', note: `maintenance step failed: ${(e as Error).message}`, detail: { code: errorCode(e) } });
      }
      const now = performance.now();
      if (this.#countersDirty && now - this.#countersPostedAt >= COUNTERS_EVERY_MS) {
        this.#countersDirty = false;
        this.#countersPostedAt = now;
        this.#post({ kind: 'maintenance-counters', counters: m.counters });
      }
      this.#scheduleMaintenance(more ? 1 : MAINTENANCE_TICK_MS);
    }, ms);
    this.#maintenanceTimer.unref();
  }

  #postTermsIfChanged(): void {
    const set = termSet(this.#db!);
    if (JSON.stringify(set) === JSON.stringify(this.#terms)) return;
    this.#terms = set;
    this.#post({ kind: 'alert-terms', terms: set });
  }

  #startRescan(): ReturnType<AlertRescan['progress']> {
    this.#rescan = new AlertRescan(this.#db!, compileMatcher(this.#terms.terms, this.#terms.ignore));
    this.#scheduleMaintenance(1);
    return this.#rescan.progress();
  }

  /** A rescan step instead of a maintenance slice: the same budget, so ingest waits no longer. */
  #rescanStep(): void {
    const r = this.#rescan!;
    try {
      const p = r.step(MAINTENANCE_BUDGET_MS);
      const now = performance.now();
      if (p.done || now - this.#rescanPostedAt >= 250) {
        this.#rescanPostedAt = now;
        this.#post({ kind: 'rescan', progress: p });
      }
      if (p.done) this.#rescan = null;
    } catch (e) {
      this.#rescan = null;
      this.#post({ kind: 'maintenance', note: `alert rescan failed: ${(e as Error).message}`, detail: { code: errorCode(e) } });
    }
  }

  #waitForSchema(): void {
    this.#stopPolling();
    this.#poll = setInterval(() => {
      if (this.#busy || !this.#db) return;
      this.#relayForeignProgress();
      if (schemaStatus(this.#db).pending.length > 0) return;
      this.#becomeReady();
      this.#post({ kind: 'schema', appliedMigrations: [], ...this.#state() });
    }, SCHEMA_POLL_MS);
    this.#poll.unref();
  }

  /** `contrail db migrate` in another process writes its progress into the lock file. */
  #relayForeignProgress(): void {
    const holder = readLock(migrationLockPath(this.#data.dbPath));
    const p = (holder?.state as { migration?: MigrationProgress } | undefined)?.migration;
    if (!p) return;
    const key = `${p.step} ${p.percent}`;
    if (key === this.#lastRelayed) return;
    this.#lastRelayed = key;
    this.#post({ kind: 'progress', progress: p });
  }

  #stopPolling(): void {
    if (this.#poll) clearInterval(this.#poll);
    this.#poll = null;
  }

  /** Backs up (unless new) and migrates, under the migration lock, posting progress. */
  async #migrate(): Promise<string[]> {
    const lock = ProcessLock.acquire(migrationLockPath(this.#data.dbPath), 'contrail serve (writer)', 'migrate');
    this.#busy = 'migrating';
    try {
      const outcome = await migrateWithBackup(this.#db!, this.#data.backups, {
        onProgress: (progress) => {
          this.#post({ kind: 'progress', progress });
          lock.update({ migration: progress });
        },
      });
      return outcome.applied.map((a) => a.name);
    } finally {
      this.#busy = null;
      lock.release();
    }
  }

  batch(m: Batch): void {
    if (this.#writer) this.#queue.push(m);
    else this.#early.push(m);
  }

  async request(id: number, r: WriterRequest): Promise<void> {
    try {
      this.#post({ kind: 'reply', id, ok: true, value: await this.#handle(r) });
    } catch (e) {
      this.#post({ kind: 'reply', id, ok: false, code: errorCode(e), message: (e as Error).message });
    }
  }

  async #handle(r: WriterRequest): Promise<unknown> {
    // Backups and restores wait for each other (a restore closes the database for a while), and
    // look at the database when their turn comes. The engine, the only sender of a restore, has
    // refused an unknown id before it held ingest.
    if (r.op === 'backup') return this.#fileWork.run(() => this.#backup());
    if (r.op === 'restore') return this.#fileWork.run(() => this.#restore(r.id));
    if (!this.#db) throw new ContrailError('CONTRAIL_ERR_CLOSED', 'the database is closed');
    switch (r.op) {
      case 'status':
        return { ...databaseStatus(this.#db, this.#data.dbPath, this.#data.backups.dir), mode: this.#writer ? 'ready' : 'pending', busy: this.#busy };
      case 'migrate': {
        this.#assertIdle();
        if (this.#writer) return { applied: [], ...this.#state() };
        const status = schemaStatus(this.#db);
        if (status.tampered.length > 0) throw new MigrationError(`applied migrations changed after being applied (${status.tampered.join(', ')}): refusing to migrate`);
        const applied = await this.#migrate();
        this.#becomeReady();
        const state = this.#state();
        this.#post({ kind: 'schema', appliedMigrations: applied, ...state });
        return { applied, ...state };
      }
      case 'alerts-list':
        return listTerms(this.#requireWriter());
      case 'alerts-add': {
        const spec = addTerm(this.#requireWriter(), r.term, r.kind);
        this.#postTermsIfChanged();
        return spec;
      }
      case 'alerts-remove':
        removeTerm(this.#requireWriter(), r.term, r.kind);
        this.#postTermsIfChanged();
        return { removed: r.term, kind: r.kind };
      case 'alerts-rescan':
        this.#requireWriter();
        if (this.#rescan) throw new ContrailError('CONTRAIL_ERR_BUSY', 'an alert rescan is already under way');
        return this.#startRescan();
    }
  }

  async #backup(): Promise<unknown> {
    const b = await createBackup(this.#openDb(), this.#data.backups.dir, 'api');
    return { ...b, prunedBackups: pruneBackups(this.#data.backups.dir, this.#data.backups.keep, this.#data.backups.keepDays).map((x) => x.id) };
  }

  /**
   * Swaps a backup in under the running engine. Everything that can refuse is checked before the
   * database is closed: the id again (a backup that ran meanwhile may have pruned it), idleness,
   * the migration lock.
   */
  async #restore(id: string): Promise<unknown> {
    const db = this.#openDb();
    findBackup(this.#data.backups.dir, id);
    this.#assertIdle();
    if (this.#queue.length > 0) throw new ContrailError('CONTRAIL_ERR_BUSY', 'batches are still being written; try again');
    // The lock first: if another process holds it, nothing here has changed yet.
    const lock = ProcessLock.acquire(migrationLockPath(this.#data.dbPath), 'contrail serve (restore)', 'restore');
    this.#busy = 'restoring';
    this.#stopPolling();
    try {
      this.#writer = null;
      this.#maintenance = null;
      db.close();
      this.#db = null;
      const outcome = await restoreDatabase(this.#data.dbPath, this.#data.backups, id);
      lock.release();
      this.#busy = null;
      const applied = await this.#open();
      const state = this.#state();
      this.#post({ kind: 'schema', appliedMigrations: applied, ...state });
      return { ...outcome, applied, ...state };
    } finally {
      lock.release();
      this.#busy = null;
      // A failed swap leaves the old database in place: open it again.
      if (!this.#db && !this.#closed) await this.#open();
    }
  }

  /** The database, for work that waited its turn: closed meanwhile (shutdown) is an error. */
  #openDb(): Db {
    if (!this.#db) throw new ContrailError('CONTRAIL_ERR_CLOSED', 'the database is closed');
    return this.#db;
  }

  #requireWriter(): Db {
    if (!this.#writer) throw new ContrailError('CONTRAIL_ERR_NOT_READY', 'the database schema is not current (schema update pending): migrate first');
    return this.#db!;
  }

  #assertIdle(): void {
    if (this.#busy) throw new ContrailError('CONTRAIL_ERR_BUSY', `the database is busy (${this.#busy}); try again when it is done`);
  }

  close(): void {
    this.#closed = true;
    this.#stopPolling();
    if (this.#termsPoll) clearInterval(this.#termsPoll);
    if (this.#maintenanceTimer) clearTimeout(this.#maintenanceTimer);
    this.#queue.stop();
    this.#db?.close();
    this.#db = null;
  }
}
