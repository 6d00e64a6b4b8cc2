/**
 * The running engine: sources -> dispatcher -> decode pool -> writer -> live server, wired on the
 * main thread, which only moves buffers. start() resolves once every listener is bound and the
 * database is migrated; close() drains in order and is idempotent.
 */
import type { Counter } from 'prom-client';
import type { Config } from './config/config-types.js';
import type { TermSet } from './alerts/term-store.js';
import { DecodePool } from './decode/decode-pool.js';
import { createSource } from './ingest/create-source.js';
import { Dispatcher } from './ingest/dispatcher.js';
import type { FramerRejectReason } from './ingest/json-framer.js';
import type { IngestSink, SourceBase } from './ingest/source.js';
import type { Logger } from './log.js';
import { EngineMetrics } from './metrics/engine-metrics.js';
import { frameBatchCount } from './ingest/frame-batch.js';
import { openJournal } from './journal/open-journal.js';
import { adoptLeftovers, describeAdoptLeftovers } from './adopt/adopt-leftovers.js';
import type { JournalWriter } from './journal/journal-writer.js';
import { Intake } from './pipeline/intake.js';
import { JournalBacklog } from './pipeline/journal-backlog.js';
import { Pipeline } from './pipeline/pipeline.js';
import { LiveServer } from './serve/live-server.js';
import { PROTOCOL_VERSION } from './serve/ws-protocol.js';
import { WriterClient } from './store/writer-client.js';
import { AnalyticsClient } from './analytics/analytics-client.js';
import { removeMirror } from './analytics/mirror-files.js';
import type { MirrorState } from './threads/analytics-protocol.js';
import { registerAnalyticsApi } from './serve/analytics-api.js';
import { parseAnalyticsRequest, type AnalyticsRequest } from './analytics/analytics-request.js';
import { ContrailError, type WorkerError } from './errors.js';
import { readJournalFrom, type JournalRecord } from './journal/journal-reader.js';
import { apiHelpers, registerDbApi, type DbAdmin } from './serve/admin-api.js';
import { registerIntelApi, type IntelAdmin } from './serve/intel-api.js';
import { registerSearchApi, type MessageReads } from './serve/search-api.js';
import { ReaderPool } from './reads/reader-pool.js';
import { storageBytes } from './metrics/storage-bytes.js';
import { findBackup, listBackups } from './store/schema/backups.js';
import { engineLockPath } from './store/schema/lock-paths.js';
import { maintenanceOptionsFrom } from './store/maintenance/maintenance-options.js';
import type { MigrationProgress } from './store/schema/migration-runner.js';
import { ProcessLock } from './store/schema/process-lock.js';
import type { SchemaState } from './threads/protocol.js';

export interface SourceAddress {
  descriptor: string;
  type: string;
  kind: string;
  /** Bound local port for listeners; null for outgoing connections. */
  port: number | null;
  /** UDP: the kernel receive buffer granted. */
  recvBufferBytes?: number;
}

export interface EngineAddresses {
  http: { host: string; port: number };
  sources: SourceAddress[];
}

/**
 * A last bound on batches held in memory by the pipeline. New batches already wait in the journal
 * past twice the TCP pause point (the backlog), so this is reached only if that fails.
 */
const MEMORY_BATCH_LIMIT = 256;
/** How often checkpointed journal segments are considered for deletion when nothing is committed. */
const JOURNAL_PRUNE_MS = 60_000;
/** How often the stats topic gets the last hour's rates (only while a client is subscribed). */
const STATS_EVERY_MS = 5000;

export class Engine {
  readonly metrics: EngineMetrics;
  readonly #config: Config;
  readonly #log: Logger;
  readonly #startedAt = Date.now();
  #writer!: WriterClient;
  /** The DuckDB mirror's thread; null until the schema is current (and if it could not start). */
  #analytics: AnalyticsClient | null = null;
  #decode: DecodePool | undefined;
  /** Searches, history and aircraft lookups, on read-only connections; created once the database is open. */
  #readers: ReaderPool | null = null;
  #alertTerms: TermSet | null = null;
  #pipeline!: Pipeline;
  #dispatcher!: Dispatcher;
  #journal: JournalWriter | null = null;
  #backlog: JournalBacklog | null = null;
  #checkpoint = 0;
  #pruneTimer: NodeJS.Timeout | null = null;
  #statsTimer: NodeJS.Timeout | null = null;
  #pruneSoon: NodeJS.Timeout | null = null;
  /** Storage problems that stop ingest until they clear: which part, and the error. */
  readonly #storage = new Map<'journal' | 'database', string>();
  #pressure = false;
  #paused = false;
  #server!: LiveServer;
  #sources: SourceBase[] = [];
  #schema: SchemaState | null = null;
  /** Held by this engine while it runs: no second engine, no restore or rollback underneath it. */
  #lock: ProcessLock | null = null;
  /** Journal batches past the checkpoint, waiting for the schema (replayed once it is ready). */
  #heldReplay: JournalRecord[] = [];
  #migration: { progress: MigrationProgress; error?: string } | null = null;
  /** A restore is in progress: schema changes it causes must not resume writing before its replay is set up. */
  #restoring = false;
  /** A restore replaced the database file under the running analytics thread: it switches to the new file and rebuilds the mirror once the schema is current. */
  #mirrorStale = false;
  #fatal: Error | null = null;
  #accepting = false;
  #closing: Promise<void> | null = null;
  /** Called once if a component fails beyond repair (the writer thread died). */
  onFatal: (err: Error) => void = () => {};

  private constructor(config: Config, log: Logger) {
    this.#config = config;
    this.#log = log;
    this.metrics = new EngineMetrics();
  }

  static async start(config: Config, log: Logger): Promise<Engine> {
    const engine = new Engine(config, log);
    try {
      await engine.#start();
    } catch (e) {
      await engine.close().catch(() => {});
      throw e;
    }
    return engine;
  }

  async #start(): Promise<void> {
    const c = this.#config;
    const log = this.#log;
    const m = this.metrics;
    const labels = c.sources.map((s) => ({ descriptor: s.descriptor, type: s.type }));
    this.#lock = ProcessLock.acquire(engineLockPath(c.dbPath), 'contrail serve', `start the engine on ${c.dbPath}`, { schema: 'starting' });
    // Kept apart from maxPending, which sets TCP's pause point and so its queueing latency.
    const hardLimit = Math.max(MEMORY_BATCH_LIMIT, c.maxPendingBatches * 4);

    this.#writer = new WriterClient(
      { dbPath: c.dbPath, sources: labels, autoMigrate: c.database.autoMigrate, backups: c.database.backups, maintenance: maintenanceOptionsFrom(c), intel: c.intel },
      {
        onCommitted: (x) => this.#pipeline.committed(x),
        onFailed: (f) => this.#pipeline.failed(f),
        onStalled: (problem) => this.#storageProblem('database', problem && `${problem.code}: ${problem.message}`),
        onFatal: (err) => this.#die(err),
        onSchema: (state) => this.#schemaChanged(state),
        onProgress: (p) => this.#migrationProgress(p),
        onMaintenance: (note, detail) => log.info(detail, `maintenance: ${note}`),
        onMaintenanceCounters: (counters) => m.maintenance.record(counters),
        onAlertTerms: (terms) => {
          this.#alertTerms = terms;
          this.#decode?.setAlertTerms(terms);
          log.info({ terms: terms.terms.length, ignore: terms.ignore.length }, 'alert terms loaded');
        },
        onRescan: (p) => {
          this.#server?.publishDatabase({ event: 'alerts-rescan', ...p });
          if (p.done) {
            log.info(p, 'alert rescan done');
            this.#analytics?.matchesChanged();
          }
        },
      },
    );
    const ready = await this.#writer.ready();
    const { appliedMigrations, ...schema } = ready;
    this.#schema = schema;
    this.#migration = null;
    this.#checkpoint = ready.checkpoint;
    this.#lock.update({ schema: schema.mode, target: schema.target });
    log.info({ db: c.dbPath, applied: appliedMigrations, schema: ready.schema, checkpoint: ready.checkpoint }, 'database ready');
    const leftovers = adoptLeftovers(c.dbPath);
    if (leftovers) log.warn({ files: leftovers.files.map((f) => f.path), lock: leftovers.staleLock?.path }, describeAdoptLeftovers(leftovers));
    if (schema.tampered.length > 0) {
      log.error({ tampered: schema.tampered }, 'applied migrations changed after they were applied (checksum differs): run contrail db verify; migrations are refused until the files are restored');
    }
    const journal = openJournal(
      c.journal,
      ready.checkpoint,
      (err) => {
        m.journalErrors.inc({ code: err.code ?? 'unknown' });
        log.error({ err }, 'journal sync or delete failed');
      },
      (err) => {
        if (err) m.journalErrors.inc({ code: err.code ?? 'unknown' });
        this.#storageProblem('journal', err && `${err.code ?? 'error'}: ${err.message}`);
      },
    );
    this.#journal = journal.writer;
    this.#readers = new ReaderPool({
      dbPath: c.dbPath,
      threads: c.reads.threads,
      timeoutMs: c.reads.queryTimeoutMs,
      onError: (err) => log.error({ err }, 'a reader thread failed'),
    });
    if (journal.tornBytes > 0) log.warn({ tornBytes: journal.tornBytes }, 'journal: skipped bytes that were not complete records (a crash mid-write)');

    this.#decode = new DecodePool(c.decodeThreads, { sourceTypes: c.sources.map((s) => s.type), storeNonAcars: c.storeNonAcars }, hardLimit);
    if (this.#alertTerms) this.#decode.setAlertTerms(this.#alertTerms);
    this.#pipeline = new Pipeline(
      this.#decode,
      this.#writer,
      {
        onDecoded: (words) => m.recordDecoded(words),
        onCommitted: (x) => {
          m.recordStored(x.storedByType);
          if (x.journalEnd !== null && x.journalEnd > this.#checkpoint) {
            this.#checkpoint = x.journalEnd;
            m.journalCheckpoint.set(x.journalEnd);
            this.#schedulePrune();
          }
          if (x.oldestReceivedAt !== null) m.commitLatency.observe((Date.now() - x.oldestReceivedAt) / 1000);
          m.recordIntel(x.duplicatesByType, x.alertHits);
          if (x.lastId !== null || x.updatedIds.length > 0) this.#analytics?.committed(x.lastId ?? 0, x.updatedIds);
          m.stageSeconds.observe({ stage: 'transaction' }, x.txMs / 1000);
          const publishStart = performance.now();
          this.#server.publishBatch(x.publish);
          m.stageSeconds.observe({ stage: 'publish' }, (performance.now() - publishStart) / 1000);
          for (const [type, n] of Object.entries(x.storedByType)) m.messagesPublished.inc({ type }, n);
        },
        onLost: (frames, reason, detail) => {
          m.framesLost.inc({ reason }, frames);
          log.error({ frames, reason, detail }, 'frames lost');
        },
        onStage: (stage, seconds) => m.stageSeconds.observe({ stage }, seconds),
        onPressure: (pause) => {
          this.#pressure = pause;
          log.warn({ pendingBatches: this.#pipeline.pending }, pause ? 'pipeline full: pausing TCP and ZMQ sources' : 'pipeline drained: resuming sources');
          this.#updatePause();
        },
      },
      { maxPending: c.maxPendingBatches, hardLimit },
    );
    m.pending = () => this.#pipeline.pending;
    // Past twice the TCP pause point, batches wait in the journal instead of in memory.
    const backlog = new JournalBacklog(this.#journal, this.#pipeline, {
      room: c.maxPendingBatches * 2,
      maxBytes: c.journal.maxBytes,
      onError: (err, frames) => {
        m.framesLost.inc({ reason: 'journal-read-failed' }, frames);
        log.error({ err, frames }, 'journal: a waiting batch could not be read back');
      },
    });
    this.#backlog = backlog;
    m.backlog = () => backlog.batches;
    const intake = new Intake(this.#journal, this.#pipeline, backlog, m, () => this.#storage.size > 0);
    this.#dispatcher = new Dispatcher({
      maxFrames: c.batch.maxFrames,
      maxWaitMs: c.batch.maxWaitMs,
      onBatch: (buffer, count) => intake.accept(buffer, count),
    });

    const intel = this.#intelAdmin();
    const reads = this.#messageReads();
    const analytics = (r: AnalyticsRequest): Promise<unknown> => this.#analyticsRequest(r);
    const db = this.#dbAdmin();
    this.#server = new LiveServer({
      host: c.http.host,
      port: c.http.port,
      metrics: m,
      health: () => this.health(),
      log,
      routes: (app) => {
        const helpers = apiHelpers(c.database.adminToken, log, c.database.readToken);
        registerDbApi(app, db, helpers);
        registerIntelApi(app, intel, helpers);
        registerAnalyticsApi(app, analytics, () => this.#stats(), helpers);
        registerSearchApi(app, reads, helpers);
      },
      services: { reads, aircraft: intel.aircraft, analytics, db, intel },
      backpressure: c.ws,
      limits: c.ws,
      ready: () => this.readiness(),
      tokens: { read: c.database.readToken, admin: c.database.adminToken },
    });
    m.storage = () => storageBytes({ dbPath: c.dbPath, duckdbPath: c.analytics.duckdbPath, journalDir: c.journal.dir });
    if (!this.#server.native) {
      log.error(
        'uWebSockets.js native binary did NOT load: running on its slow JavaScript fallback. Live fan-out will be far slower. Check that Node matches the binary (see README).',
      );
    }

    // Frames accepted before the last stop go first, before any source can add new ones. With a
    // schema update pending they wait (in memory as read, new ones in the journal) for consent.
    if (schema.mode === 'pending') {
      backlog.hold();
      this.#heldReplay = journal.replay;
      log.warn(
        { pending: schema.pending, schema: schema.schema, target: schema.target, waitingBatches: journal.replay.length },
        'schema update pending: nothing is written until it is applied; ingest keeps accepting frames into the journal. Apply with `contrail db migrate --yes` or POST /api/v1/db/migrate (admin token); preview with `contrail db plan`',
      );
    } else {
      this.#startAnalytics();
      await this.#replay(journal.replay);
    }
    this.#pruneTimer = setInterval(() => this.#prune(), JOURNAL_PRUNE_MS);
    this.#pruneTimer.unref();
    this.#statsTimer = setInterval(() => void this.#publishStats(), STATS_EVERY_MS);
    this.#statsTimer.unref();

    const sink = this.#ingestSink();
    const sourceOptions = { maxFrameBytes: c.maxFrameBytes, udpRecvBufferBytes: c.udpRecvBufferBytes, tcpReconnectMs: c.tcpReconnectMs };
    this.#sources = c.sources.map((s, i) => createSource(s, i, sink, sourceOptions, log));
    for (const s of this.#sources) {
      let open = 0;
      s.onConnections = (n) => {
        m.tcpConnections.inc({ type: s.config.type }, n - open);
        open = n;
      };
    }
    const http = await this.#server.listen();
    this.#accepting = true;
    const bound = await Promise.all(
      this.#sources.map((s) =>
        s.start().catch((e: NodeJS.ErrnoException) => {
          const v = s.config;
          const why = e.code === 'EADDRINUSE' ? 'the port is already in use (another Contrail or ACARS Hub running?)' : e.message;
          throw new ContrailError('CONTRAIL_ERR_LISTEN', `cannot start ${v.type} source "${v.descriptor}" (${v.kind} ${v.host}:${v.port}): ${why}`, { cause: e });
        }),
      ),
    );
    const udpPorts = new Map<number, string>();
    m.udpPorts = () => udpPorts;
    const addresses: EngineAddresses = {
      http,
      sources: this.#sources.map((s, i) => {
        const b = bound[i];
        if (b?.recvBufferBytes !== undefined) {
          m.udpRecvBuffer.set({ source: `${s.config.type} ${s.config.descriptor}` }, b.recvBufferBytes);
          udpPorts.set(b.port, `${s.config.type} ${s.config.descriptor}`);
        }
        return { descriptor: s.config.descriptor, type: s.config.type, kind: s.config.kind, port: b?.port ?? null, ...(b?.recvBufferBytes !== undefined ? { recvBufferBytes: b.recvBufferBytes } : {}) };
      }),
    };
    // Tests and tools read the bound ports (port 0 = any free port) from this line.
    log.info({ ...addresses, decodeThreads: c.decodeThreads, uws: this.#server.native ? 'native' : 'fallback' }, 'contrail ready');
  }

  /** Re-submits batches accepted before the last stop and not committed, in order, before any new frame. */
  async #replay(records: { payload: ArrayBuffer; end: number }[]): Promise<void> {
    if (records.length === 0) return;
    const log = this.#log;
    const frames = records.reduce((n, r) => n + frameBatchCount(r.payload), 0);
    log.info({ batches: records.length, frames, from: this.#checkpoint }, 'journal replay: starting');
    let done = 0;
    let lastLog = Date.now();
    for (const r of records) {
      await this.#pipeline.below(this.#config.maxPendingBatches);
      this.#pipeline.submit(r.payload, frameBatchCount(r.payload), r.end);
      this.metrics.journalReplayed.inc();
      done++;
      if (Date.now() - lastLog > 1000) {
        lastLog = Date.now();
        log.info({ batches: done, of: records.length }, 'journal replay: progress');
      }
    }
    await this.#pipeline.drained();
    log.info({ batches: records.length, frames, checkpoint: this.#checkpoint }, 'journal replay: done');
  }

  /** Records (or clears, with null) a storage problem; ingest pauses while any is present. */
  #storageProblem(part: 'journal' | 'database', problem: string | null): void {
    const had = this.#storage.has(part);
    if (problem === null) {
      if (!had) return;
      this.#storage.delete(part);
      this.#log.info({ part }, `storage: ${part} writes go through again; resuming ingest`);
    } else {
      if (had) return;
      this.#storage.set(part, problem);
      this.#log.error({ part, problem }, `storage: ${part} cannot be written (${problem}); ingest paused, retrying every second`);
    }
    this.metrics.storageBlocked.set({ part }, this.#storage.has(part) ? 1 : 0);
    this.#updatePause();
  }

  /** Pausable sources stop while the pipeline is full or storage is failing. */
  #updatePause(): void {
    const pause = this.#pressure || this.#storage.size > 0;
    if (pause && !this.#paused) this.metrics.sourcePauses.inc();
    this.#paused = pause;
    this.metrics.sourcesPaused.set(pause ? 1 : 0);
    for (const s of this.#sources) (pause ? s.pause() : s.resume());
  }

  /** Segments become deletable as the checkpoint passes them: look at most once a second. */
  #schedulePrune(): void {
    if (this.#pruneSoon) return;
    this.#pruneSoon = setTimeout(() => {
      this.#pruneSoon = null;
      this.#prune();
    }, 1000);
    this.#pruneSoon.unref();
  }

  #prune(): void {
    const removed = this.#journal?.prune(this.#checkpoint) ?? [];
    if (removed.length) this.#log.info({ segments: removed }, 'journal: deleted checkpointed segments past retention');
  }

  #ingestSink(): IngestSink {
    const m = this.metrics;
    const transport = (i: number): string => (this.#config.sources[i]?.kind === 'udp' ? 'udp' : this.#config.sources[i]?.kind === 'zmq' ? 'zmq' : 'tcp');
    // Label children resolved once per source: the hot path must not hash label sets per frame.
    const frames: Counter.Internal[] = this.#config.sources.map((s, i) => m.framesReceived.labels({ type: s.type, transport: transport(i) }));
    const bytes: Counter.Internal[] = this.#config.sources.map((s, i) => m.bytesReceived.labels({ type: s.type, transport: transport(i) }));
    return {
      frame: (i, data, at) => {
        frames[i]!.inc();
        if (this.#accepting) this.#dispatcher.add(data, i, at);
        else m.framesLost.inc({ reason: 'shutdown' });
      },
      reject: (i, reason: FramerRejectReason, data, size, at) => {
        frames[i]!.inc();
        if (this.#accepting) this.#dispatcher.add(data, i, at, reason, size);
        else m.framesLost.inc({ reason: 'shutdown' });
      },
      bytesRead: (i, n) => bytes[i]!.inc(n),
    };
  }

  /** The writer reports a new schema state: after a migration (ours or the CLI's) or a restore. */
  #schemaChanged(state: SchemaState & { appliedMigrations: string[] }): void {
    const { appliedMigrations, ...schema } = state;
    const was = this.#schema?.mode;
    this.#schema = schema;
    this.#lock?.update({ schema: schema.mode, target: schema.target });
    if (appliedMigrations.length > 0 || (was === 'pending' && schema.mode === 'ready')) {
      this.#log.info({ applied: appliedMigrations, schema: schema.schema }, 'schema is current: writing resumes, catching up from the journal');
      this.#migration = null;
      this.#server.publishDatabase({ event: 'db-migration', step: 'done', percent: 100, schema: schema.schema });
    }
    if (schema.mode === 'ready' && !this.#restoring) {
      this.#startAnalytics();
      void this.#resumeWriting();
    }
  }

  /**
   * Starts the DuckDB mirror once the schema is current. Its catch-up runs beside ingest; until it
   * is done analytics requests are refused as not ready. If the thread fails, ingest goes on.
   * After a restore the mirror is rebuilt from the new file: a running thread switches to it
   * (#mirrorStale); with none running, the restore deleted the mirror's files.
   */
  #startAnalytics(): void {
    if (this.#closing) return;
    if (this.#analytics !== null) {
      // Running on a file a restore replaced (or detached from it while its schema was behind).
      if (this.#mirrorStale) {
        this.#mirrorStale = false;
        if (this.#analytics.alive) {
          this.#log.info('analytics: database restored: reading the new file and rebuilding the mirror from it');
          this.#analytics.databaseReplaced(true);
        } else this.#removeMirror();
      }
      return;
    }
    const c = this.#config;
    const log = this.#log;
    const m = this.metrics;
    log.info({ dataSource: c.analytics.dataSource, duckdb: c.analytics.duckdbPath, windowDays: c.analytics.windowDays }, 'analytics: starting the DuckDB mirror');
    let lastLog = 0;
    const client = new AnalyticsClient(
      { dbPath: c.dbPath, duckdbPath: c.analytics.duckdbPath, dataSource: c.analytics.dataSource, windowDays: c.analytics.windowDays },
      {
        onCatchUp: (p) => {
          if (p.done || Date.now() - lastLog > 1000) {
            lastLog = Date.now();
            log.info(p, 'analytics: mirror catching up from SQLite');
          }
          this.#server?.publishDatabase({ event: 'mirror-catch-up', ...p });
        },
        onState: (st) => {
          m.mirrorLag.set(st.lagMs / 1000);
          m.mirrorRows.set(st.rows);
        },
        onDead: (err) => log.error({ err }, 'analytics: the DuckDB mirror stopped; analytics requests are refused, ingest goes on'),
      },
    );
    this.#analytics = client;
    client.ready().then(
      (st) => {
        m.mirrorRows.set(st.rows);
        log.info(st, 'analytics: mirror ready');
      },
      (err: unknown) => log.error({ err }, 'analytics: the DuckDB mirror did not start; analytics requests are refused, ingest goes on'),
    );
  }

  /** The last hour's message rates per decoder (1-minute buckets) on the stats topic, when someone listens. */
  async #publishStats(): Promise<void> {
    if (!this.#server || this.#server.statsSubscribers === 0 || !this.#analytics?.alive) return;
    try {
      this.#server.publishStats(await this.#stats());
    } catch (err) {
      this.#log.debug({ err }, 'stats: rates not available yet');
    }
  }

  /** The stats topic's data and GET /api/v1/stats: the last hour's rates per minute, the mirror, clients, queues. */
  async #stats(): Promise<Record<string, unknown>> {
    const rates = await this.#analyticsRequest(parseAnalyticsRequest('rates', { from: '1h', resolution: '1m' }));
    return {
      rates,
      mirror: this.#analytics?.mirror ?? null,
      clients: this.#server?.clientCounts ?? null,
      pipeline: { pendingBatches: this.#pipeline.pending, journalBacklogBatches: this.#backlog?.batches ?? 0, sourcesPaused: this.#pressure },
      uptimeS: Math.round((Date.now() - this.#startedAt) / 1000),
    };
  }

  #analyticsRequest(r: AnalyticsRequest): Promise<unknown> {
    if (this.#analytics === null) return Promise.reject(new ContrailError('CONTRAIL_ERR_NOT_READY', 'analytics start once the database schema is current'));
    return this.#analytics.request(r);
  }

  #migrationProgress(p: MigrationProgress): void {
    this.#migration = { progress: p };
    // Creating a new database's schema at start is routine; a migration of existing data is news.
    this.#log[this.#schema ? 'info' : 'debug']({ step: p.step, percent: p.percent, elapsedMs: p.elapsedMs }, 'migration progress');
    // The runner's own 'done' is followed by the engine's, with the new schema (#schemaChanged): clients get one.
    if (p.step !== 'done') this.#server?.publishDatabase({ event: 'db-migration', ...p });
  }

  /** Replays what waited for the schema, then lets the journal backlog flow again. */
  async #resumeWriting(): Promise<void> {
    const records = this.#heldReplay;
    this.#heldReplay = [];
    await this.#replay(records);
    this.#backlog?.release();
  }

  #intelAdmin(): IntelAdmin {
    return {
      listTerms: () => this.#writer.request({ op: 'alerts-list' }),
      addTerm: (kind, term) => this.#writer.request({ op: 'alerts-add', kind, term }),
      removeTerm: (kind, term) => this.#writer.request({ op: 'alerts-remove', kind, term }),
      rescan: () => this.#writer.request({ op: 'alerts-rescan' }),
      aircraft: (query) => this.#reader().aircraft(query),
    };
  }

  #messageReads(): MessageReads {
    return {
      search: (r) => this.#reader().search(r),
      recent: (r) => this.#reader().recent(r),
      history: (r) => this.#reader().history(r),
      message: (id) => this.#reader().message(id),
    };
  }

  /** The reader pool, once the schema is one its queries know (not while an update waits for consent). */
  #reader(): ReaderPool {
    if (this.#schema?.mode !== 'ready') {
      throw new ContrailError('CONTRAIL_ERR_NOT_READY', 'the database schema is not current (schema update pending): searches, history and aircraft lookups answer once it is applied');
    }
    if (this.#readers === null) throw new ContrailError('CONTRAIL_ERR_NOT_READY', 'the reader threads are not started');
    return this.#readers;
  }

  #dbAdmin(): DbAdmin {
    return {
      status: async () => ({ ...((await this.#writer.request({ op: 'status' })) as object), engine: { migration: this.#migration } }),
      backups: () => listBackups(this.#config.database.backups.dir),
      backup: () => this.#writer.request({ op: 'backup' }),
      migrate: async () => {
        if (this.#schema?.mode !== 'pending') return { status: 200, body: { applied: [], schema: this.#schema?.schema, message: 'nothing to migrate' } };
        if (this.#migration && !this.#migration.error) throw new ContrailError('CONTRAIL_ERR_BUSY', 'a migration is already running');
        this.#migration = { progress: { step: 'starting', index: 0, total: this.#schema.pending.length, percent: 0, elapsedMs: 0 } };
        this.#writer.request({ op: 'migrate' }).catch((err: Error) => {
          this.#migration = { progress: this.#migration!.progress, error: err.message };
          this.#log.error({ err }, 'migration failed; the database is as it was before it');
          this.#server.publishDatabase({ event: 'db-migration', step: 'failed', error: err.message });
        });
        return { status: 202, body: { state: 'migrating', pending: this.#schema.pending, progress: 'WebSocket clients subscribed to the database topic receive {"topic":"database","data":{"event":"db-migration",…}}; or poll GET /api/v1/db/status' } };
      },
      restore: (id) => this.#restore(id),
    };
  }

  /**
   * Restores a backup under the running engine: new batches wait in the journal, the batches in
   * flight commit, the writer swaps the file, then what the journal holds after the backup's
   * checkpoint is replayed (up to where the restore began), so the database becomes the backup
   * plus everything received since, as far as the journal reaches.
   */
  async #restore(id: string): Promise<unknown> {
    if (this.#restoring) throw new ContrailError('CONTRAIL_ERR_BUSY', 'a restore is already running');
    // An unknown id is refused before ingest is held (the writer checks again when its turn comes).
    findBackup(this.#config.database.backups.dir, id);
    this.#restoring = true;
    const backlog = this.#backlog!;
    const wasHeld = backlog.held;
    backlog.hold();
    try {
      await this.#pipeline.drained();
      const upTo = this.#checkpoint;
      const outcome = (await this.#writer.request({ op: 'restore', id })) as SchemaState & Record<string, unknown>;
      // Before the replay commits anything: its commit reports are of the new file.
      this.#databaseReplaced();
      const since = readJournalFrom(this.#config.journal.dir, outcome.checkpoint).records.filter((r) => r.end <= upTo);
      this.#checkpoint = outcome.checkpoint;
      this.#heldReplay = [...since, ...this.#heldReplay.filter((r) => r.end > upTo)];
      this.#log.info({ backup: id, checkpoint: outcome.checkpoint, replaying: this.#heldReplay.length }, 'restore: backup swapped in; replaying the journal since it');
      return { ...outcome, replayedBatches: this.#heldReplay.length };
    } finally {
      this.#restoring = false;
      if (this.#schema?.mode === 'ready') void this.#resumeWriting();
      else if (!wasHeld) this.#log.warn('restore: the backup has an older schema; writing waits for a migration');
    }
  }

  /**
   * After a restore swapped the file: analytics must neither read the replaced one nor answer from
   * its mirror. A running thread, with the schema current, switches to the new file and rebuilds
   * the mirror; otherwise it stops reading until the file is migrated (then #startAnalytics
   * switches it). With no thread running the mirror's files are deleted, as a restore by the CLI
   * does: whichever start comes next, in this run or a later one, rebuilds them from the new file.
   */
  #databaseReplaced(): void {
    if (this.#analytics?.alive) {
      this.#mirrorStale = true;
      if (this.#schema?.mode === 'ready') this.#startAnalytics();
      else this.#analytics.databaseReplaced(false);
      return;
    }
    this.#removeMirror();
    if (this.#schema?.mode === 'ready') this.#startAnalytics();
  }

  /** Deletes the mirror of a replaced file, no thread reading it. Logged, not thrown: the restore itself succeeded. */
  #removeMirror(): void {
    const duckdb = this.#config.analytics.duckdbPath;
    try {
      const removed = removeMirror(duckdb);
      if (removed.length > 0) this.#log.info({ removed }, 'analytics: deleted the DuckDB mirror of the replaced database; analytics rebuild it from the restored one when they start');
    } catch (err) {
      this.#log.error({ err, duckdb }, 'analytics: could not delete the DuckDB mirror of the replaced database: delete it before the next start, or it answers from the old rows');
    }
  }

  /**
   * /readyz: ready to take traffic and answer reads: the database open with its schema current,
   * storage writable, the reader threads up, not stopping. The analytics mirror is reported but not
   * required (SQLite answers analytics until it is ready).
   */
  readiness(): { ok: boolean } & Record<string, unknown> {
    const waiting: string[] = [];
    if (this.#fatal) waiting.push(`failed: ${this.#fatal.message}`);
    if (this.#closing) waiting.push('stopping');
    if (this.#schema?.mode !== 'ready') waiting.push(this.#schema ? `schema update pending (${this.#schema.pending.join(', ')})` : 'database not open yet');
    if (this.#storage.size > 0) waiting.push(`storage blocked: ${[...this.#storage.keys()].join(', ')}`);
    if (this.#readers === null) waiting.push('reader threads not started');
    return { ok: waiting.length === 0, waiting, schema: this.#schema?.schema ?? null, analytics: { mirror: this.#mirrorStatus() } };
  }

  #mirrorStatus(): MirrorState | 'stopped' | 'not started' {
    if (this.#analytics === null) return 'not started';
    return this.#analytics.alive ? this.#analytics.mirror : 'stopped';
  }

  health(): { ok: boolean } & Record<string, unknown> {
    return {
      ok: this.#fatal === null && this.#closing === null,
      status: this.#fatal
        ? 'failed'
        : this.#closing
          ? 'stopping'
          : this.#storage.size > 0
            ? 'degraded'
            : this.#migration && !this.#migration.error && this.#schema?.mode === 'pending'
              ? 'migrating'
              : this.#schema?.mode === 'pending'
                ? 'schema update pending'
                : 'ok',
      storage: Object.fromEntries(this.#storage),
      error: this.#fatal?.message,
      uptimeS: Math.round((Date.now() - this.#startedAt) / 1000),
      schema: this.#schema && {
        current: this.#schema.schema,
        target: this.#schema.target,
        pending: this.#schema.pending,
        tampered: this.#schema.tampered,
        ...(this.#migration ? { migration: this.#migration } : {}),
      },
      uws: this.#server?.native ? 'native' : 'fallback',
      protocol: PROTOCOL_VERSION,
      pendingBatches: this.#pipeline?.pending ?? 0,
      journal: { position: this.#journal?.position ?? null, checkpoint: this.#checkpoint, waitingBatches: this.#backlog?.batches ?? 0 },
      analytics: { dataSource: this.#config.analytics.dataSource, mirror: this.#mirrorStatus() },
    };
  }

  #die(err: WorkerError): void {
    if (this.#fatal) return;
    this.#fatal = err;
    this.#log.fatal({ err }, 'writer failed; Contrail cannot store messages');
    this.onFatal(err);
  }

  /** Stops sources, drains accepted frames into the database, then closes everything. Idempotent. */
  close(): Promise<void> {
    this.#closing ??= this.#close();
    return this.#closing;
  }

  async #close(): Promise<void> {
    const log = this.#log;
    const started = Date.now();
    await Promise.all(this.#sources.map((s) => s.close().catch((err: unknown) => log.warn({ err, source: s.config.descriptor }, 'source close failed'))));
    this.#accepting = false;
    this.#dispatcher?.close();
    if (this.#pipeline && this.#fatal === null) {
      const pending = this.#pipeline.pending;
      const waiting = this.#backlog?.batches ?? 0;
      let timer: NodeJS.Timeout | undefined;
      const timedOut = await Promise.race([
        (async () => {
          // Held batches (schema pending) stay in the journal for the next start.
          if (!this.#backlog?.held) await this.#backlog?.drained();
          await this.#pipeline.drained();
          return false;
        })(),
        new Promise<boolean>((r) => (timer = setTimeout(() => r(true), this.#config.shutdownTimeoutMs))),
      ]);
      clearTimeout(timer);
      if (timedOut) {
        log.error(
          { pendingBatches: this.#pipeline.pending, waitingInJournal: this.#backlog?.batches ?? 0 },
          'shutdown: pipeline did not drain in time; what is left is in the journal and will be replayed at the next start',
        );
      } else log.info({ drainedBatches: pending, fromJournalBacklog: waiting }, 'shutdown: pipeline drained');
    }
    if (this.#pruneTimer) clearInterval(this.#pruneTimer);
    if (this.#statsTimer) clearInterval(this.#statsTimer);
    if (this.#pruneSoon) clearTimeout(this.#pruneSoon);
    await this.#journal?.close();
    await this.#decode?.close();
    // Queries in flight finish; later ones are refused (CONTRAIL_ERR_CLOSED) until the server closes.
    await this.#readers?.close();
    await this.#writer?.close();
    // After the writer: the mirror takes the last commits before it closes.
    await this.#analytics?.close();
    this.#server?.close();
    this.#lock?.release();
    log.info({ ms: Date.now() - started, checkpoint: this.#checkpoint }, 'contrail stopped');
  }
}
