/** `contrail db adopt FILE`: turn an ACARS Hub database into a Contrail database, with progress and a verification table. */
import cliProgress from 'cli-progress';
import { adoptDatabase, type AdoptProgress } from '../adopt/adopt-database.js';
import { formatAdoptReport } from '../adopt/adopt-report.js';
import { readConfigOrExit } from './read-config.js';

export interface AdoptCommandOptions {
  /** Default: the configured database (CONTRAIL_DATA_DIR). */
  output?: string;
  force: boolean;
  json: boolean;
  progress: boolean;
}

export async function adoptCommand(file: string, options: AdoptCommandOptions): Promise<void> {
  const output = options.output ?? readConfigOrExit().dbPath;
  const bar = new cliProgress.SingleBar(
    { format: 'adopt {step} |{bar}| {percentage}% | {value}/{total}', stream: process.stderr, noTTYOutput: true, notTTYSchedule: 2000 },
    cliProgress.Presets.shades_classic,
  );
  let step: string | null = null;
  const onProgress = (p: AdoptProgress): void => {
    if (!options.progress) return;
    const total = Math.max(p.total, 1);
    if (step === null) bar.start(total, p.done, { step: p.step });
    else if (step !== p.step) bar.setTotal(total);
    step = p.step;
    bar.update(p.done, { step: p.step });
  };
  // Ctrl-C stops the adoption between chunks and removes what it had written; the source is untouched anyway.
  const abort = new AbortController();
  const onSigint = (): void => abort.abort();
  process.once('SIGINT', onSigint);
  try {
    const report = await adoptDatabase(file, { output, force: options.force, onProgress, signal: abort.signal });
    if (step !== null) bar.stop();
    process.stdout.write(options.json ? `${JSON.stringify(report)}\n` : formatAdoptReport(report));
  } catch (e) {
    if (step !== null) bar.stop();
    throw e;
  } finally {
    process.removeListener('SIGINT', onSigint);
  }
}
