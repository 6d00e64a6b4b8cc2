/**
 * `contrail alerts list | add | remove | rescan`: alert and ignore terms, written to the database
 * directly, whether or not the engine runs (a running engine notices the change through SQLite's
 * data_version within a second and reloads the terms). `rescan` re-matches stored messages in
 * short steps, each its own transaction, so a running engine's writer is never held for long.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { Command, Option } from 'commander';
import { compileMatcher } from '../alerts/alert-matcher.js';
import { AlertRescan } from '../alerts/alert-rescan.js';
import type { AlertTermKind } from '../alerts/alert-term.js';
import { addTerm, listTerms, removeTerm, termSet, type StoredTerm } from '../alerts/term-store.js';
import type { Config } from '../config/config-types.js';
import { MigrationError } from '../errors.js';
import type { Db } from '../store/open-database.js';
import { assertKnownSchema, schemaStatus } from '../store/schema/migration-runner.js';
import { openExisting, openReadOnly, runningEngine } from './db-access.js';
import { formatTable, printJsonOr } from './format.js';
import { progressBar } from './progress-bar.js';
import { readConfigOrExit } from './read-config.js';

export interface AlertsListOptions {
  json: boolean;
}

export interface AlertsAddOptions {
  regex: boolean;
  ignore: boolean;
  rescan: boolean;
  progress: boolean;
  json: boolean;
}

export interface AlertsRemoveOptions {
  ignore: boolean;
  json: boolean;
}

export interface AlertsRescanOptions {
  progress: boolean;
  json: boolean;
}

export interface RescanSummary {
  scanned: number;
  matches: number;
  terms: { term: string; regex: boolean; hits: number }[];
  ignore: { term: string; regex: boolean }[];
  seconds: number;
}

const STEP_BUDGET_MS = 20;
/**
 * With the engine running, a rescan starts this long after the terms last changed: the engine
 * reloads them within a second (data_version poll), and messages it stores after the rescan's
 * last id must have been matched with the new terms, or nobody re-matches them.
 */
const ENGINE_SETTLE_MS = 2000;
/** How often a rescan looks again whether an engine runs (then it pauses between steps). */
const ENGINE_CHECK_MS = 1000;

const kindOf = (ignore: boolean): AlertTermKind => (ignore ? 'ignore' : 'alert');

/** The terms' tables and columns come with migrations 0006 and 0007: an older schema is refused, not half-used. */
function requireCurrentSchema(db: Db, config: Config): void {
  const s = schemaStatus(db);
  assertKnownSchema(s, config.dbPath);
  if (s.pending.length > 0) {
    throw new MigrationError(
      `the database schema is not current (at ${s.current ?? 'no migration'}, this version needs ${s.target ?? 'none'}; pending: ${s.pending.map((p) => p.name).join(', ')}): run \`contrail db migrate\` first`,
    );
  }
}

function open(config: Config, readOnly = false): Db {
  const db = readOnly ? openReadOnly(config) : openExisting(config);
  try {
    requireCurrentSchema(db, config);
  } catch (e) {
    db.close();
    throw e;
  }
  return db;
}

const added = (t: StoredTerm): string => new Date(t.createdAt * 1000).toISOString().replace('.000Z', 'Z');
const kindLabel = (regex: boolean): string => (regex ? 'regex' : 'literal');
/** Quoted as typed: JSON's escaping would double every backslash of a regex term. */
const quoted = (term: string): string => `"${term}"`;

export function listCommand(o: AlertsListOptions): void {
  const config = readConfigOrExit();
  const db = open(config, true);
  try {
    const list = listTerms(db);
    // The same shape as GET /api/v1/alerts/terms.
    printJsonOr(o.json, list, () =>
      [
        list.terms.length === 0
          ? 'no alert terms (add one with: contrail alerts add TERM)'
          : `alert terms:\n${formatTable(['term', 'kind', 'hits', 'added'], list.terms.map((t) => [t.term, kindLabel(t.regex), t.hits ?? 0, added(t)]))}`,
        list.ignore.length === 0 ? 'no ignore terms' : `ignore terms:\n${formatTable(['term', 'kind', 'added'], list.ignore.map((t) => [t.term, kindLabel(t.regex), added(t)]))}`,
      ].join('\n\n'),
    );
  } finally {
    db.close();
  }
}

export async function addCommand(term: string, o: AlertsAddOptions): Promise<void> {
  const config = readConfigOrExit();
  const db = open(config);
  try {
    const kind = kindOf(o.ignore);
    const table = kind === 'alert' ? 'alert_terms' : 'ignore_terms';
    // The column is COLLATE NOCASE: an existing term in another case is the same term, kept as first spelled.
    const before = db.prepare(`SELECT term, is_regex FROM ${table} WHERE term = ?`).get(term.trim()) as { term: string; is_regex: number } | undefined;
    const spec = addTerm(db, { term, regex: o.regex }, kind);
    const stored = before?.term ?? spec.term;
    const rescan = o.rescan ? await rescanAll(db, config, o) : null;
    const result = { kind, term: stored, regex: spec.regex, existed: before !== undefined, rescan };
    printJsonOr(o.json, result, () =>
      [
        before === undefined
          ? `added ${kind} term ${quoted(stored)} (${kindLabel(spec.regex)})`
          : `${kind} term ${quoted(stored)} already existed${(before.is_regex === 1) === spec.regex ? '' : `; it is now ${kindLabel(spec.regex)}`}`,
        rescan ? rescanText(rescan) : 'stored messages were not re-matched: run `contrail alerts rescan` (or add with --rescan) to apply it to them',
      ].join('\n'),
    );
  } finally {
    db.close();
  }
}

export function removeCommand(term: string, o: AlertsRemoveOptions): void {
  const config = readConfigOrExit();
  const db = open(config);
  try {
    const kind = kindOf(o.ignore);
    removeTerm(db, term.trim(), kind);
    // Stored matches are left as they are (as the admin API does): a rescan recomputes them.
    printJsonOr(o.json, { removed: term.trim(), kind }, () => `removed ${kind} term ${quoted(term.trim())}; stored matches change only with \`contrail alerts rescan\``);
  } finally {
    db.close();
  }
}

export async function rescanCommand(o: AlertsRescanOptions): Promise<void> {
  const config = readConfigOrExit();
  const db = open(config);
  try {
    const summary = await rescanAll(db, config, o);
    printJsonOr(o.json, summary, () => rescanText(summary));
  } finally {
    db.close();
  }
}

/** Re-matches every stored message against the terms now in the database, then reports per-term hits. */
async function rescanAll(db: Db, config: Config, o: { progress: boolean; json: boolean }): Promise<RescanSummary> {
  const started = performance.now();
  const bar = progressBar('rescan', o.progress && !o.json);
  try {
    let engine = runningEngine(config) !== null;
    let checkedAt = performance.now();
    if (engine) {
      bar.update(0, 'waiting for the engine to load the terms');
      await sleep(ENGINE_SETTLE_MS);
    }
    const set = termSet(db);
    const rescan = new AlertRescan(db, compileMatcher(set.terms, set.ignore));
    let p = rescan.progress();
    while (!rescan.done) {
      const t0 = performance.now();
      p = rescan.step(STEP_BUDGET_MS);
      bar.update(p.percent, `${p.scanned} messages scanned, ${p.matches} matches`);
      if (p.done) break;
      const now = performance.now();
      if (now - checkedAt >= ENGINE_CHECK_MS) {
        engine = runningEngine(config) !== null;
        checkedAt = now;
      }
      // Pausing as long as the step took lets the engine's writer, waiting on its busy timeout,
      // commit between steps; alone on the database there is nobody to wait for.
      if (engine) await sleep(Math.max(5, Math.ceil(now - t0)));
    }
    bar.stop();
    const list = listTerms(db);
    return {
      scanned: p.scanned,
      matches: p.matches,
      terms: list.terms.map((t) => ({ term: t.term, regex: t.regex, hits: t.hits ?? 0 })),
      ignore: list.ignore.map((t) => ({ term: t.term, regex: t.regex })),
      seconds: Number(((performance.now() - started) / 1000).toFixed(2)),
    };
  } finally {
    bar.stop();
  }
}

function rescanText(s: RescanSummary): string {
  return [
    `re-scanned ${s.scanned} messages in ${s.seconds} s: ${s.matches} matches`,
    s.terms.length === 0 ? 'no alert terms: every stored match was cleared' : formatTable(['term', 'kind', 'hits'], s.terms.map((t) => [t.term, kindLabel(t.regex), t.hits])),
    ...(s.ignore.length > 0 ? [`ignore terms: ${s.ignore.map((t) => quoted(t.term)).join(', ')}`] : []),
  ].join('\n');
}

const json = (): Option => new Option('--json', 'print the result as JSON');

export function alertsCommand(): Command {
  const alerts = new Command('alerts').description('alert and ignore terms: list, add, remove, and re-match stored messages (a running engine picks changes up within a second)');

  alerts.command('list').description('alert terms (kind, hits, when added) and ignore terms').addOption(json()).action(listCommand);

  alerts
    .command('add')
    .description('add an alert term (or an ignore term with --ignore); a literal term matches the text as a whole word and tail, flight and ICAO as a substring, case-insensitively')
    .argument('<term>', 'the term; quote it if it has spaces or shell characters')
    .option('--regex', 'a regular expression matched against the text only (linear-time engine: no backreferences or lookarounds)', false)
    .option('--ignore', 'an ignore term: a message it matches raises no alert', false)
    .option('--rescan', 'then re-match every stored message, as `contrail alerts rescan` does', false)
    .option('--no-progress', 'no progress bar on stderr (with --rescan)')
    .addOption(json())
    .action((term: string, o: AlertsAddOptions) => addCommand(term, o));

  alerts
    .command('remove')
    .description('remove an alert term (or an ignore term with --ignore); its stored matches stay until a rescan')
    .argument('<term>', 'the term, in any case')
    .option('--ignore', 'remove an ignore term', false)
    .addOption(json())
    .action((term: string, o: AlertsRemoveOptions) => removeCommand(term, o));

  alerts
    .command('rescan')
    .description('re-match every stored message against the current terms, in short steps (safe while the engine runs); then per-term hits')
    .option('--no-progress', 'no progress bar on stderr')
    .addOption(json())
    .action(rescanCommand);

  return alerts;
}
