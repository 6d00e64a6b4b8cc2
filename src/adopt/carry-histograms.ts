/**
 * Signal-level and frequency histograms. ACARS Hub keyed them by text, so one level or frequency
 * can have several rows ("129.0", "1290000"); after conversion to numbers they merge, their counts
 * summed. The single Python-era `level` table cannot be split by decoder: it goes to level_unsplit.
 */
import type { DecoderType } from '../decode/message.js';
import { TABLE_SUFFIX } from '../store/decoder-tables.js';
import { newTally, type TableTally } from './adopt-report.js';
import { quoteIdent, type AdoptContext } from './adopt-context.js';
import type { LegacyRow } from './convert-message.js';
import { legacyFrequency, legacyInteger, legacyNumber, legacyType } from './legacy-values.js';

type Bucket = { to: string; key: number } | { reason: string; detail: string };

function histogram(ctx: AdoptContext, from: string, to: string, column: 'level' | 'freq', bucket: (row: LegacyRow) => Bucket): TableTally {
  const tally = newTally(from, to);
  const sums = new Map<string, Map<number, number>>();
  for (const row of ctx.legacy.prepare(`SELECT * FROM ${quoteIdent(from)}`).all() as LegacyRow[]) {
    tally.before++;
    const count = legacyInteger(row.count);
    const b: Bucket = count === null ? { reason: 'invalid-count', detail: `count ${JSON.stringify(row.count ?? null)} is not a whole number` } : bucket(row);
    if ('reason' in b) {
      ctx.rejects.reject(from, b.reason, b.detail, row);
      tally.rejected++;
      continue;
    }
    let table = sums.get(b.to);
    if (!table) sums.set(b.to, (table = new Map()));
    const seen = table.get(b.key);
    if (seen === undefined) tally.after++;
    else tally.merged++;
    table.set(b.key, (seen ?? 0) + count!);
  }
  ctx.target.transaction(() => {
    for (const [target, table] of sums) {
      const insert = ctx.target.prepare(`INSERT INTO ${quoteIdent(target)} (${column}, count) VALUES (?, ?)`);
      for (const [key, count] of table) insert.run(key, count);
    }
  })();
  return tally;
}

const levelOf =
  (to: string) =>
  (row: LegacyRow): Bucket => {
    const key = legacyNumber(row.level);
    return key === null ? { reason: 'invalid-level', detail: `level ${JSON.stringify(row.level ?? null)} is not a number` } : { to, key };
  };

const freqOf =
  (type: DecoderType) =>
  (row: LegacyRow): Bucket => {
    const f = legacyFrequency(row.freq, type);
    return f === null
      ? { reason: 'invalid-freq', detail: `frequency ${JSON.stringify(row.freq ?? null)} is not a ${type} frequency in MHz` }
      : { to: `freqs_${TABLE_SUFFIX[type]}`, key: f.mhz };
  };

export function carryLevels(ctx: AdoptContext): TableTally[] {
  const levels = ctx.shape.levels;
  if (levels === null) return [];
  ctx.progress('levels', 0, 1);
  const tallies =
    'split' in levels
      ? levels.split.map(({ table, type }) => histogram(ctx, table, `level_${TABLE_SUFFIX[type]}`, 'level', levelOf(`level_${TABLE_SUFFIX[type]}`)))
      : [histogram(ctx, levels.unsplit, 'level_unsplit', 'level', levelOf('level_unsplit'))];
  ctx.progress('levels', 1, 1);
  return tallies;
}

export function carryFreqs(ctx: AdoptContext): TableTally[] {
  const freqs = ctx.shape.freqs;
  if (freqs === null) return [];
  ctx.progress('frequencies', 0, 1);
  const tallies =
    'split' in freqs
      ? freqs.split.map(({ table, type }) => histogram(ctx, table, `freqs_${TABLE_SUFFIX[type]}`, 'freq', freqOf(type)))
      : [
          // The Python era's one table says the decoder in freq_type.
          histogram(ctx, freqs.typed, 'freqs_*', 'freq', (row) => {
            const type = legacyType(row.freq_type);
            return type === null ? { reason: 'unknown-type', detail: `freq_type ${JSON.stringify(row.freq_type ?? null)} is none of ACARS, VDL-M2, HFDL, IMS-L, IRDM` } : freqOf(type)(row);
          }),
        ];
  ctx.progress('frequencies', 1, 1);
  return tallies;
}
