/**
 * ACARS Hub's message-rate series (timeseries_stats) into `timeseries`, one row per bucket of
 * `step` seconds. Until b6c7d8e9f0a1 each row names its resolution; from then on every row is a
 * 1-minute bucket keyed by its timestamp. Re-imported RRD files left duplicate buckets behind;
 * they merge here the way ACARS Hub's own cleanup did: the later row (higher id) wins.
 */
import { newTally, type TableTally } from './adopt-report.js';
import { countRows, type AdoptContext } from './adopt-context.js';
import type { LegacyRow } from './convert-message.js';
import { legacyInteger, legacyText } from './legacy-values.js';

export const RESOLUTION_STEP: Readonly<Record<string, number>> = { '1min': 60, '5min': 300, '1hour': 3600, '6hour': 21600 };

const COUNTS = [
  ['acars_count', 'acars'],
  ['vdlm_count', 'vdlm2'],
  ['hfdl_count', 'hfdl'],
  ['imsl_count', 'imsl'],
  ['irdm_count', 'irdm'],
  ['total_count', 'total'],
  ['error_count', 'errors'],
] as const;

export async function carryTimeseries(ctx: AdoptContext): Promise<TableTally[]> {
  if (ctx.shape.timeseries === null) return [];
  const byResolution = ctx.shape.timeseries === 'resolution';
  const tally = newTally('timeseries_stats', 'timeseries');
  const total = countRows(ctx.legacy, 'timeseries_stats');
  // rowid is the id, or the timestamp once that is the key: legacy insertion order either way.
  const page = ctx.legacy.prepare('SELECT rowid AS adopt_rowid, * FROM timeseries_stats WHERE rowid > ? ORDER BY rowid LIMIT ?');
  const exists = ctx.target.prepare('SELECT 1 FROM timeseries WHERE step = ? AND start = ?').pluck();
  const upsert = ctx.target.prepare(
    `INSERT INTO timeseries (step, start, ${COUNTS.map(([, c]) => c).join(', ')}) VALUES (?, ?, ${COUNTS.map(() => '?').join(', ')})
     ON CONFLICT (step, start) DO UPDATE SET ${COUNTS.map(([, c]) => `${c} = excluded.${c}`).join(', ')}`,
  );

  const write = ctx.target.transaction((rows: LegacyRow[]) => {
    for (const { adopt_rowid: _rowid, ...row } of rows) {
      tally.before++;
      const refuse = (reason: string, detail: string): void => {
        ctx.rejects.reject('timeseries_stats', reason, detail, row);
        tally.rejected++;
      };
      const step = byResolution ? RESOLUTION_STEP[legacyText(row.resolution) ?? ''] : 60;
      if (step === undefined) {
        refuse('unknown-resolution', `resolution ${JSON.stringify(row.resolution ?? null)} is none of ${Object.keys(RESOLUTION_STEP).join(', ')}`);
        continue;
      }
      const start = legacyInteger(row.timestamp);
      if (start === null) {
        refuse('invalid-time', `timestamp ${JSON.stringify(row.timestamp ?? null)} is not whole epoch seconds`);
        continue;
      }
      const values = COUNTS.map(([legacy]) => (row[legacy] === null || row[legacy] === undefined ? 0 : legacyInteger(row[legacy])));
      const bad = values.findIndex((v) => v === null);
      if (bad >= 0) {
        const [column] = COUNTS[bad]!;
        refuse('invalid-count', `${column} ${JSON.stringify(row[column])} is not a whole number`);
        continue;
      }
      if (exists.get(step, start) === undefined) tally.after++;
      else tally.merged++;
      upsert.run(step, start, ...(values as number[]));
    }
  });

  ctx.progress('time series', 0, total);
  let last = Number.MIN_SAFE_INTEGER;
  for (;;) {
    const rows = page.all(last, ctx.chunkRows) as LegacyRow[];
    if (rows.length === 0) break;
    write(rows);
    last = rows[rows.length - 1]!.adopt_rowid as number;
    ctx.progress('time series', tally.before, total);
    await ctx.pause();
  }
  return [tally];
}
