/**
 * The engine's Prometheus metrics (prom-client). Worker threads report counts in their results;
 * only the main thread touches this registry.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { summarizeStats } from '../decode/decode-stats.js';
import type { DecoderType } from '../decode/message.js';
import { readUdpDrops } from '../ingest/udp-kernel-drops.js';
import { MaintenanceMetrics } from './maintenance-metrics.js';

export class EngineMetrics {
  readonly registry = new Registry();
  readonly framesReceived: Counter<'type' | 'transport'>;
  readonly bytesReceived: Counter<'type' | 'transport'>;
  readonly framesAccepted: Counter<'type'>;
  readonly framesRejected: Counter<'type' | 'reason'>;
  readonly typeMismatches: Counter;
  readonly nonAcarsDropped: Counter<'type'>;
  readonly messagesStored: Counter<'type'>;
  readonly messagesPublished: Counter<'type'>;
  readonly framesLost: Counter<'reason'>;
  readonly pendingBatches: Gauge;
  readonly sourcesPaused: Gauge;
  readonly sourcePauses: Counter;
  readonly udpRecvBuffer: Gauge<'source'>;
  readonly udpKernelDrops: Counter<'source'>;
  readonly wsClients: Gauge;
  readonly tcpConnections: Gauge<'type'>;
  readonly commitLatency: Histogram;
  readonly stageSeconds: Histogram<'stage'>;
  readonly journalBytes: Counter;
  readonly journalErrors: Counter<'code'>;
  readonly journalReplayed: Counter;
  readonly journalDeferred: Counter;
  readonly journalBacklog: Gauge;
  readonly storageBlocked: Gauge<'part'>;
  readonly journalPosition: Gauge;
  readonly journalCheckpoint: Gauge;
  readonly maintenance: MaintenanceMetrics;
  readonly duplicates: Counter<'type'>;
  readonly alertMatches: Counter<'term'>;
  readonly mirrorLag: Gauge;
  readonly mirrorRows: Gauge;
  readonly storageBytes: Gauge<'part'>;
  readonly wsBehind: Gauge;
  readonly wsMissed: Counter;
  readonly wsSlowDisconnects: Counter;
  readonly wsRefused: Counter<'reason'>;
  readonly wsRateLimited: Counter;

  constructor() {
    const r = [this.registry];
    collectDefaultMetrics({ register: this.registry, prefix: 'contrail_' });
    this.framesReceived = new Counter({ name: 'contrail_frames_received_total', help: 'Frames cut from the input streams, valid or not, per listener type and transport', labelNames: ['type', 'transport'], registers: r });
    this.bytesReceived = new Counter({ name: 'contrail_bytes_received_total', help: 'Bytes read from sources', labelNames: ['type', 'transport'], registers: r });
    this.framesAccepted = new Counter({ name: 'contrail_frames_accepted_total', help: 'Frames decoded into messages, per decoder type (from the frame shape)', labelNames: ['type'], registers: r });
    this.framesRejected = new Counter({ name: 'contrail_frames_rejected_total', help: 'Frames rejected, per listener type and reason; each is kept in the rejects table', labelNames: ['type', 'reason'], registers: r });
    this.typeMismatches = new Counter({ name: 'contrail_frames_type_mismatch_total', help: 'Frames whose shape says another decoder type than the listener they arrived on (the shape wins)', registers: r });
    this.nonAcarsDropped = new Counter({ name: 'contrail_frames_non_acars_dropped_total', help: 'Frames ACARS Hub would not store (no text, label, position, decoded payload...) dropped because CONTRAIL_STORE_NON_ACARS / DB_SAVEALL is off', labelNames: ['type'], registers: r });
    this.messagesStored = new Counter({ name: 'contrail_messages_stored_total', help: 'Messages committed to SQLite', labelNames: ['type'], registers: r });
    this.messagesPublished = new Counter({ name: 'contrail_messages_published_total', help: 'Messages published to WebSocket topics', labelNames: ['type'], registers: r });
    this.framesLost = new Counter({ name: 'contrail_frames_lost_total', help: 'Accepted frames that will not be stored, and why', labelNames: ['reason'], registers: r });
    this.pendingBatches = new Gauge({
      name: 'contrail_pipeline_pending_batches',
      help: 'Batches accepted and not yet committed',
      registers: r,
      collect: () => this.pendingBatches.set(this.pending()),
    });
    this.sourcesPaused = new Gauge({ name: 'contrail_sources_paused', help: '1 while pausable sources are paused for backpressure', registers: r });
    this.sourcePauses = new Counter({ name: 'contrail_source_pauses_total', help: 'Times pausable sources (TCP, ZMQ) were paused, for backpressure or failing storage', registers: r });
    this.udpRecvBuffer = new Gauge({ name: 'contrail_udp_recv_buffer_bytes', help: 'Kernel receive buffer granted to each UDP listener (capped by net.core.rmem_max)', labelNames: ['source'], registers: r });
    // A counter fed at scrape time from the kernel's own per-socket count.
    const seenDrops = new Map<number, number>();
    this.udpKernelDrops = new Counter({
      name: 'contrail_udp_kernel_drops_total',
      help: 'Datagrams the kernel dropped before Contrail read them (receive buffer full), per UDP listener',
      labelNames: ['source'],
      registers: r,
      collect: () => {
        const ports = this.udpPorts();
        if (ports.size === 0) return;
        for (const [port, drops] of readUdpDrops(new Set(ports.keys()))) {
          const delta = drops - (seenDrops.get(port) ?? 0);
          seenDrops.set(port, drops);
          if (delta > 0) this.udpKernelDrops.inc({ source: ports.get(port)! }, delta);
        }
      },
    });
    this.wsClients = new Gauge({ name: 'contrail_ws_clients', help: 'Connected WebSocket clients', registers: r });
    this.commitLatency = new Histogram({
      name: 'contrail_commit_latency_seconds',
      help: 'Age of the oldest frame of each batch when its commit is published: read -> batch -> decode -> commit -> publish',
      buckets: [0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10],
      registers: r,
    });
    this.stageSeconds = new Histogram({
      name: 'contrail_stage_seconds',
      help: 'Time a batch spends in each stage: decode (handed to the decode pool until decoded, queueing included), write (handed to the writer until committed, queueing included), transaction (the SQLite transaction alone), publish (sending a commit to WebSocket clients, main thread)',
      labelNames: ['stage'],
      buckets: [0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 5],
      registers: r,
    });
    this.journalBytes = new Counter({ name: 'contrail_journal_bytes_total', help: 'Bytes of frame batches appended to the journal', registers: r });
    this.journalErrors = new Counter({ name: 'contrail_journal_errors_total', help: 'Journal write, sync or delete errors, by error code', labelNames: ['code'], registers: r });
    this.journalReplayed = new Counter({ name: 'contrail_journal_replayed_batches_total', help: 'Batches replayed from the journal at start (accepted before a stop, not yet committed)', registers: r });
    this.storageBlocked = new Gauge({ name: 'contrail_storage_blocked', help: '1 while writes to this part fail (disk full, read-only...) and ingest is paused', labelNames: ['part'], registers: r });
    this.journalDeferred = new Counter({ name: 'contrail_journal_deferred_batches_total', help: 'Batches that waited in the journal because the pipeline was full', registers: r });
    this.journalBacklog = new Gauge({
      name: 'contrail_journal_backlog_batches',
      help: 'Batches waiting in the journal for room in the pipeline',
      registers: r,
      collect: () => this.journalBacklog.set(this.backlog()),
    });
    this.journalPosition = new Gauge({ name: 'contrail_journal_position_bytes', help: 'Journal position of the last appended batch', registers: r });
    this.journalCheckpoint = new Gauge({ name: 'contrail_journal_checkpoint_bytes', help: 'Journal position up to which everything is committed', registers: r });
    this.maintenance = new MaintenanceMetrics(this.registry);
    this.duplicates = new Counter({ name: 'contrail_duplicates_total', help: 'Copies of a message already stored (other stations, frequencies, repeats within the dedup window): counted on the kept message, not stored again', labelNames: ['type'], registers: r });
    this.alertMatches = new Counter({ name: 'contrail_alert_matches_total', help: 'Alert matches stored, per term', labelNames: ['term'], registers: r });
    this.mirrorLag = new Gauge({ name: 'contrail_mirror_lag_seconds', help: 'The longest a committed batch waited to reach the DuckDB mirror over the last second (or the oldest still waiting)', registers: r });
    this.mirrorRows = new Gauge({ name: 'contrail_mirror_rows', help: 'Messages in the DuckDB mirror (its hot window)', registers: r });
    this.storageBytes = new Gauge({
      name: 'contrail_storage_bytes',
      help: 'Bytes on disk per part: sqlite (main file), sqlite_wal, duckdb (the analytics mirror, with its WAL), journal (every segment)',
      labelNames: ['part'],
      registers: r,
      // A few stat calls per scrape, on the main thread: no database is queried.
      collect: () => {
        for (const [part, bytes] of Object.entries(this.storage())) this.storageBytes.set({ part }, bytes);
      },
    });
    this.wsBehind = new Gauge({ name: 'contrail_ws_clients_behind', help: 'WebSocket clients paused for having too many unsent bytes (they miss messages until they drain)', registers: r });
    this.wsMissed = new Counter({ name: 'contrail_ws_missed_messages_total', help: 'Messages slow WebSocket clients missed while paused (each was told its count, or disconnected)', registers: r });
    this.wsSlowDisconnects = new Counter({ name: 'contrail_ws_slow_disconnects_total', help: 'WebSocket clients disconnected for staying behind longer than allowed', registers: r });
    this.wsRefused = new Counter({ name: 'contrail_ws_refused_total', help: 'WebSocket connections refused at the upgrade, by reason (max-clients)', labelNames: ['reason'], registers: r });
    this.wsRateLimited = new Counter({ name: 'contrail_ws_rate_limited_total', help: 'WebSocket requests refused for going over the per-client rate', registers: r });
    this.tcpConnections = new Gauge({ name: 'contrail_tcp_connections', help: 'Open TCP connections from or to feeders', labelNames: ['type'], registers: r });
  }

  /** Read at scrape time for the pending-batches gauge. */
  pending: () => number = () => 0;
  /** Bound UDP listeners: local port -> label, for the kernel drop counter. */
  udpPorts: () => ReadonlyMap<number, string> = () => new Map();
  /** Read at scrape time for the journal backlog gauge. */
  backlog: () => number = () => 0;
  /** Read at scrape time: bytes on disk per part (see storage-bytes.ts). */
  storage: () => Record<string, number> = () => ({});

  /** Adds a decode task's stats block. */
  recordDecoded(words: Uint32Array): void {
    const s = summarizeStats(words);
    for (const [type, n] of Object.entries(s.accepted)) this.framesAccepted.inc({ type }, n);
    for (const { hint, reason, count } of s.rejected) this.framesRejected.inc({ type: hint, reason }, count);
    if (s.typeMismatches) this.typeMismatches.inc(s.typeMismatches);
    for (const [type, n] of Object.entries(s.droppedNonAcars)) this.nonAcarsDropped.inc({ type }, n);
  }

  recordIntel(duplicatesByType: Partial<Record<DecoderType, number>>, alertHits: Record<string, number>): void {
    for (const [type, n] of Object.entries(duplicatesByType)) this.duplicates.inc({ type }, n);
    for (const [term, n] of Object.entries(alertHits)) this.alertMatches.inc({ term }, n);
  }

  recordStored(byType: Partial<Record<DecoderType, number>>): void {
    for (const [type, n] of Object.entries(byType)) this.messagesStored.inc({ type }, n);
  }
}
