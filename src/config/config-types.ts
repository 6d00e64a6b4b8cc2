import type { DecoderType } from '../decode/message.js';

/** Where frames come from. `descriptor` keeps the user's own text for messages and logs. */
export type SourceKind = 'udp' | 'tcp-connect' | 'tcp-listen' | 'zmq';

/** Which code reads UDP sockets: the native batched receiver (native/), Node's dgram, or the default choice between them. */
export const UDP_RECEIVERS = ['auto', 'native', 'dgram'] as const;
export type UdpReceiverSetting = (typeof UDP_RECEIVERS)[number];
/** What actually reads a socket once `auto` is decided. */
export type UdpReceiverKind = Exclude<UdpReceiverSetting, 'auto'>;

export interface SourceConfig {
  type: DecoderType;
  kind: SourceKind;
  host: string;
  port: number;
  descriptor: string;
  /** UDP listeners only: CONTRAIL_UDP_RECEIVER, as load-config set it on each UDP source (the same for all of them). */
  receiver?: UdpReceiverSetting;
}

export type FsyncPolicy = { mode: 'none' } | { mode: 'batch' } | { mode: 'interval'; ms: number };

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** Validated once at start, then frozen. Only src/config reads process.env. */
export interface Config {
  /** Absolute path of the data directory. */
  dataDir: string;
  /** Absolute path of the SQLite database, `<dataDir>/contrail.sqlite`. */
  dbPath: string;
  /** The DuckDB hot mirror (`<dataDir>/contrail.duckdb`), the path analytics use by default, and its window. */
  analytics: { duckdbPath: string; dataSource: 'sqlite' | 'duckdb'; windowDays: number };
  http: { host: string; port: number };
  enabled: Readonly<Record<DecoderType, boolean>>;
  sources: readonly SourceConfig[];
  decodeThreads: number;
  /** The reader pool: threads answering searches, history and aircraft lookups, and each query's time limit. */
  reads: { threads: number; queryTimeoutMs: number };
  /** WebSocket limits: the slow-client policy (unsent bytes past which a client is paused, how long it may stay so), connections, request rate, subscriptions per client. */
  ws: { maxBufferedBytes: number; maxBehindMs: number; maxClients: number; requestsPerSecond: number; maxSubscriptions: number };
  batch: { maxFrames: number; maxWaitMs: number };
  /** Frames past this size are rejected as oversize. */
  maxFrameBytes: number;
  /** Batches accepted but not yet committed; past this, TCP sources are paused. */
  maxPendingBatches: number;
  /** Store frames with no ACARS content (link-layer frames). */
  storeNonAcars: boolean;
  tcpReconnectMs: number;
  udpRecvBufferBytes: number;
  /** CONTRAIL_UDP_RECEIVER; also set on every UDP source as `receiver`. */
  udpReceiver: UdpReceiverSetting;
  logLevel: LogLevel;
  /** Dedup and multi-part windows, in seconds of message time. */
  intel: { dedupWindowS: number; multipartWindowS: number };
  /** Message retention; `checkIntervalMs`: how often expired messages are looked for. */
  retention: { saveDays: number; alertSaveDays: number; checkIntervalMs: number };
  /** How long a shutdown waits for accepted frames to be committed before it closes anyway. */
  shutdownTimeoutMs: number;
  database: {
    /** 0: no cap. Otherwise the oldest messages are pruned while the database is larger. */
    maxBytes: number;
    backups: { dir: string; keep: number; keepDays: number };
    /** Apply pending migrations at start (development). Otherwise they wait for consent. */
    autoMigrate: boolean;
    /** Bearer token for the admin API's writes; null disables them. */
    adminToken: string | null;
    /** When set, reads (JSON API GETs, the WebSocket) need it or the admin token; null: reads are open. */
    readToken: string | null;
  };
  /** The raw-frame journal: every accepted batch is appended here before it is decoded. */
  journal: {
    dir: string;
    segmentBytes: number;
    fsync: FsyncPolicy;
    /** Checkpointed segments older than this are deleted. */
    retentionMs: number;
    /** Checkpointed segments are deleted, oldest first, while the journal is larger than this. */
    maxBytes: number;
  };
}
