/**
 * Turns an environment into a validated, deeply frozen Config. Pure: the caller passes
 * process.env and process.cwd(). Every problem is collected before one ConfigError is thrown,
 * so a user fixes their environment in one round instead of one variable per restart.
 */
import path from 'node:path';
import { z } from 'zod';
import { ConfigError } from '../errors.js';
import { DECODER_TYPES, type DecoderType } from '../decode/message.js';
import { LOG_LEVELS, UDP_RECEIVERS, type Config, type FsyncPolicy, type LogLevel, type SourceConfig } from './config-types.js';
import * as D from './defaults.js';
import {
  BOOLEAN_ALLOWED,
  WILDCARD_HOSTS,
  assignment,
  bindsLocally,
  daysSchema,
  integerSchema,
  isHost,
  parseBoolean,
  parseDescriptor,
  problem,
  splitDescriptorList,
} from './env-grammar.js';

type Env = Record<string, string | undefined>;

/** Every CONTRAIL_* name Contrail reads; anything else with that prefix is a typo. */
export const CONTRAIL_VARIABLES: readonly string[] = [
  'CONTRAIL_DATA_DIR',
  'CONTRAIL_HTTP_HOST',
  ...Object.keys(D.INTEGER_SETTINGS),
  'CONTRAIL_LOG_LEVEL',
  'CONTRAIL_STORE_NON_ACARS',
  'CONTRAIL_JOURNAL_FSYNC',
  'CONTRAIL_AUTO_MIGRATE',
  'CONTRAIL_ADMIN_TOKEN',
  'CONTRAIL_READ_TOKEN',
  'CONTRAIL_UDP_RECEIVER',
];

export function loadConfig(env: Env, cwd: string): Config {
  const problems: string[] = [];
  const int = (name: D.IntegerSettingName): number => {
    const { min, max, fallback } = D.INTEGER_SETTINGS[name];
    return read(env, name, integerSchema(min, max), `an integer from ${min} to ${max}`, fallback, problems);
  };

  const dataDirSchema = z.string().min(1).refine((s) => !s.includes('\0'));
  const dataDir = path.resolve(cwd, read(env, 'CONTRAIL_DATA_DIR', dataDirSchema, 'a non-empty directory path', D.DEFAULT_DATA_DIR, problems));
  // Brackets are how URLs write IPv6; accept them, but hand Node the bare address.
  const hostSchema = z.string().transform((s) => s.replace(/^\[(.*)\]$/, '$1')).refine(isHost);
  const problemsBeforeHttp = problems.length;
  const http = {
    host: read(env, 'CONTRAIL_HTTP_HOST', hostSchema, 'an IP address or hostname, e.g. 0.0.0.0, :: or localhost', D.DEFAULT_HTTP_HOST, problems),
    port: int('CONTRAIL_HTTP_PORT'),
  };
  const enabled = readEnabled(env, problems);
  const udpReceiver = read(env, 'CONTRAIL_UDP_RECEIVER', z.string().trim().toLowerCase().pipe(z.enum(UDP_RECEIVERS)), `one of ${UDP_RECEIVERS.join(', ')}`, D.DEFAULT_UDP_RECEIVER, problems);
  const sources = readSources(env, enabled, problems).map((s) => (s.kind === 'udp' ? { ...s, receiver: udpReceiver } : s));
  // A rejected HTTP setting falls back to its default; checking that default would invent a clash.
  checkPortConflicts(sources, problems.length === problemsBeforeHttp ? http : undefined, problems);

  const days = daysSchema(D.MAX_RETENTION_DAYS);
  const daysAllowed = `a positive number of days up to ${D.MAX_RETENTION_DAYS} (fractions allowed)`;
  const config: Config = {
    dataDir,
    dbPath: path.join(dataDir, D.DB_FILE_NAME),
    analytics: {
      duckdbPath: path.join(dataDir, D.DUCKDB_FILE_NAME),
      dataSource: read(env, 'DATA_SOURCE', z.enum(['sqlite', 'duckdb']), 'sqlite or duckdb', D.DEFAULT_DATA_SOURCE, problems, { emptyIsUnset: true }),
      windowDays: int('CONTRAIL_MIRROR_DAYS'),
    },
    http,
    enabled,
    sources,
    decodeThreads: int('CONTRAIL_DECODE_THREADS'),
    reads: { threads: int('CONTRAIL_READER_THREADS'), queryTimeoutMs: int('CONTRAIL_QUERY_TIMEOUT_MS') },
    ws: {
      maxBufferedBytes: int('CONTRAIL_WS_MAX_BUFFER_BYTES'),
      maxBehindMs: int('CONTRAIL_WS_MAX_BEHIND_SECONDS') * 1000,
      maxClients: int('CONTRAIL_WS_MAX_CLIENTS'),
      requestsPerSecond: int('CONTRAIL_WS_REQUESTS_PER_SECOND'),
      maxSubscriptions: int('CONTRAIL_WS_MAX_SUBSCRIPTIONS'),
    },
    batch: { maxFrames: int('CONTRAIL_BATCH_MAX_FRAMES'), maxWaitMs: int('CONTRAIL_BATCH_MAX_WAIT_MS') },
    maxFrameBytes: int('CONTRAIL_MAX_FRAME_BYTES'),
    maxPendingBatches: int('CONTRAIL_MAX_PENDING_BATCHES'),
    storeNonAcars: readStoreNonAcars(env, problems),
    tcpReconnectMs: int('CONTRAIL_TCP_RECONNECT_MS'),
    udpRecvBufferBytes: int('CONTRAIL_UDP_RECV_BUFFER_BYTES'),
    udpReceiver,
    logLevel: readLogLevel(env, problems),
    retention: {
      saveDays: read(env, 'DB_SAVE_DAYS', days, daysAllowed, D.DEFAULT_SAVE_DAYS, problems, { emptyIsUnset: true }),
      alertSaveDays: read(env, 'DB_ALERT_SAVE_DAYS', days, daysAllowed, D.DEFAULT_ALERT_SAVE_DAYS, problems, { emptyIsUnset: true }),
      checkIntervalMs: int('CONTRAIL_PRUNE_CHECK_SECONDS') * 1000,
    },
    shutdownTimeoutMs: int('CONTRAIL_SHUTDOWN_TIMEOUT_MS'),
    intel: { dedupWindowS: int('CONTRAIL_DEDUP_WINDOW_SECONDS'), multipartWindowS: int('CONTRAIL_MULTIPART_WINDOW_SECONDS') },
    database: {
      maxBytes: int('CONTRAIL_DB_MAX_BYTES'),
      backups: { dir: path.join(dataDir, D.BACKUP_DIR_NAME), keep: int('CONTRAIL_BACKUP_KEEP'), keepDays: int('CONTRAIL_BACKUP_KEEP_DAYS') },
      autoMigrate: readBoolean(env, 'CONTRAIL_AUTO_MIGRATE', problems) ?? env['NODE_ENV'] === 'development',
      adminToken: readToken(env, 'CONTRAIL_ADMIN_TOKEN', /^[\x21-\x7e]+$/, 'printable characters without spaces', "disable the admin API's writes", problems),
      // Letters, digits and ._~- only, so a browser can offer it as a WebSocket subprotocol.
      readToken: readToken(env, 'CONTRAIL_READ_TOKEN', /^[A-Za-z0-9._~-]+$/, 'characters of letters, digits and . _ ~ -', 'leave reads open', problems),
    },
    journal: {
      dir: path.join(dataDir, D.JOURNAL_DIR_NAME),
      segmentBytes: int('CONTRAIL_JOURNAL_SEGMENT_BYTES'),
      fsync: readFsync(env, problems),
      retentionMs: int('CONTRAIL_JOURNAL_RETENTION_HOURS') * 3_600_000,
      maxBytes: int('CONTRAIL_JOURNAL_MAX_BYTES'),
    },
  };
  checkUnknownVariables(env, problems);

  if (problems.length > 0) throw new ConfigError(problems);
  return deepFreeze(config);
}

/**
 * One scalar. ACARS Hub's own variables treat an empty value as unset (as ACARS Hub does);
 * Contrail's variables reject it, because an empty CONTRAIL_* is usually a broken substitution.
 */
function read<T>(env: Env, name: string, schema: z.ZodType<T, string>, allowed: string, fallback: T, problems: string[], opts: { emptyIsUnset?: boolean } = {}): T {
  const raw = env[name];
  if (raw === undefined || (raw === '' && opts.emptyIsUnset === true)) return fallback;
  const result = schema.safeParse(raw);
  if (result.success) return result.data;
  problems.push(problem(name, raw, `must be ${allowed}`));
  return fallback;
}

function readBoolean(env: Env, name: string, problems: string[]): boolean | undefined {
  const raw = env[name];
  if (raw === undefined) return undefined;
  const value = parseBoolean(raw);
  if (value === undefined) problems.push(problem(name, raw, `must be ${BOOLEAN_ALLOWED}`));
  return value;
}

/** None of ENABLE_* set: every type on. Any set: exactly the truthy ones, as in an ACARS Hub environment. */
function readEnabled(env: Env, problems: string[]): Record<DecoderType, boolean> {
  const anySet = DECODER_TYPES.some((type) => env[D.DECODER_ENV[type].enableVar] !== undefined);
  const enabled = {} as Record<DecoderType, boolean>;
  for (const type of DECODER_TYPES) {
    enabled[type] = anySet ? readBoolean(env, D.DECODER_ENV[type].enableVar, problems) ?? false : true;
  }
  return enabled;
}

/** Enabled types only (a disabled type's *_CONNECTIONS is not even parsed), in type order then list order. */
function readSources(env: Env, enabled: Record<DecoderType, boolean>, problems: string[]): SourceConfig[] {
  const sources: SourceConfig[] = [];
  for (const type of DECODER_TYPES) {
    if (!enabled[type]) continue;
    const { connectionsVar, udpPort } = D.DECODER_ENV[type];
    const items = splitDescriptorList(env[connectionsVar] ?? '');
    const seen = new Map<string, string>();
    for (const item of items.length > 0 ? items : [D.DEFAULT_CONNECTIONS]) {
      const parsed = parseDescriptor(item, udpPort, D.DEFAULT_UDP_BIND);
      if (!parsed.ok) {
        problems.push(problem(connectionsVar, item, parsed.reason));
        continue;
      }
      const key = `${parsed.value.kind} ${parsed.value.host.toLowerCase()} ${parsed.value.port}`;
      const earlier = seen.get(key);
      if (earlier !== undefined) {
        problems.push(problem(connectionsVar, item, `duplicate of ${JSON.stringify(earlier)} earlier in the list; remove one`));
        continue;
      }
      seen.set(key, item);
      sources.push({ type, ...parsed.value });
    }
  }
  return sources;
}

interface Binding {
  label: string;
  protocol: 'UDP' | 'TCP';
  host: string;
  port: number;
}

/** Two listeners on one port fail at bind time with EADDRINUSE; say which two, before anything starts. */
function checkPortConflicts(sources: readonly SourceConfig[], http: { host: string; port: number } | undefined, problems: string[]): void {
  const bindings: Binding[] = [];
  if (http) bindings.push({ label: assignment('CONTRAIL_HTTP_PORT', String(http.port)), protocol: 'TCP', host: http.host, port: http.port });
  for (const s of sources) {
    if (!bindsLocally(s.kind)) continue;
    const label = assignment(D.DECODER_ENV[s.type].connectionsVar, s.descriptor);
    bindings.push({ label, protocol: s.kind === 'udp' ? 'UDP' : 'TCP', host: s.host, port: s.port });
  }
  for (let i = 0; i < bindings.length; i++) {
    for (let j = i + 1; j < bindings.length; j++) {
      const a = bindings[i]!;
      const b = bindings[j]!;
      if (a.port === 0 || a.port !== b.port || a.protocol !== b.protocol || !hostsOverlap(a.host, b.host)) continue;
      problems.push(`${a.label} and ${b.label}: both bind ${a.protocol} port ${a.port}; give one of them another port`);
    }
  }
}

/** A wildcard bind (0.0.0.0 or ::, which is dual-stack on Linux) takes the port on every address. */
function hostsOverlap(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase() || WILDCARD_HOSTS.includes(a) || WILDCARD_HOSTS.includes(b);
}

/**
 * CONTRAIL_STORE_NON_ACARS wins; else ACARS Hub's DB_SAVEALL; else Contrail's default (store them).
 * Off keeps what ACARS Hub keeps (decode/acarshub-content.ts). A blank DB_SAVEALL is off, as in
 * ACARS Hub, whose docs recommend exactly that to store only frames with content.
 */
function readStoreNonAcars(env: Env, problems: string[]): boolean {
  const name = env['CONTRAIL_STORE_NON_ACARS'] !== undefined ? 'CONTRAIL_STORE_NON_ACARS' : 'DB_SAVEALL';
  return readBoolean(env, name, problems) ?? D.DEFAULT_STORE_NON_ACARS;
}

const logLevelSchema = z.string().trim().toLowerCase().pipe(z.enum(LOG_LEVELS));
const LOG_LEVELS_ALLOWED = `one of ${LOG_LEVELS.join(', ')}`;

/**
 * CONTRAIL_LOG_LEVEL, else the common LOG_LEVEL, else ACARS Hub's MIN_LOG_LEVEL (which also
 * takes ACARS Hub's numbers: 6 and up trace, 5 debug, 4 info, 3 warn, 2 and below error).
 */
function readLogLevel(env: Env, problems: string[]): LogLevel {
  if (env['CONTRAIL_LOG_LEVEL'] !== undefined) {
    return read(env, 'CONTRAIL_LOG_LEVEL', logLevelSchema, LOG_LEVELS_ALLOWED, D.DEFAULT_LOG_LEVEL, problems);
  }
  if (env['LOG_LEVEL'] !== undefined && env['LOG_LEVEL'] !== '') {
    return read(env, 'LOG_LEVEL', logLevelSchema, LOG_LEVELS_ALLOWED, D.DEFAULT_LOG_LEVEL, problems);
  }
  const numeric = z
    .string()
    .regex(/^[0-9]+$/)
    .transform(Number)
    .transform((n): LogLevel => (n >= 6 ? 'trace' : n === 5 ? 'debug' : n === 4 ? 'info' : n === 3 ? 'warn' : 'error'));
  const schema = z.union([logLevelSchema, numeric]);
  return read(env, 'MIN_LOG_LEVEL', schema, `${LOG_LEVELS_ALLOWED}, or ACARS Hub's 1 to 6`, D.DEFAULT_LOG_LEVEL, problems, { emptyIsUnset: true });
}

function checkUnknownVariables(env: Env, problems: string[]): void {
  for (const [name, value] of Object.entries(env)) {
    if (!name.startsWith('CONTRAIL_') || CONTRAIL_VARIABLES.includes(name) || value === undefined) continue;
    const near = closest(name, CONTRAIL_VARIABLES);
    const hint = near !== undefined ? `did you mean ${near}?` : 'see docs/configuration.md for the variables Contrail reads';
    problems.push(problem(name, value, `unknown variable; ${hint}`));
  }
}

/** The known name within edit distance 2, if any (the nearest one). */
function closest(name: string, known: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = 3;
  for (const candidate of known) {
    const d = editDistance(name, candidate);
    if (d < bestDistance) [best, bestDistance] = [candidate, d];
  }
  return best;
}

/** Levenshtein distance, one row at a time. */
function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1);
      row.push(Math.min(previous[j]! + 1, row[j - 1]! + 1, substitution));
    }
    previous = row;
  }
  return previous[b.length]!;
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}

/** A secret token variable: unset is null; a bad value is a problem that names the variable, never the value. */
function readToken(env: Env, name: string, allowed: RegExp, rule: string, whenUnset: string, problems: string[]): string | null {
  const raw = env[name];
  if (raw === undefined) return null;
  if (raw.length >= D.MIN_ADMIN_TOKEN_LENGTH && allowed.test(raw)) return raw;
  problems.push(`${name}: must be at least ${D.MIN_ADMIN_TOKEN_LENGTH} ${rule} (e.g. from \`openssl rand -hex 24\`); unset it to ${whenUnset}`);
  return null;
}

/** `none`, `batch`, or a number of milliseconds between syncs. */
function readFsync(env: Env, problems: string[]): FsyncPolicy {
  const raw = env.CONTRAIL_JOURNAL_FSYNC;
  if (raw === undefined) return { mode: 'interval', ms: D.DEFAULT_JOURNAL_FSYNC_MS };
  const v = raw.trim().toLowerCase();
  if (v === 'none') return { mode: 'none' };
  if (v === 'batch') return { mode: 'batch' };
  if (/^\d+$/.test(v) && Number(v) >= 1 && Number(v) <= 60000) return { mode: 'interval', ms: Number(v) };
  problems.push(problem('CONTRAIL_JOURNAL_FSYNC', raw, 'must be none, batch, or a number of milliseconds from 1 to 60000 between syncs'));
  return { mode: 'interval', ms: D.DEFAULT_JOURNAL_FSYNC_MS };
}
