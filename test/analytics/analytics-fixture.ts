/**
 * A real store for the analytics tests: the corpus written by the real writer over three days of
 * message time, alert matches beside it, a read-only SQLite connection, and a DuckDB mirror file
 * fed by the real MirrorFeed.
 */
import { dirname, join } from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import Database from 'better-sqlite3';
import { decodeCorpusRows, packRetimed, type Retime } from '../../bench/reference/support/corpus-rows.js';
import { openTempDatabase, type TempDatabase } from '../../bench/reference/support/temp-database.js';
import { DuckdbAnalytics } from '../../src/analytics/duckdb-analytics.js';
import { MirrorFeed } from '../../src/analytics/mirror-feed.js';
import { SqliteAnalytics } from '../../src/analytics/sqlite-analytics.js';
import { DECODER_TYPES } from '../../src/decode/message.js';
import { DEFAULT_INTEL, MessageWriter } from '../../src/store/message-writer.js';
import type { Db } from '../../src/store/open-database.js';

/** Fixed, so that every bucket boundary the tests meet is the same on every run. */
export const NOW = 1_772_000_000;
const SPAN_S = 3 * 86_400;
export const ROWS = 6_000;
const BATCH = 500;
const STATIONS = ['KABQ-A', 'KABQ-B', 'KSEA-1', 'ÉTÉ-Ü'];

/**
 * Spread over the span with fractional seconds; mixed in: times exactly on a minute and on an
 * hour, a hair under a minute, and repeats of the previous time (a tie the timeline orders by id).
 */
export function retime(i: number): Retime {
  const t = NOW - SPAN_S + i * (SPAN_S / ROWS) + ((i * 7919) % 1000) / 1000;
  let msgTime = t;
  if (i % 89 === 0) msgTime = Math.floor(t / 3600) * 3600;
  else if (i % 97 === 0) msgTime = Math.floor(t / 60) * 60;
  else if (i % 71 === 0) msgTime = Math.floor(t / 60) * 60 - 1e-6;
  else if (i % 53 === 0) msgTime = retime(i - 1).msgTime;
  const h = (i * 2654435761) % 4294967291;
  return h % 3 === 0 ? { msgTime } : { msgTime, station: STATIONS[h % STATIONS.length]! };
}

export interface AnalyticsFixture {
  /** The writer's connection (for independent checks). */
  db: Db;
  path: string;
  reader: Db;
  duck: DuckDBConnection;
  sqlite: SqliteAnalytics;
  mirror: DuckdbAnalytics;
  mirrored: number;
  /** A second, independent mirror of the same store (in memory). */
  openMirror(): Promise<{ conn: DuckDBConnection; close(): void }>;
  dispose(): void;
}

function writeStore(db: Db): void {
  const templates = decodeCorpusRows();
  const writer = new MessageWriter(db, DECODER_TYPES.map((type) => ({ descriptor: `test:${type}`, type })), { ...DEFAULT_INTEL, dedupWindowS: 0 });
  for (let b = 0; b < ROWS / BATCH; b++) writer.writeBatch(packRetimed(templates, b * BATCH, BATCH, (k) => retime(b * BATCH + k)), (b + 1) * 1_000);
  // Matches come from decode workers; here straight into the table, matched_at = the message's time.
  db.exec(`INSERT INTO alert_matches (message_id, term, field, matched_at)
    SELECT id, 'N8560Z', 'tail', msg_time FROM messages WHERE tail LIKE '%N8560Z%' ORDER BY id`);
  db.exec(`INSERT INTO alert_matches (message_id, term, field, matched_at)
    SELECT id, 'ÄLERT', 'text', msg_time FROM messages WHERE id % 41 = 0 ORDER BY id`);
  db.exec(`INSERT INTO alert_matches (message_id, term, field, matched_at)
    SELECT id, 'EMERG', 'text', msg_time FROM messages WHERE id % 97 = 0 ORDER BY id`);
}

async function mirrorInto(reader: Db, conn: DuckDBConnection): Promise<number> {
  const feed = await MirrorFeed.open(reader, conn, { windowDays: 7, chunkRows: 2048 });
  return feed.pull(NOW);
}

export async function openAnalyticsFixture(): Promise<AnalyticsFixture> {
  const temp: TempDatabase = await openTempDatabase('analytics');
  const closers: (() => void)[] = [];
  try {
    writeStore(temp.db);
    const reader = new Database(temp.path, { readonly: true, fileMustExist: true });
    closers.push(() => reader.close());
    const instance = await DuckDBInstance.create(join(dirname(temp.path), 'mirror.duckdb'));
    closers.push(() => instance.closeSync());
    const duck = await instance.connect();
    closers.push(() => duck.closeSync());
    const mirrored = await mirrorInto(reader, duck);
    const dispose = (): void => {
      for (const close of closers.reverse()) close();
      temp.dispose();
    };
    return {
      db: temp.db,
      path: temp.path,
      reader,
      duck,
      sqlite: new SqliteAnalytics(reader),
      mirror: new DuckdbAnalytics(duck),
      mirrored,
      async openMirror() {
        const inst = await DuckDBInstance.create(':memory:');
        const conn = await inst.connect();
        await mirrorInto(reader, conn);
        return {
          conn,
          close() {
            conn.closeSync();
            inst.closeSync();
          },
        };
      },
      dispose,
    };
  } catch (e) {
    for (const close of closers.reverse()) close();
    temp.dispose();
    throw e;
  }
}
