/**
 * A real store for the search tests: corpus rows written by the real writer over two days of
 * message time, plus a few crafted rows whose text and identifiers hold what breaks naive search
 * code (FTS5 syntax, quotes, LIKE wildcards, accents, padded identifiers, link frames sharing an
 * ICAO address with ACARS rows). Reads go through a separate read-only connection, as in the
 * reader threads.
 */
import Database from 'better-sqlite3';
import { decodeCorpusRows, packRetimed, type RowTemplates } from '../../bench/reference/support/corpus-rows.js';
import { openTempDatabase, type TempDatabase } from '../../bench/reference/support/temp-database.js';
import { DECODER_TYPES } from '../../src/decode/message.js';
import { COL, type MessageRow } from '../../src/store/message-row.js';
import { DEFAULT_INTEL, MessageWriter } from '../../src/store/message-writer.js';
import type { Db } from '../../src/store/open-database.js';

/** Fixed, so time filters select the same rows on every run. */
export const NOW = 1_772_000_000;
export const SPAN_S = 2 * 86_400;
export const CORPUS_ROWS = 3_000;
const BATCH = 500;
const STATIONS = ['KABQ-A', 'kabq-b', 'KSEA-1', 'ÉTÉ-Ü'];

/** Crafted rows: [column, value] changes applied to a template row of the given kind. */
const SPECIAL: { acars: boolean; set: Partial<Record<keyof typeof COL, string | number | null>> }[] = [
  { acars: true, set: { text: 'He said "ENGINE FAIL" at 10:42; NEAR(KPHX) OR KDFW AND col:val * ^x 100% done_ok', tail: 'N-123', flight: 'SWA7  ', label: 'H1', icao: 'ABC123' } },
  { acars: true, set: { text: 'Été café naïve RÉSUMÉ at 50%_off', tail: 'F-GKXA', flight: 'AFR1', label: ':;' } },
  { acars: true, set: { text: "C++ and C# at O'HARE \\ path 'quoted'", tail: 'N77', flight: 'UAL77', label: '_d', msgno: 'M01A' } },
  { acars: false, set: { text: null, tail: null, flight: 'TEST1   ', icao: 'ABC123', label: null, dsta: 'KPHX' } },
  { acars: false, set: { text: null, tail: null, flight: null, icao: 'ABC123', label: null, depa: 'phx.' } },
];

export interface SearchFixture {
  /** The writer's connection. */
  db: Db;
  /** Read-only, as a reader thread opens it. */
  reader: Db;
  writer: MessageWriter;
  templates: RowTemplates;
  /** Writes `count` more corpus rows timed now-ish; returns their ids. */
  append(count: number, time: number): number[];
  dispose(): void;
}

function craft(t: RowTemplates): RowTemplates {
  const rows: MessageRow[] = [];
  const json: string[] = [];
  for (const s of SPECIAL) {
    const k = t.rows.findIndex((r) => r[COL.is_acars] === (s.acars ? 1 : 0) && (s.acars ? r[COL.type] === 'ACARS' : r[COL.type] === 'VDL-M2'));
    const row = t.rows[k]!.slice();
    for (const [col, v] of Object.entries(s.set)) row[COL[col as keyof typeof COL]] = v ?? null;
    // A crafted row is nobody's copy.
    row[COL.dedup_key] = null;
    rows.push(row);
    json.push(t.json[k]!);
  }
  return { rows, json, frames: rows.length, rejects: 0 };
}

export async function openSearchFixture(): Promise<SearchFixture> {
  const temp: TempDatabase = await openTempDatabase('search');
  try {
    const templates = decodeCorpusRows();
    const writer = new MessageWriter(temp.db, DECODER_TYPES.map((type) => ({ descriptor: `test:${type}`, type })), { ...DEFAULT_INTEL, dedupWindowS: 0 });
    let journal = 0;
    const at = (i: number): number => NOW - SPAN_S + (i * SPAN_S) / CORPUS_ROWS + ((i * 7919) % 1000) / 1000;
    for (let b = 0; b < CORPUS_ROWS / BATCH; b++) {
      writer.writeBatch(
        packRetimed(templates, b * BATCH, BATCH, (k) => ({ msgTime: at(b * BATCH + k), station: STATIONS[(b * BATCH + k) % STATIONS.length]! })),
        (journal += 1000),
      );
    }
    const special = craft(templates);
    writer.writeBatch(packRetimed(special, 0, special.rows.length, (k) => ({ msgTime: NOW - 3600 + k })), (journal += 1000));
    let appended = 0;
    const reader = new Database(temp.path, { readonly: true, fileMustExist: true });
    return {
      db: temp.db,
      reader,
      writer,
      templates,
      append(count, time) {
        const before = temp.db.prepare('SELECT max(id) FROM messages').pluck().get() as number;
        writer.writeBatch(packRetimed(templates, appended, count, (k) => ({ msgTime: time + k / 10 })), (journal += 1000));
        appended += count;
        return temp.db.prepare('SELECT id FROM messages WHERE id > ? ORDER BY id').pluck().all(before) as number[];
      },
      dispose() {
        if (reader.open) reader.close();
        temp.dispose();
      },
    };
  } catch (e) {
    temp.dispose();
    throw e;
  }
}
