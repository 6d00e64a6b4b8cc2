/**
 * Every embedded default and allowed range, in one place. docs/configuration.md mirrors this file.
 */
import os from 'node:os';
import type { DecoderType } from '../decode/message.js';
import type { UdpReceiverKind } from './config-types.js';

export interface DecoderEnv {
  /** ACARS Hub's variable that switches the type on. */
  enableVar: string;
  /** ACARS Hub's variable holding the type's connection descriptors. */
  connectionsVar: string;
  /** The UDP port ACARS Hub (and every feeder guide written for it) uses for a bare `udp`. */
  udpPort: number;
}

export const DECODER_ENV: Readonly<Record<DecoderType, DecoderEnv>> = {
  ACARS: { enableVar: 'ENABLE_ACARS', connectionsVar: 'ACARS_CONNECTIONS', udpPort: 5550 },
  'VDL-M2': { enableVar: 'ENABLE_VDLM', connectionsVar: 'VDLM_CONNECTIONS', udpPort: 5555 },
  HFDL: { enableVar: 'ENABLE_HFDL', connectionsVar: 'HFDL_CONNECTIONS', udpPort: 5556 },
  'IMS-L': { enableVar: 'ENABLE_IMSL', connectionsVar: 'IMSL_CONNECTIONS', udpPort: 5557 },
  IRDM: { enableVar: 'ENABLE_IRDM', connectionsVar: 'IRDM_CONNECTIONS', udpPort: 5558 },
};

/** Used when a type is enabled but its *_CONNECTIONS is unset or empty. */
export const DEFAULT_CONNECTIONS = 'udp';
/** Where a bare `udp` binds: every IPv4 interface, as ACARS Hub does. */
export const DEFAULT_UDP_BIND = '0.0.0.0';

/** Relative to the working directory, so `npm start` in a checkout keeps its data beside it. */
export const DEFAULT_DATA_DIR = './data';
export const DB_FILE_NAME = 'contrail.sqlite';
export const DUCKDB_FILE_NAME = 'contrail.duckdb';
/** Which path answers analytics: the DuckDB mirror (fast, vectorized) unless told otherwise. */
export const DEFAULT_DATA_SOURCE = 'duckdb';
export const DEFAULT_HTTP_HOST = '0.0.0.0';
export const DEFAULT_LOG_LEVEL = 'info';
/** CONTRAIL_UDP_RECEIVER: `auto` takes AUTO_UDP_RECEIVER, and dgram whenever the native receiver cannot load. */
export const DEFAULT_UDP_RECEIVER = 'auto';
// What `auto` prefers, from `bench --only udp` (native/README.md): the native receiver takes 1.9x
// dgram's datagram rate without loss and costs the main thread a third less per datagram; through
// the engine on 2 cores both stop at the writer (~15k frames/s) before either loses a datagram.
export const AUTO_UDP_RECEIVER: UdpReceiverKind = 'native';
/** ACARS Hub's DB_SAVEALL defaults off; Contrail keeps every link-layer frame (marked) because they are cheap and useful. */
export const DEFAULT_STORE_NON_ACARS = true;

/** One decode thread per spare core, leaving one for the main thread and SQLite; past 4 the writer is the bottleneck. */
export function defaultDecodeThreads(parallelism: number = os.availableParallelism()): number {
  return Math.max(1, Math.min(4, parallelism - 1));
}

export interface IntegerSetting {
  min: number;
  max: number;
  fallback: number;
}

/** Contrail's integer settings: inclusive range and default. */
export const INTEGER_SETTINGS = {
  CONTRAIL_HTTP_PORT: { min: 0, max: 65535, fallback: 8080 },
  CONTRAIL_DECODE_THREADS: { min: 1, max: 64, fallback: defaultDecodeThreads() },
  CONTRAIL_BATCH_MAX_FRAMES: { min: 1, max: 65536, fallback: 512 },
  // A frame waits at most this long for company; 5 ms keeps the live feed snappy while still batching under load.
  CONTRAIL_BATCH_MAX_WAIT_MS: { min: 0, max: 1000, fallback: 5 },
  // Real HFDL frames reach 7.4 KB, hence the 8 KiB floor; 64 KiB also covers the largest UDP datagram.
  CONTRAIL_MAX_FRAME_BYTES: { min: 8192, max: 16777216, fallback: 65536 },
  // Enough batches in flight to keep every decode thread and the writer busy; more only adds
  // queueing delay and memory under saturation (measured: 16 keeps throughput, 64 adds ~60 MB and ~0.5 s).
  CONTRAIL_MAX_PENDING_BATCHES: { min: 1, max: 100000, fallback: 16 },
  // ACARS Hub reconnects every second; feeders expect that cadence.
  CONTRAIL_TCP_RECONNECT_MS: { min: 10, max: 600000, fallback: 1000 },
  // What rides out the main thread's pauses during a burst: with 8 MiB a 10 s burst at 85,000/s lost
  // 41 of 849,861 datagrams in the kernel, with 32 MiB none (bench part burst, native receiver).
  // The kernel fills it only while datagrams wait, and caps it at net.core.rmem_max unless the
  // native receiver may force it (CAP_NET_ADMIN).
  CONTRAIL_UDP_RECV_BUFFER_BYTES: { min: 65536, max: 1073741824, fallback: 33554432 },
  // 64 MiB segments: small enough to delete promptly once checkpointed, large enough to rotate rarely.
  CONTRAIL_JOURNAL_SEGMENT_BYTES: { min: 1048576, max: 1073741824, fallback: 67108864 },
  // The journal is also the raw archive (re-decode): a day of it by default.
  CONTRAIL_JOURNAL_RETENTION_HOURS: { min: 0, max: 87600, fallback: 24 },
  CONTRAIL_JOURNAL_MAX_BYTES: { min: 16777216, max: 1099511627776, fallback: 4294967296 },
  // How long SIGTERM waits for accepted frames to be committed; what is left stays in the journal.
  CONTRAIL_SHUTDOWN_TIMEOUT_MS: { min: 100, max: 600000, fallback: 10000 },
  // How often the engine looks for messages past DB_SAVE_DAYS / DB_ALERT_SAVE_DAYS; each look is cheap (an index range).
  CONTRAIL_PRUNE_CHECK_SECONDS: { min: 1, max: 86400, fallback: 60 },
  // Copies of one message (several stations, frequencies, or a repeat) within this window are stored once; 0 turns dedup off.
  CONTRAIL_DEDUP_WINDOW_SECONDS: { min: 0, max: 3600, fallback: 5 },
  // Days of message time the DuckDB mirror holds (DESIGN: a week answers "this week" dashboards from DuckDB).
  CONTRAIL_MIRROR_DAYS: { min: 1, max: 3660, fallback: 7 },
  // The parts of a long message are joined while each comes within this long of the last.
  CONTRAIL_MULTIPART_WINDOW_SECONDS: { min: 1, max: 86400, fallback: 120 },
  // 0: no size cap. Otherwise the oldest messages are pruned while the database holds more than this.
  CONTRAIL_DB_MAX_BYTES: { min: 0, max: 1099511627776, fallback: 0 },
  // Threads answering searches, history and aircraft lookups on read-only connections: two, so
  // one slow query does not hold up the next; the writer and the decode threads need the cores.
  CONTRAIL_READER_THREADS: { min: 1, max: 16, fallback: 2 },
  // A WebSocket client with more unsent bytes than this is paused (it misses messages, and is told
  // how many when it drains): 1 MiB is about a thousand messages, seconds of a busy feed.
  CONTRAIL_WS_MAX_BUFFER_BYTES: { min: 65536, max: 1073741824, fallback: 1048576 },
  // A client still behind after this long is disconnected (close code 1008, "too slow").
  CONTRAIL_WS_MAX_BEHIND_SECONDS: { min: 1, max: 3600, fallback: 30 },
  // Connections past this are refused at the upgrade (503): each costs memory and a share of every publish.
  CONTRAIL_WS_MAX_CLIENTS: { min: 1, max: 100000, fallback: 1000 },
  // Requests per second per client on average (bursts of twice as many): subscriptions, lookups,
  // searches. Past it a request is answered RATE_LIMITED, not run.
  CONTRAIL_WS_REQUESTS_PER_SECOND: { min: 1, max: 10000, fallback: 20 },
  // Subscriptions one client may hold (topics such as flight:UAL123 each count): every routed
  // subscription is looked up for every published message.
  CONTRAIL_WS_MAX_SUBSCRIPTIONS: { min: 1, max: 10000, fallback: 100 },
  // A search or history query running longer is stopped and the client told to narrow it.
  CONTRAIL_QUERY_TIMEOUT_MS: { min: 100, max: 600000, fallback: 5000 },
  // Backups before migrations and restores: the newest N are kept...
  CONTRAIL_BACKUP_KEEP: { min: 1, max: 1000, fallback: 5 },
  // ...and, beyond the newest one, none older than this many days.
  CONTRAIL_BACKUP_KEEP_DAYS: { min: 0, max: 36500, fallback: 7 },
} as const satisfies Record<string, IntegerSetting>;

export type IntegerSettingName = keyof typeof INTEGER_SETTINGS;

/** Journal fsync: every second by default (a process crash loses nothing; power loss at most ~1 s). */
export const DEFAULT_JOURNAL_FSYNC_MS = 1000;
export const JOURNAL_DIR_NAME = 'journal';
export const BACKUP_DIR_NAME = 'backups';
/** An admin token shorter than this is refused: it guards migrations and restores. */
export const MIN_ADMIN_TOKEN_LENGTH = 16;

/** Retention in days (ACARS Hub's variables and defaults). The cap keeps cutoff arithmetic sane. */
export const MAX_RETENTION_DAYS = 36500;
export const DEFAULT_SAVE_DAYS = 7;
export const DEFAULT_ALERT_SAVE_DAYS = 120;
