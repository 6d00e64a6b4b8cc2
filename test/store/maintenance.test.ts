/**
 * Background maintenance against real SQLite files: pruning by age and by size, FTS merges,
 * WAL checkpoints, incremental vacuum, and the scheduler that runs them in bounded slices.
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { prepareIndexMessages } from '../../src/store/fts-index.js';
import { migrateToLatest } from '../../src/store/migrate.js';
import { openWriterDatabase, type Db } from '../../src/store/open-database.js';
import { autoVacuumMode, databaseSize } from '../../src/store/maintenance/database-size.js';
import { FtsMerger, fullMergeDue, widestLevel } from '../../src/store/maintenance/fts-merge.js';
import { readFtsStructure } from '../../src/store/maintenance/fts-structure.js';
import { fullVacuum } from '../../src/store/maintenance/full-vacuum.js';
import { incrementalVacuum } from '../../src/store/maintenance/incremental-vacuum.js';
import { Maintenance } from '../../src/store/maintenance/maintenance.js';
import type { MaintenanceOptions, SliceResult } from '../../src/store/maintenance/maintenance-options.js';
import { AgePruner, ageCutoffs, countAgePrunable } from '../../src/store/maintenance/prune-by-age.js';
import { checkpointAndTruncate } from '../../src/store/maintenance/wal-checkpoint.js';

const DAY = 86_400;
const NOW_MS = Date.UTC(2026, 10, 1);
const NOW = NOW_MS / 1000;
const WORDS = ['POS', 'WX', 'REQ', 'METAR', 'TAF', 'FUEL', 'GATE', 'ETA', 'DELAY', 'CREW', 'MAINT', 'OOOI', 'CPDLC', 'ATIS', 'CLR'];

interface Spec {
  ageDays: number;
  alert?: boolean;
  acars?: boolean;
  textBytes?: number;
}

function text(i: number, bytes = 0): string {
  let t = `${WORDS[i % WORDS.length]} N${i}Z ${WORDS[(i * 7) % WORDS.length]} FL${300 + (i % 97)} tok${i % 1013}`;
  while (t.length < bytes) t += ` w${(t.length * 31 + i) % 5003}`;
  return t;
}

/** Inserts messages (one transaction) and indexes them, as the writer does; returns their ids. */
function insert(db: Db, specs: Spec[]): number[] {
  const msg = db.prepare(
    `INSERT INTO messages (type, decoder, is_acars, msg_time, received_at, text, tail, flight, icao, label)
     VALUES ('ACARS', 'acarsdec', ?, ?, ?, ?, ?, ?, ?, 'H1')`,
  );
  const match = db.prepare("INSERT INTO alert_matches (message_id, term, field, matched_at) VALUES (?, 'N1', 'text', ?)");
  const index = prepareIndexMessages(db);
  return db.transaction(() => {
    const ids: number[] = [];
    specs.forEach((s) => {
      const t = NOW - s.ageDays * DAY;
      const n = Number(db.prepare('SELECT coalesce(max(id), 0) + 1 FROM messages').pluck().get());
      const id = Number(msg.run(s.acars === false ? 0 : 1, t, Math.round(t * 1000), text(n, s.textBytes), `N${n}Z`, `FL${n}`, `A${n}`).lastInsertRowid);
      if (s.alert) {
        match.run(id, t);
        match.run(id, t); // two matches for one message
      }
      ids.push(id);
    });
    index.run(ids[0]!, ids[ids.length - 1]!);
    return ids;
  })();
}

function count(db: Db, sql: string, ...params: unknown[]): number {
  return Number(db.prepare(sql).pluck().get(...params));
}

function integrityCheck(db: Db): void {
  db.exec("INSERT INTO messages_fts (messages_fts, rank) VALUES ('integrity-check', 1)");
}

describe('maintenance', () => {
  let dir: string;
  let db: Db;
  let opened: Db[];
  const open = async (name = 'contrail.sqlite'): Promise<Db> => {
    const d = openWriterDatabase(join(dir, name));
    opened.push(d);
    await migrateToLatest(d);
    return d;
  };
  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'contrail-maintenance-'));
    opened = [];
    db = await open();
  });
  afterEach(() => {
    for (const d of opened) if (d.open) d.close();
    rmSync(dir, { recursive: true, force: true });
  });

  describe('prune by age', () => {
    it('deletes plain messages past DB_SAVE_DAYS, keeps alert matches until DB_ALERT_SAVE_DAYS, in chunks of at most the limit', () => {
      const specs: Spec[] = [];
      // 600 messages over 20 days, several per msg_time (ties), every 10th alert-matched, some link frames.
      for (let i = 0; i < 600; i++) specs.push({ ageDays: Math.floor(i / 3) / 10, alert: i % 10 === 0, acars: i % 13 !== 0 });
      insert(db, specs);
      db.prepare('INSERT INTO rejects (received_at, source, reason, size, raw) VALUES (?, ?, ?, ?, ?)').run(NOW_MS - 6 * DAY * 1000, 'udp', 'x', 1, Buffer.from('x'));
      db.prepare('INSERT INTO rejects (received_at, source, reason, size, raw) VALUES (?, ?, ?, ?, ?)').run(NOW_MS - 1 * DAY * 1000, 'udp', 'x', 1, Buffer.from('y'));
      const cutoffs = ageCutoffs(NOW_MS, 5, 10);
      const expected = countAgePrunable(db, cutoffs);
      expect(expected.plainMessages).toBeGreaterThan(0);
      expect(expected.alertKept).toBeGreaterThan(0);
      expect(expected.alertMessages).toBeGreaterThan(0);
      const messagesBefore = count(db, 'SELECT count(*) FROM messages');

      const pruner = new AgePruner(db);
      pruner.startPass(cutoffs, NOW_MS);
      let steps = 0;
      let deleted = 0;
      let alertDeleted = 0;
      for (;;) {
        const before = count(db, 'SELECT count(*) FROM messages');
        const s = pruner.step(37);
        steps++;
        expect(s.examined).toBeLessThanOrEqual(37);
        expect(before - count(db, 'SELECT count(*) FROM messages')).toBeLessThanOrEqual(37);
        deleted += s.plainDeleted + s.alertDeleted;
        alertDeleted += s.alertDeleted;
        if (s.done) break;
      }
      expect(steps).toBeGreaterThan(5);
      expect(deleted).toBe(expected.plainMessages + expected.alertMessages);
      expect(alertDeleted).toBe(expected.alertMessages);
      expect(count(db, 'SELECT count(*) FROM messages')).toBe(messagesBefore - deleted);

      const alerted = 'EXISTS (SELECT 1 FROM alert_matches a WHERE a.message_id = m.id)';
      expect(count(db, `SELECT count(*) FROM messages m WHERE m.msg_time < ? AND NOT ${alerted}`, cutoffs.plainBefore)).toBe(0);
      expect(count(db, `SELECT count(*) FROM messages m WHERE m.msg_time < ?`, cutoffs.alertBefore)).toBe(0);
      expect(count(db, `SELECT count(*) FROM messages m WHERE m.msg_time < ? AND ${alerted}`, cutoffs.plainBefore)).toBe(expected.alertKept);
      // Matches of deleted messages went with them; the kept ones' matches stayed (two each).
      expect(count(db, 'SELECT count(*) FROM alert_matches WHERE message_id NOT IN (SELECT id FROM messages)')).toBe(0);
      expect(count(db, 'SELECT count(*) FROM alert_matches')).toBe(2 * count(db, `SELECT count(*) FROM messages m WHERE ${alerted}`));
      expect(count(db, 'SELECT count(*) FROM rejects')).toBe(1);
      // The full-text index is exact: nothing of the deleted rows is left.
      integrityCheck(db);
      expect(count(db, 'SELECT count(*) FROM messages_fts_docsize')).toBe(count(db, 'SELECT count(*) FROM messages WHERE is_acars = 1'));
      // Ids follow the specs: id 600 is the oldest (deleted), id 1 the newest (kept).
      expect(count(db, 'SELECT count(*) FROM messages_fts WHERE messages_fts MATCH ?', 'tail:N600Z')).toBe(0);
      expect(count(db, 'SELECT count(*) FROM messages_fts WHERE messages_fts MATCH ?', 'tail:N2Z')).toBe(1);
    });

    it('keeps alert-matched messages DB_SAVE_DAYS when DB_ALERT_SAVE_DAYS is shorter', () => {
      insert(db, [{ ageDays: 4, alert: true }, { ageDays: 4 }, { ageDays: 6, alert: true }, { ageDays: 1 }]);
      const pruner = new AgePruner(db);
      pruner.startPass(ageCutoffs(NOW_MS, 5, 2), NOW_MS);
      while (!pruner.step(10).done);
      const left = db.prepare('SELECT msg_time FROM messages ORDER BY msg_time').pluck().all() as number[];
      expect(left.map((t) => Math.round((NOW - t) / DAY))).toEqual([4, 4, 1]);
    });
  });

  describe('scheduler', () => {
    const options = (o: Partial<MaintenanceOptions> = {}): MaintenanceOptions => ({ saveDays: 5, alertSaveDays: 10, maxBytes: 0, now: () => NOW_MS, ...o });

    it('prunes by age in slices, each deleting at most its chunk, and counts by reason', () => {
      const specs: Spec[] = [];
      for (let i = 0; i < 3000; i++) specs.push({ ageDays: (i % 300) / 20, alert: i % 50 === 0 });
      insert(db, specs);
      const expected = countAgePrunable(db, ageCutoffs(NOW_MS, 5, 10));
      const m = new Maintenance(db, options());
      const results: SliceResult[] = [];
      for (let k = 0; k < 1000; k++) {
        const before = count(db, 'SELECT count(*) FROM messages');
        const r = m.runSlice(20);
        if (r.job === null) break;
        if (r.job !== 'prune-age') continue;
        results.push(r);
        expect(before - count(db, 'SELECT count(*) FROM messages')).toBeLessThanOrEqual(Number(r.detail?.chunk ?? r.units));
      }
      expect(results.length).toBeGreaterThan(1);
      const c = m.counters;
      expect(c.prunedMessages.age).toBe(expected.plainMessages);
      expect(c.prunedMessages.alertAge).toBe(expected.alertMessages);
      expect(c.deletedAlertMatches).toBe(2 * expected.alertMessages);
      expect(c.slices['prune-age']).toBe(results.length);
      expect(c.maxSliceMs).toBeGreaterThan(0);
      expect(results.some((r) => r.note?.startsWith('pruned by age'))).toBe(true);
      integrityCheck(db);
      // Nothing is due any more at this clock.
      expect(m.runSlice(20).job).toBeNull();
    });

    it('brings the database under the size cap by deleting the oldest messages, alert matches last', () => {
      const specs: Spec[] = [];
      for (let i = 0; i < 6000; i++) specs.push({ ageDays: 1 - i / 7000, alert: i % 100 === 0, textBytes: 1500 });
      insert(db, specs);
      checkpointAndTruncate(db);
      const before = databaseSize(db);
      const cap = Math.floor(before.usedBytes * 0.6);
      const m = new Maintenance(db, options({ maxBytes: cap, saveDays: 30, alertSaveDays: 60 }));
      const sizeSlices: SliceResult[] = [];
      for (let k = 0; k < 5000; k++) {
        const r = m.runSlice(20);
        if (r.job === 'prune-size') sizeSlices.push(r);
        if (r.job === null) break;
      }
      expect(sizeSlices.length).toBeGreaterThan(1);
      expect(sizeSlices.every((r) => r.units <= Number(r.detail?.chunk ?? 0))).toBe(true);
      const after = databaseSize(db);
      expect(after.usedBytes).toBeLessThanOrEqual(cap * 0.95);
      // The WAL counts towards the cap: it was truncated, not paid for with messages.
      expect(after.estimatedBytes).toBeLessThanOrEqual(cap);
      // Not much more went than the cap asks for (about 57% of the messages stay at 0.95 of the
      // cap): the pass let the full-text merge free what its deletes left in the index.
      const left = count(db, 'SELECT count(*) FROM messages');
      expect(left).toBeGreaterThan(6000 * 0.45);
      expect(m.counters.ftsFullMerges).toBeGreaterThan(0);
      // The newest plain messages stayed, the oldest plain ones went; alert matches are all still there.
      expect(count(db, 'SELECT count(*) FROM alert_matches')).toBe(2 * 60);
      const oldestPlainLeft = count(db, 'SELECT min(msg_time) FROM messages m WHERE NOT EXISTS (SELECT 1 FROM alert_matches a WHERE a.message_id = m.id)');
      expect(count(db, 'SELECT count(*) FROM messages WHERE msg_time > ?', oldestPlainLeft)).toBe(left - 1 - count(db, 'SELECT count(*) FROM messages WHERE msg_time < ?', oldestPlainLeft));
      expect(m.counters.prunedMessages.size).toBe(6000 - left);
      integrityCheck(db);
    });

    it('refuses to run inside a transaction', () => {
      const m = new Maintenance(db, options());
      db.exec('BEGIN');
      expect(() => m.runSlice(20)).toThrow(/inside a transaction/);
      db.exec('ROLLBACK');
    });
  });

  describe('full-text merge', () => {
    /** Many small commits: each flushes a new segment, as the writer's batches do. */
    function fragmentedIndex(): void {
      for (let b = 0; b < 120; b++) insert(db, Array.from({ length: 40 }, (_, i) => ({ ageDays: 10 - (b * 40 + i) / 480, textBytes: 300 })));
    }

    it('merges every segment in bounded steps and drops the entries of deleted rows', () => {
      fragmentedIndex();
      const pruner = new AgePruner(db);
      pruner.startPass(ageCutoffs(NOW_MS, 5, 5), NOW_MS);
      let indexedDeleted = 0;
      for (let s = pruner.step(500); ; s = pruner.step(500)) {
        indexedDeleted += s.indexedDeleted;
        if (s.done) break;
      }
      const before = readFtsStructure(db);
      const dataRowsBefore = count(db, 'SELECT count(*) FROM messages_fts_data');
      expect(before.segmentCount).toBeGreaterThan(1);
      expect(before.documents).toBe(count(db, 'SELECT count(*) FROM messages WHERE is_acars = 1'));
      // Delete markers are smaller than the entries they cancel: the segment sizes alone do not
      // show the dead half of the index; the count of deleted rows does.
      const policy = { ratio: 0.5, minPages: 1, deletedShare: 0.2 };
      expect(indexedDeleted).toBeGreaterThan(before.documents * 0.5);
      expect(fullMergeDue(before, policy, 0)).toBe(false);
      expect(fullMergeDue(before, policy, indexedDeleted)).toBe(true);

      const merger = new FtsMerger(db);
      let steps = 0;
      let s = merger.step(4);
      expect(s.started).toBe(true);
      steps++;
      while (s.after.fullMergeInProgress) {
        const remaining = s.after.fullMergeInputLeaves;
        s = merger.step(4);
        expect(s.started).toBe(false);
        if (s.after.fullMergeInProgress) expect(s.after.fullMergeInputLeaves).toBeLessThan(remaining);
        steps++;
      }
      expect(steps).toBeGreaterThan(3);
      const after = readFtsStructure(db);
      expect(after.segmentCount).toBe(1);
      expect(after.leafPages).toBeLessThan(before.leafPages);
      expect(count(db, 'SELECT count(*) FROM messages_fts_data')).toBeLessThan(dataRowsBefore);
      expect(fullMergeDue(after, policy, 0)).toBe(false);
      integrityCheck(db);
      const anyLeft = count(db, 'SELECT max(id) FROM messages');
      expect(count(db, 'SELECT count(*) FROM messages_fts WHERE messages_fts MATCH ?', `tail:N${anyLeft}Z`)).toBe(1);
    });

    it('is run by the scheduler until the merge is done', () => {
      fragmentedIndex();
      const before = readFtsStructure(db);
      const m = new Maintenance(db, { saveDays: 30, alertSaveDays: 30, maxBytes: 0, now: () => NOW_MS, ftsMergeRatio: 0.1, ftsMergeMinPages: 1 });
      const notes: string[] = [];
      for (let k = 0; k < 2000; k++) {
        const r = m.runSlice(20);
        if (r.note) notes.push(r.note);
        if (r.job === null) break;
      }
      expect(m.counters.ftsFullMerges).toBe(1);
      expect(m.counters.ftsMergeSteps).toBeGreaterThan(0);
      expect(readFtsStructure(db).segmentCount).toBeLessThan(before.segmentCount);
      expect(notes.some((n) => n.startsWith('full-text index merged'))).toBe(true);
      integrityCheck(db);
    });

    it('takes merging out of the commits: with a slice after each commit no level nears crisismerge', () => {
      const m = new Maintenance(db, { saveDays: 30, alertSaveDays: 30, maxBytes: 0, now: () => NOW_MS });
      const merger = new FtsMerger(db);
      expect(merger.automerge()).toBe(0);
      let widest = 0;
      for (let b = 0; b < 150; b++) {
        insert(db, Array.from({ length: 20 }, (_, i) => ({ ageDays: 1 - (b * 20 + i) / 10_000, textBytes: 200 })));
        for (let r = m.runSlice(20); r.job !== null && r.more; r = m.runSlice(20));
        widest = Math.max(widest, widestLevel(merger.structure()));
      }
      expect(widest).toBeLessThan(8);
      expect(m.counters.ftsMergeSteps).toBeGreaterThan(10);
      // Without the slices, commits no longer merge: level 0 fills up to crisismerge.
      const fresh = readFtsStructure(db).levels[0]?.segments.length ?? 0;
      for (let b = 0; b < 12; b++) insert(db, [{ ageDays: 0.5, textBytes: 200 }]);
      expect(readFtsStructure(db).levels[0]?.segments.length ?? 0).toBe(fresh + 12);
      integrityCheck(db);
    });
  });

  describe('WAL and vacuum', () => {
    it('checkpoints and truncates the WAL, and reports busy instead of waiting for a reader', () => {
      insert(db, Array.from({ length: 2000 }, (_, i) => ({ ageDays: i / 1000, textBytes: 500 })));
      expect(statSync(`${db.name}-wal`).size).toBeGreaterThan(0);
      const reader = new Database(db.name, { readonly: true });
      opened.push(reader);
      reader.exec('BEGIN');
      reader.prepare('SELECT count(*) FROM messages').get();
      insert(db, [{ ageDays: 0 }]);
      const blocked = checkpointAndTruncate(db);
      expect(blocked.busy).toBe(true);
      reader.exec('COMMIT');
      const done = checkpointAndTruncate(db);
      expect(done.busy).toBe(false);
      expect(done.walBytesAfter).toBe(0);
    });

    it('returns free pages to the file system in steps of at most N pages', () => {
      expect(autoVacuumMode(db)).toBe('incremental');
      insert(db, Array.from({ length: 4000 }, (_, i) => ({ ageDays: i / 100, textBytes: 1000 })));
      db.exec('DELETE FROM messages WHERE id % 4 != 0');
      checkpointAndTruncate(db);
      const fileBefore = statSync(db.name).size;
      const freeBefore = databaseSize(db).freelistPages;
      expect(freeBefore).toBeGreaterThan(500);
      let free = freeBefore;
      while (free > 10) {
        const v = incrementalVacuum(db, 100, 10);
        expect(v.freed).toBeLessThanOrEqual(100);
        expect(v.freed).toBeGreaterThan(0);
        free = v.freelistAfter;
      }
      expect(free).toBe(10);
      checkpointAndTruncate(db);
      expect(statSync(db.name).size).toBeLessThan(fileBefore - (freeBefore - 10) * databaseSize(db).pageSize * 0.9);
      integrityCheck(db);
    });

    it('reports a database with auto_vacuum NONE, and vacuum --full switches it to incremental', async () => {
      // A database from before incremental auto-vacuum: switching a database to NONE takes a VACUUM too.
      const old = await open('old.sqlite');
      old.exec('PRAGMA auto_vacuum = NONE; VACUUM');
      expect(autoVacuumMode(old)).toBe('none');
      insert(old, Array.from({ length: 3000 }, (_, i) => ({ ageDays: i / 100, textBytes: 1000 })));
      old.exec('DELETE FROM messages WHERE id % 2 = 0');
      const free = databaseSize(old).freelistPages;
      expect(free).toBeGreaterThan(100);
      expect(incrementalVacuum(old, 100).freed).toBe(0);

      const m = new Maintenance(old, { saveDays: 30, alertSaveDays: 30, maxBytes: 0, now: () => NOW_MS, vacuumStartPages: 50 });
      expect(m.autoVacuum).toBe('none');
      const notes: string[] = [];
      for (let k = 0; k < 50; k++) {
        const r = m.runSlice(20);
        if (r.note) notes.push(r.note);
        if (r.job === null) break;
      }
      expect(notes.filter((n) => n.includes('auto_vacuum=NONE') && n.includes('contrail db vacuum --full'))).toHaveLength(1);
      expect(m.counters.vacuumedPages).toBe(0);

      const full = fullVacuum(old);
      expect(full.autoVacuumBefore).toBe('none');
      expect(full.autoVacuumAfter).toBe('incremental');
      expect(full.after.freelistPages).toBe(0);
      expect(full.after.fileBytes).toBeLessThan(full.before.fileBytes);
      integrityCheck(old);
    });
  });
});
