/**
 * Feeding the DuckDB hot mirror: the Appender taking normalized corpus rows (a representative
 * subset of the message columns) into a table in a DuckDB file, one flush per batch of 512 as
 * the analytics worker would do per committed batch. For contrast, a prepared INSERT, one row per
 * statement, in autocommit and inside one transaction, bounded to a few hundred rows each because
 * it is far slower.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance, type DuckDBAppender, type DuckDBConnection, type DuckDBPreparedStatement } from '@duckdb/node-api';
import { decodeDecodedBatch } from '../../src/decode/decoded-batch.js';
import { COL, type MessageRow } from '../../src/store/message-row.js';
import { entry, finish, newBench, quick } from './micro-bench.js';
import { decodedRowBatches } from './inputs.js';

const ROWS = 512;
const COLUMNS = ['type', 'msg_time', 'station_id', 'freq', 'level', 'error', 'icao', 'tail', 'flight', 'label', 'text'] as const;
type Kind = 'text' | 'double' | 'int';
const KIND: Record<(typeof COLUMNS)[number], Kind> = {
  type: 'text',
  msg_time: 'double',
  station_id: 'text',
  freq: 'double',
  level: 'double',
  error: 'int',
  icao: 'text',
  tail: 'text',
  flight: 'text',
  label: 'text',
  text: 'text',
};
const SQL_TYPE: Record<Kind, string> = { text: 'VARCHAR', double: 'DOUBLE', int: 'INTEGER' };
const INDEXES = COLUMNS.map((c) => COL[c]);
const KINDS = COLUMNS.map((c) => KIND[c]);

function appendRow(a: DuckDBAppender, row: MessageRow): void {
  for (let i = 0; i < INDEXES.length; i++) {
    const v = row[INDEXES[i]!];
    if (v === null || v === undefined) a.appendNull();
    else if (KINDS[i] === 'text') a.appendVarchar(String(v));
    else if (KINDS[i] === 'double') a.appendDouble(Number(v));
    else a.appendInteger(Number(v));
  }
  a.endRow();
}

function bindRow(s: DuckDBPreparedStatement, row: MessageRow): void {
  for (let i = 0; i < INDEXES.length; i++) {
    const v = row[INDEXES[i]!];
    const p = i + 1; // parameters are 1-based
    if (v === null || v === undefined) s.bindNull(p);
    else if (KINDS[i] === 'text') s.bindVarchar(p, String(v));
    else if (KINDS[i] === 'double') s.bindDouble(p, Number(v));
    else s.bindInteger(p, Number(v));
  }
}

const dir = mkdtempSync(join(tmpdir(), 'contrail-bench-duckdb-'));
let instance: DuckDBInstance | null = null;
let connection: DuckDBConnection | null = null;
let appender: DuckDBAppender | null = null;
try {
  instance = await DuckDBInstance.create(join(dir, 'mirror.duckdb'));
  connection = await instance.connect();
  const columns = COLUMNS.map((c) => `${c} ${SQL_TYPE[KIND[c]]}`).join(', ');
  await connection.run(`CREATE TABLE appended (${columns})`);
  await connection.run(`CREATE TABLE inserted (${columns})`);
  const batches = decodedRowBatches(ROWS, 4).map((b) => decodeDecodedBatch(b).rows);
  const app = (appender = await connection.createAppender('appended'));
  const insert = await connection.prepare(`INSERT INTO inserted VALUES (${COLUMNS.map((_, i) => `$${i + 1}`).join(', ')})`);

  const bench = newBench();
  let k = 0;
  bench.add(`Appender, ${ROWS} rows + flush`, () => {
    for (const row of batches[k++ % batches.length]!) appendRow(app, row);
    app.flushSync();
  });
  await bench.run();

  // At 1-3k rows/s a few hundred rows take a fraction of a second: a minimum count, a tiny time budget.
  const slow = newBench({ time: 10, iterations: quick ? 100 : 300, warmupTime: 10 });
  let r = 0;
  const insertOne = async (): Promise<void> => {
    const batch = batches[Math.floor(r / ROWS) % batches.length]!;
    bindRow(insert, batch[r++ % ROWS]!);
    await insert.run();
  };
  slow.add('prepared INSERT, 1 row (autocommit)', insertOne);
  // The same inserts inside one transaction per phase: separates the per-commit cost from the per-statement cost.
  slow.add('prepared INSERT, 1 row (one transaction)', insertOne, {
    beforeAll: async () => {
      await connection!.run('BEGIN TRANSACTION');
    },
    afterAll: async () => {
      await connection!.run('COMMIT');
    },
  });
  await slow.run();

  const count = async (table: string): Promise<number> => Number((await connection!.runAndReadAll(`SELECT count(*) FROM ${table}`)).getRows()[0]![0]);
  const appendEntry = entry(bench.tasks[0]!, 'row', ROWS, `Appender, ${ROWS} rows + flush`);
  const insertEntry = entry(slow.tasks[0]!, 'row', 1);
  const insertTxEntry = entry(slow.tasks[1]!, 'row', 1);
  finish({
    suite: 'duckdb',
    tasks: [appendEntry, entry(bench.tasks[0]!, `batch of ${ROWS}`, 1, `Appender, ${ROWS} rows + flush (batches)`), insertEntry, insertTxEntry],
    notes: {
      columns: COLUMNS.join(', '),
      'rows appended': await count('appended'),
      'rows inserted': await count('inserted'),
      'Appender / prepared INSERT (autocommit)': Number((appendEntry.opsPerSec / insertEntry.opsPerSec).toFixed(1)),
      'Appender / prepared INSERT (one transaction)': Number((appendEntry.opsPerSec / insertTxEntry.opsPerSec).toFixed(1)),
    },
  });
} finally {
  appender?.closeSync();
  connection?.closeSync();
  instance?.closeSync();
  rmSync(dir, { recursive: true, force: true });
}
