/** `contrail export parquet --since WHEN [--until WHEN] [--out DIR] [--force]`: stored messages to Parquet, one directory per UTC day. */
import { join } from 'node:path';
import { Command, Option } from 'commander';
import { UsageError } from '../errors.js';
import type { ExportSummary } from '../export/parquet-export.js';
import { requireDatabase } from './db-access.js';
import { formatBytes, printJsonOr } from './format.js';
import { progressBar } from './progress-bar.js';
import { readConfigOrExit } from './read-config.js';

export interface ExportParquetOptions {
  since: string;
  until: string;
  out?: string;
  force: boolean;
  progress: boolean;
  json: boolean;
}

const UNIT_S: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86_400, w: 604_800 };
/** Date, or date and time with optional seconds, fraction and offset. Date.parse alone takes "7" or "May 3" too. */
const ISO = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(\.\d+)?)?)?(Z|[+-]\d{2}:?\d{2})?$/i;

const ALLOWED = 'expected a duration back from now (30m, 24h, 7d, 2w), an ISO-8601 date or time (2026-01-31, 2026-01-31T06:00:00Z; UTC unless it has an offset), now, or (for --since) all';

function parseIso(text: string): number | null {
  const m = ISO.exec(text);
  if (!m) return null;
  const [y, mo, d, h = 0, mi = 0, s = 0] = m.slice(1, 7).map((v) => (v === undefined ? undefined : Number(v))) as number[];
  const ms = Date.UTC(y!, mo! - 1, d!, h, mi, s);
  // Date.UTC rolls 2026-02-30 over to March: a field out of range shows as a different date back.
  const back = new Date(ms);
  if (back.getUTCFullYear() !== y || back.getUTCMonth() !== mo! - 1 || back.getUTCDate() !== d || back.getUTCHours() !== h || back.getUTCMinutes() !== mi) return null;
  const fraction = m[7] === undefined ? 0 : Number(m[7]);
  const zone = m[8];
  let offsetS = 0;
  if (zone !== undefined && zone.toUpperCase() !== 'Z') {
    const z = /^([+-])(\d{2}):?(\d{2})$/.exec(zone)!;
    if (Number(z[2]) > 23 || Number(z[3]) > 59) return null;
    offsetS = (z[1] === '-' ? -1 : 1) * (Number(z[2]) * 3600 + Number(z[3]) * 60);
  }
  return ms / 1000 + fraction - offsetS;
}

/** A --since or --until value as epoch seconds; times without an offset are UTC, like the day directories. */
export function parseTimeArg(option: '--since' | '--until', text: string, nowMs = Date.now()): number {
  const t = text.trim();
  const now = Math.floor(nowMs / 1000);
  if (t === 'now') return now;
  if (t === 'all' && option === '--since') return 0;
  const rel = /^(\d+)([smhdw])$/.exec(t);
  // No message is older than the epoch; clamping also keeps `99999999d` a printable date.
  if (rel) return Math.max(0, now - Number(rel[1]) * UNIT_S[rel[2]!]!);
  const at = parseIso(t);
  if (at === null) throw new UsageError(`${option} ${JSON.stringify(text)}: ${ALLOWED}`);
  return at;
}

const iso = (s: number): string => new Date(s * 1000).toISOString().replace('.000Z', 'Z');
/** ISO-8601 basic format: no colons in a directory name. */
const stamp = (s: number): string => iso(Math.floor(s)).replace(/[-:]/g, '');

const plural = (n: number, one: string): string => `${n} ${one}${n === 1 ? '' : 's'}`;

function summaryText(s: ExportSummary, since: number, until: number): string {
  const range = `from ${iso(since)} to ${iso(until)}`;
  if (s.rows === 0) return `no messages ${range}: nothing written`;
  const rate = Math.round(s.rows / Math.max(s.ms / 1000, 0.001));
  return `exported ${s.rows} messages ${range} into ${s.out}: ${plural(s.days, 'day')}, ${plural(s.files, 'file')}, ${formatBytes(s.bytes)} in ${(s.ms / 1000).toFixed(2)} s (${rate} messages/s)`;
}

export async function exportParquetCommand(o: ExportParquetOptions): Promise<void> {
  // Arguments first: a bad value stops before anything is opened or created.
  const nowMs = Date.now();
  const since = parseTimeArg('--since', o.since, nowMs);
  const until = parseTimeArg('--until', o.until, nowMs);
  if (since >= until) throw new UsageError(`--since ${iso(since)} is not before --until ${iso(until)}: the range is empty`);
  const config = readConfigOrExit();
  requireDatabase(config);
  const out = o.out ?? join(config.dataDir, 'exports', `parquet-${stamp(since)}-${stamp(until)}`);

  const bar = progressBar('export', o.progress && !o.json);
  // Ctrl-C stops the export between chunks; what it had written is removed, --out is as it was.
  const abort = new AbortController();
  const onSigint = (): void => abort.abort();
  process.once('SIGINT', onSigint);
  try {
    // Loaded here, not at start-up: every other command would load DuckDB's native library for nothing.
    const { exportParquet } = await import('../export/parquet-export.js');
    const summary = await exportParquet({
      dbPath: config.dbPath,
      since,
      until,
      out,
      force: o.force,
      signal: abort.signal,
      onProgress: (p) => bar.update(p.total > 0 ? (p.rows / p.total) * 100 : 100, `${p.rows}/${p.total} messages, day ${p.day}`),
    });
    bar.stop();
    printJsonOr(o.json, { ...summary, since: iso(since), until: iso(until) }, () => summaryText(summary, since, until));
  } finally {
    bar.stop();
    process.removeListener('SIGINT', onSigint);
  }
}

export function exportCommand(): Command {
  const exp = new Command('export').description('write stored messages to files for archives and notebooks');
  exp
    .command('parquet')
    .description('write the messages of a time range (all columns) as Parquet, one directory per UTC day of message time (day=YYYY-MM-DD); safe while the engine runs')
    .requiredOption('--since <when>', 'start of the range, inclusive: a duration back from now (30m, 24h, 7d, 2w), an ISO-8601 date or time (UTC unless it has an offset), or all')
    .option('--until <when>', 'end of the range, exclusive: same forms as --since, or now', 'now')
    .option('--out <dir>', 'output directory (default: <data dir>/exports/parquet-<since>-<until>); must be empty or new unless --force')
    .option('--force', 'write into a non-empty --out: day directories this export writes replace those of the same day; nothing else there is touched', false)
    .option('--no-progress', 'no progress bar on stderr')
    .addOption(new Option('--json', 'print the summary as JSON'))
    .action((o: ExportParquetOptions) => exportParquetCommand(o));
  return exp;
}
