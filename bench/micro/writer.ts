/**
 * The writer thread's batch insert: MessageWriter.writeBatch on decode results of 512 corpus rows
 * into a real SQLite file (WAL, the writer's PRAGMAs, the real migrations), once with the FTS5
 * index and once in a second database where messages_fts is a view whose INSTEAD OF trigger
 * does nothing: the writer's per-batch index statement still reads the batch, nothing is indexed.
 * Each op commits one batch; the database grows during the run (tens of thousands of rows),
 * so later batches insert into a larger table: that is the writer's real situation.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MessageWriter } from '../../src/store/message-writer.js';
import { migrateToLatest } from '../../src/store/migrate.js';
import { openWriterDatabase, type Db } from '../../src/store/open-database.js';
import { entry, finish, newBench } from './micro-bench.js';
import { decodedRowBatches } from './inputs.js';

const ROWS = 512;
const FTS_TRIGGERS = ['messages_fts_delete', 'messages_fts_update'];

/** Replaces the FTS5 table by a view that accepts the writer's index statement and stores nothing. */
function removeFullText(db: Db): void {
  for (const t of FTS_TRIGGERS) db.exec(`DROP TRIGGER ${t}`);
  db.exec('DROP TABLE messages_fts');
  db.exec("CREATE VIEW messages_fts AS SELECT 0 AS rowid, '' AS text, '' AS tail, '' AS flight, '' AS icao, '' AS label");
  db.exec('CREATE TRIGGER messages_fts_discard INSTEAD OF INSERT ON messages_fts BEGIN SELECT 1; END');
}

const dir = mkdtempSync(join(tmpdir(), 'contrail-bench-writer-'));
const dbs: Db[] = [];
try {
  async function open(name: string, fts: boolean): Promise<Db> {
    const db = openWriterDatabase(join(dir, name));
    dbs.push(db);
    await migrateToLatest(db);
    if (!fts) removeFullText(db);
    return db;
  }
  const withFts = await open('fts.sqlite', true);
  const withoutFts = await open('no-fts.sqlite', false);
  const sources = [{ descriptor: 'bench', type: null }];
  // Distinct batches in rotation, so consecutive commits do not carry identical rows.
  const batches = decodedRowBatches(ROWS, 4);

  const bench = newBench();
  const add = (name: string, db: Db): void => {
    const writer = new MessageWriter(db, sources);
    let k = 0;
    // Increasing journal positions, as the engine passes them.
    bench.add(name, () => writer.writeBatch(batches[k % batches.length]!, ++k * 300_000));
  };
  add(`writeBatch ${ROWS} rows, with FTS5`, withFts);
  add(`writeBatch ${ROWS} rows, no FTS`, withoutFts);
  await bench.run();

  const count = (db: Db): number => (db.prepare('SELECT count(*) AS n FROM messages').get() as { n: number }).n;
  const acarsShare = (db: Db): number =>
    (db.prepare('SELECT avg(is_acars) AS s FROM messages').get() as { s: number }).s;
  const [fts, plain] = bench.tasks;
  finish({
    suite: 'writer',
    tasks: [
      entry(fts!, 'row', ROWS, `writeBatch ${ROWS} rows, with FTS5`),
      entry(plain!, 'row', ROWS, `writeBatch ${ROWS} rows, no FTS`),
      entry(fts!, `batch of ${ROWS}`, 1, `writeBatch ${ROWS} rows, with FTS5 (batches)`),
      entry(plain!, `batch of ${ROWS}`, 1, `writeBatch ${ROWS} rows, no FTS (batches)`),
    ],
    notes: {
      growth: 'both databases grow during the run: later batches insert into larger tables and FTS index',
      'rows in the FTS database at the end': count(withFts),
      'rows in the no-FTS database at the end': count(withoutFts),
      // Only is_acars = 1 rows are indexed; the rest cost the table insert alone.
      'share of rows indexed (is_acars = 1, %)': Number((100 * acarsShare(withFts)).toFixed(1)),
    },
  });
} finally {
  for (const db of dbs) db.close();
  rmSync(dir, { recursive: true, force: true });
}
