/** `contrail redecode --since WHEN`: rebuild stored messages from the journal's raw frames, with progress. */
import cliProgress from 'cli-progress';
import { UsageError } from '../errors.js';
import { redecode } from '../journal/redecode.js';
import { openExisting } from './db-access.js';
import { readConfigOrExit } from './read-config.js';

const UNITS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** `all`, a duration back from now (30m, 6h, 2d), or an ISO-8601 time. */
export function parseSince(text: string, now = Date.now()): number {
  if (text === 'all') return 0;
  const rel = /^(\d+)([smhd])$/.exec(text);
  if (rel) return now - Number(rel[1]) * UNITS[rel[2]!]!;
  const t = Date.parse(text);
  if (Number.isNaN(t)) throw new UsageError(`--since ${JSON.stringify(text)}: expected all, a duration like 30m, 6h or 2d, or an ISO-8601 time`);
  return t;
}

export function redecodeCommand(options: { since: string; json: boolean; progress: boolean }): void {
  const since = parseSince(options.since);
  const config = readConfigOrExit();
  // Rewrites stored messages: with no database there is nothing to rewrite, and none is created.
  const db = openExisting(config);
  const bar = new cliProgress.SingleBar(
    { format: 'redecode |{bar}| {percentage}% | segment {segment}/{segments}', stream: process.stderr, noTTYOutput: true, notTTYSchedule: 2000 },
    cliProgress.Presets.shades_classic,
  );
  const started = performance.now();
  try {
    let begun = false;
    const summary = redecode(db, config.journal.dir, since, { sourceTypes: config.sources.map((s) => s.type), storeNonAcars: config.storeNonAcars }, (p) => {
      if (!options.progress) return;
      if (!begun) bar.start(p.totalBytes || 1, 0, { segment: 0, segments: p.segments });
      begun = true;
      bar.update(p.bytes, { segment: p.segment, segments: p.segments });
    });
    if (begun) bar.stop();
    const seconds = Number(((performance.now() - started) / 1000).toFixed(2));
    process.stdout.write(
      options.json
        ? `${JSON.stringify({ ...summary, seconds })}\n`
        : `redecoded ${summary.batches} batches (${summary.frames} frames) in ${seconds} s: ${summary.updated} messages rewritten, ${summary.notFound} without a stored row (pruned or rejected then)\n`,
    );
  } finally {
    db.close();
  }
}
