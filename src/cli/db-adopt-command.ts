/** `contrail db adopt FILE`: turn an ACARS Hub database into a Contrail database, with progress and a verification table. */
import { basename } from 'node:path';
import { adoptDatabase, type AdoptProgress } from '../adopt/adopt-database.js';
import type { AdoptReport } from '../adopt/adopt-report.js';
import { describeGeneration } from '../adopt/detect-generation.js';
import { formatTable, printJsonOr } from './format.js';
import { progressBar } from './progress-bar.js';
import { readConfigOrExit } from './read-config.js';

export interface AdoptCommandOptions {
  /** Default: the configured database (CONTRAIL_DATA_DIR). */
  output?: string;
  force: boolean;
  json: boolean;
  progress: boolean;
}

const plural = (n: number, one: string): string => `${n} ${one}${n === 1 ? '' : 's'}`;

/** Summary, notes, what was not carried, rejects by reason; the verification table last. */
export function formatAdoptReport(r: AdoptReport): string {
  const out = [`adopted ${r.source} (ACARS Hub ${describeGeneration(r)}) into ${r.output} in ${r.seconds} s (${r.messagesPerSecond} messages/s)`];
  if (r.replaced.dir !== null) {
    out.push(`replaced: moved ${r.replaced.moved.map((m) => basename(m.from)).join(', ')} to ${r.replaced.dir} (delete it once you no longer need the old data)`);
  }
  if (r.replaced.removed.length > 0) {
    out.push(`removed the DuckDB mirror ${r.replaced.removed.join(', ')}: it held the old database's rows; the engine rebuilds it from the adopted database at its next start`);
  }
  for (const w of r.warnings) out.push(`warning: ${w}`);
  for (const n of r.notes) out.push(`note: ${n}`);
  if (r.notCarried.length > 0) {
    out.push('', 'not carried:');
    for (const n of r.notCarried) out.push(`  ${n.table} (${plural(n.rows, 'row')}): ${n.why}`);
  }
  if (r.rejects.length > 0) {
    out.push('', 'rejected rows (each kept in the rejects table with the legacy row):');
    out.push(formatTable(['source', 'reason', 'rows'], r.rejects.map((x) => [x.source, x.reason, x.rows])).replace(/^/gm, '  '));
  }
  out.push('', 'verification (before = after + rejected + merged):');
  out.push(formatTable(['legacy table', 'contrail table', 'before', 'after', 'rejected', 'merged'], r.tables.map((t) => [t.from, t.to, t.before, t.after, t.rejected, t.merged])));
  return out.join('\n');
}

export async function adoptCommand(file: string, options: AdoptCommandOptions): Promise<void> {
  // The engine's configuration: the default output, and the retention it will apply to what is adopted.
  const config = readConfigOrExit();
  const output = options.output ?? config.dbPath;
  const { saveDays, alertSaveDays } = config.retention;
  const bar = progressBar('adopt', options.progress && !options.json);
  const onProgress = (p: AdoptProgress): void => bar.update(p.total > 0 ? Math.round((p.done / p.total) * 100) : 100, `${p.step} ${p.done}/${p.total}`);
  // Ctrl-C stops the adoption between chunks and removes what it had written; the source is never written anyway.
  const abort = new AbortController();
  const onSigint = (): void => abort.abort();
  process.once('SIGINT', onSigint);
  try {
    const report = await adoptDatabase(file, { output, force: options.force, retention: { saveDays, alertSaveDays }, onProgress, signal: abort.signal });
    bar.stop();
    printJsonOr(options.json, report, () => formatAdoptReport(report));
  } finally {
    bar.stop();
    process.removeListener('SIGINT', onSigint);
  }
}
