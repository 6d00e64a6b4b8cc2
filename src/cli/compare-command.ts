/**
 * `contrail compare [--since WHEN] [--until WHEN] | [--range FROM..TO]`: runs every analytics query on the SQLite
 * path and on the DuckDB mirror over one range and prints any difference. With the engine
 * running, DuckDB's file is the engine's (DuckDB lets one process write it), so the engine is
 * asked over its admin API; with it stopped, both files are opened read-only here.
 * Exit 0: identical; 1: differences (or a mirror behind the range); 2: usage.
 */
import { existsSync } from 'node:fs';
import { DuckDBInstance } from '@duckdb/node-api';
import { Command } from 'commander';
import { parseTime } from '../analytics/analytics-request.js';
import type { Range } from '../analytics/analytics-types.js';
import { compareAnalytics, type Difference } from '../analytics/compare-analytics.js';
import { scalar } from '../analytics/duck-scalar.js';
import { DuckdbAnalytics } from '../analytics/duckdb-analytics.js';
import { SqliteAnalytics } from '../analytics/sqlite-analytics.js';
import type { Config } from '../config/config-types.js';
import { ContrailError, UsageError } from '../errors.js';
import { describeHolder, type LockHolder } from '../store/schema/process-lock.js';
import { openReadOnly, runningEngine } from './db-access.js';
import { readConfigOrExit } from './read-config.js';

interface CompareReply {
  range: Range;
  behind: string | null;
  differences: Difference[];
}

interface RangeOptions {
  since: string;
  until?: string;
  range?: string;
}

/** `--range FROM..TO` (either side may be empty: the default) or `--range 7d` (since), else --since/--until. */
function rangeOf(options: RangeOptions): Range {
  const now = Date.now() / 1000;
  let since = options.since;
  let until = options.until;
  if (options.range !== undefined) {
    const [a, b, ...rest] = options.range.split('..');
    if (rest.length > 0 || options.range.trim() === '') throw new UsageError(`--range "${options.range}": FROM..TO (e.g. 2026-02-01..2026-02-03), FROM.. or a duration back from now (24h, 7d)`);
    if (a) since = a;
    if (b !== undefined && b !== '') until = b;
  }
  try {
    const to = until !== undefined ? parseTime('--until', until, now) : now;
    const from = parseTime('--since', since, now);
    if (!(from < to)) throw new UsageError(`--since (${new Date(from * 1000).toISOString()}) must be before --until (${new Date(to * 1000).toISOString()})`);
    return { from, to };
  } catch (e) {
    if (e instanceof ContrailError && e.code === 'CONTRAIL_ERR_BAD_REQUEST') throw new UsageError(e.message);
    throw e;
  }
}

/** fetch() reports a refused connection as "fetch failed"; the reason is in its cause. */
function reason(e: unknown): string {
  const cause = (e as { cause?: unknown }).cause;
  if (cause instanceof Error) return cause.message || ((cause as NodeJS.ErrnoException).code ?? cause.name);
  return (e as Error).message;
}

/** Asks the running engine, whose analytics thread holds the mirror. */
async function viaEngine(config: Config, engine: LockHolder, range: Range): Promise<CompareReply> {
  const token = config.database.adminToken;
  if (token === null) throw new UsageError('the engine is running and holds the DuckDB mirror: set CONTRAIL_ADMIN_TOKEN (as the engine has it) so compare can ask it');
  if (config.http.port === 0) throw new UsageError('the engine is running on CONTRAIL_HTTP_PORT=0 (a port chosen at start): set the port it listens on');
  const host = config.http.host === '0.0.0.0' || config.http.host === '::' ? '127.0.0.1' : config.http.host;
  const origin = `http://${host.includes(':') ? `[${host}]` : host}:${config.http.port}`;
  const url = `${origin}/api/v1/analytics/compare?from=${range.from}&to=${range.to}`;
  const unreachable = (why: string, e?: unknown): ContrailError =>
    new ContrailError(
      'CONTRAIL_ERR_COMPARE',
      `the engine that holds the lock on ${config.dbPath}, ${describeHolder(engine)}, could not be reached at ${origin}: ${why}. ` +
        'Set CONTRAIL_HTTP_HOST and CONTRAIL_HTTP_PORT to the address it listens on (its "contrail ready" log line names it), or stop it to compare the files directly',
      { cause: e },
    );
  let res: Response;
  let body: CompareReply & { error?: { message: string } };
  try {
    res = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
  } catch (e) {
    throw unreachable(reason(e), e);
  }
  try {
    body = (await res.json()) as typeof body;
  } catch (e) {
    // Something answers there, but not Contrail's API (another service on that port?).
    throw unreachable(`the reply (HTTP ${res.status}) is not Contrail's JSON`, e);
  }
  if (!res.ok) throw new ContrailError('CONTRAIL_ERR_COMPARE', `the engine refused compare (${res.status}): ${body.error?.message ?? 'no reason given'}`);
  return body;
}

/** Opens both databases read-only (the engine is stopped). */
async function direct(config: Config, range: Range): Promise<CompareReply> {
  if (!existsSync(config.analytics.duckdbPath)) throw new UsageError(`no DuckDB mirror at ${config.analytics.duckdbPath}: the engine creates it at its first start`);
  const sqlite = openReadOnly(config);
  const instance = await DuckDBInstance.create(config.analytics.duckdbPath, { access_mode: 'READ_ONLY' });
  const conn = await instance.connect();
  try {
    const lastId = (await scalar(conn, 'SELECT max(id) FROM messages')) ?? 0;
    const missing = sqlite.prepare('SELECT count(*) FROM messages WHERE id > ? AND msg_time >= ? AND msg_time < ?').pluck().get(lastId, range.from, range.to) as number;
    const behind = missing > 0 ? `the mirror lacks ${missing} messages in the range (the engine adds them at its next start)` : null;
    const differences = await compareAnalytics(new SqliteAnalytics(sqlite), new DuckdbAnalytics(conn), range);
    return { range, behind, differences };
  } finally {
    conn.closeSync();
    instance.closeSync();
    sqlite.close();
  }
}

async function compareCommandAction(options: RangeOptions & { json: boolean }): Promise<void> {
  const config = readConfigOrExit();
  const range = rangeOf(options);
  const holder = runningEngine(config);
  const engine = holder !== null;
  const reply = holder ? await viaEngine(config, holder, range) : await direct(config, range);
  const iso = (t: number): string => new Date(t * 1000).toISOString();
  if (options.json) process.stdout.write(`${JSON.stringify({ ...reply, via: engine ? 'engine' : 'files' })}\n`);
  else {
    process.stdout.write(`compare ${iso(range.from)} .. ${iso(range.to)} (${engine ? 'asked the running engine' : 'read the files'})\n`);
    if (reply.behind) process.stdout.write(`  mirror behind: ${reply.behind}\n`);
    for (const d of reply.differences) process.stdout.write(`  ${d.query}: differs at ${d.path}: sqlite ${JSON.stringify(d.a)}, duckdb ${JSON.stringify(d.b)}\n`);
    process.stdout.write(reply.differences.length === 0 ? '  every query: the same on SQLite and DuckDB\n' : `  ${reply.differences.length} queries differ\n`);
  }
  if (reply.differences.length > 0 || reply.behind) process.exitCode = 1;
}

export function compareCommand(): Command {
  return new Command('compare')
    .description('run every analytics query on SQLite and on the DuckDB mirror over a range and print any difference (exit 1 if any)')
    .option('--since <when>', 'start: a duration back from now (24h, 7d), an ISO 8601 time, or epoch seconds', '24h')
    .option('--until <when>', 'end (default now), same forms')
    .option('--range <from..to>', 'both at once: FROM..TO, FROM.. or a duration back from now (7d)')
    .option('--json', 'print the result as JSON', false)
    .action((options: RangeOptions & { json: boolean }) => compareCommandAction(options));
}
