/**
 * Odd values in the seed's numeric message columns ('', words, numbers too large, NULL) never stop
 * an adoption: each row is carried with the value read, or NULL and its stored text in
 * extra.acarshub and a note, or rejected with a reason. A row SQLite refuses anyway is rejected
 * with SQLite's reason and its id. Adopted terms are dated in seconds, as native ones are.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { adoptDatabase } from '../../src/adopt/adopt-database.js';
import type { AdoptContext } from '../../src/adopt/adopt-context.js';
import type { AdoptReport } from '../../src/adopt/adopt-report.js';
import { carryMessages, prepareInsertMessage } from '../../src/adopt/carry-messages.js';
import { convertMessage } from '../../src/adopt/convert-message.js';
import { detectGeneration } from '../../src/adopt/detect-generation.js';
import { RejectSink } from '../../src/adopt/reject-sink.js';
import { listTerms } from '../../src/alerts/term-store.js';
import { migrateToLatest } from '../../src/store/migrate.js';
import { openWriterDatabase } from '../../src/store/open-database.js';
import { applyMigrations } from '../../src/store/schema/migration-runner.js';
import { seedCopy, type Row } from '../helpers/legacy-db.js';

type Cell = string | null;

/**
 * ACARS Hub declares every message column NOT NULL; a fork, a DB_BACKUP target or a hand edit
 * need not. The constraint is taken out of the copy's schema text so NULL can be stored.
 */
function allowNulls(path: string): void {
  const db = new Database(path);
  db.unsafeMode(true);
  db.pragma('writable_schema = ON');
  db.prepare("UPDATE sqlite_schema SET sql = replace(sql, ' NOT NULL', '') WHERE type = 'table' AND name = 'messages'").run();
  db.pragma('writable_schema = OFF');
  db.close();
}

/** Seed message ids no alert match points at, so a rejected one changes only the messages table. */
function unmatchedIds(path: string, n: number): number[] {
  const db = new Database(path, { readonly: true });
  const ids = db.prepare('SELECT id FROM messages WHERE uid NOT IN (SELECT message_uid FROM alert_matches) ORDER BY id LIMIT ?').pluck().all(n) as number[];
  db.close();
  return ids;
}

interface Case {
  column: string;
  value: Cell;
  id: number;
}

/** Writes each case's value into its own seed row (each seed row is alone in its minute and type). */
function plant(path: string, cases: Omit<Case, 'id'>[]): Case[] {
  const ids = unmatchedIds(path, cases.length);
  const planted = cases.map((c, i) => ({ ...c, id: ids[i]! }));
  const db = new Database(path);
  for (const c of planted) db.prepare(`UPDATE messages SET ${c.column} = ? WHERE id = ?`).run(c.value, c.id);
  db.close();
  return planted;
}

const count = (db: Database.Database, sql: string, ...params: unknown[]): number => db.prepare(sql).pluck().get(...params) as number;
const extraOf = (m: Row): Record<string, unknown> => (m.extra === null ? {} : (JSON.parse(m.extra as string) as { acarshub: Record<string, unknown> }).acarshub);

/** Every message counted once per minute and type, errors as the writer counts them. */
function expectMinuteCounts(db: Database.Database): void {
  expect(count(db, 'SELECT sum(messages) FROM counts_minute')).toBe(count(db, 'SELECT count(*) FROM messages'));
  expect(count(db, 'SELECT sum(errors) FROM counts_minute')).toBe(count(db, 'SELECT count(*) FROM messages WHERE error > 0'));
}

const HUGE = '1e30';
const ENORMOUS = `1${'0'.repeat(400)}`; // Infinity as a JavaScript number

describe('adopting a seed with odd values in every numeric message column', () => {
  // What each column becomes: null when the value was nothing (no note), 'noted' when it did not
  // parse (NULL, stored text in extra.acarshub), a number when it was read, 'rejected' for the row.
  const expected: Record<string, Record<string, 'noted' | 'rejected' | number | null>> = {
    msg_time: { '': 'rejected', many: 'rejected', [HUGE]: 'rejected', [ENORMOUS]: 'rejected', null: 'rejected' },
    freq: { '': null, many: 'noted', [HUGE]: 'noted', [`${ENORMOUS}.5`]: 'noted', null: null },
    level: { '': null, many: 'noted', [HUGE]: 1e30, [ENORMOUS]: 'noted', null: null },
    // ACARS Hub counted an empty error as no error: 0.
    error: { '': 0, '  ': 0, null: 0 },
    lat: { '': null, many: 'noted', [HUGE]: 1e30, [ENORMOUS]: 'noted', null: null },
    lon: { '': null, many: 'noted', [HUGE]: 1e30, [ENORMOUS]: 'noted', null: null },
    alt: { '': null, many: 'noted', [HUGE]: 1e30, [ENORMOUS]: 'noted', null: null },
    icao: { '': null, many: 'noted', '99999999999': 'noted', null: null },
  };
  const wanted = Object.entries(expected).flatMap(([column, values]) => Object.keys(values).map((v) => ({ column, value: v === 'null' ? null : v })));

  let dir: string;
  let cases: Case[];
  let report: AdoptReport;
  let adopted: Database.Database;
  let startedS: number;

  beforeAll(async () => {
    const seed = seedCopy();
    dir = seed.dir;
    allowNulls(seed.path);
    cases = plant(seed.path, wanted);
    const legacy = new Database(seed.path);
    legacy.prepare("INSERT INTO ignore_alert_terms (term) VALUES ('TEST')").run();
    legacy.close();
    startedS = Math.floor(Date.now() / 1000);
    report = await adoptDatabase(seed.path, { output: join(dir, 'contrail.sqlite'), chunkRows: 100 });
    adopted = new Database(join(dir, 'contrail.sqlite'), { readonly: true });
  });

  afterAll(() => {
    adopted?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('completes, every legacy message carried or rejected', () => {
    const messages = report.tables.find((t) => t.from === 'messages')!;
    const rejected = Object.values(expected.msg_time!).length;
    expect(messages.rejected).toBe(rejected);
    expect(messages.after).toBe(messages.before - rejected);
    expect(count(adopted, 'SELECT count(*) FROM messages')).toBe(messages.after);
    expect(report.rejects).toEqual([{ source: 'adopt:messages', reason: 'invalid-time', rows: rejected }]);
    expectMinuteCounts(adopted);
  });

  it('rejects a message whose time is no time, with the reason, the row kept in rejects', () => {
    const rejects = adopted.prepare("SELECT reason, detail, raw FROM rejects WHERE source = 'adopt:messages'").all() as Row[];
    for (const c of cases.filter((x) => x.column === 'msg_time')) {
      const r = rejects.find((x) => (JSON.parse(String(x.raw)) as Row).id === c.id);
      expect(r, `msg_time ${String(c.value)}`).toBeDefined();
      expect(r!.reason).toBe('invalid-time');
      expect(r!.detail).toMatch(/^msg_time .+ is not a time in epoch seconds$/);
    }
  });

  it('converts, notes or clears every other odd value', () => {
    for (const c of cases.filter((x) => x.column !== 'msg_time')) {
      const want = expected[c.column]![c.value ?? 'null'];
      const where = `${c.column} = ${JSON.stringify(c.value)} (message ${c.id})`;
      const m = adopted.prepare('SELECT * FROM messages WHERE id = ?').get(c.id) as Row | undefined;
      expect(m, where).toBeDefined();
      const extra = extraOf(m!);
      if (want === 'noted') {
        expect(m![c.column], where).toBeNull();
        expect(extra[c.column], where).toBe(c.value);
      } else {
        expect(m![c.column], where).toBe(want);
        expect(extra, where).not.toHaveProperty(c.column);
      }
    }
  });

  it('notes per field how many values did not parse, as many as extra.acarshub holds', () => {
    for (const column of Object.keys(expected).filter((c) => c !== 'msg_time')) {
      const noted = count(adopted, `SELECT count(*) FROM messages WHERE json_extract(extra, '$.acarshub.${column}') IS NOT NULL`);
      const note = report.notes.find((n) => /had an? \S+ that is no valid value/.test(n) && n.includes(` ${column} that is no valid value`));
      if (noted === 0) expect(note, column).toBeUndefined();
      else expect(note, column).toMatch(new RegExp(`^${noted} messages? had an? ${column} `));
    }
  });

  it('dates adopted alert and ignore terms in epoch seconds, as terms added later are', () => {
    const { terms, ignore } = listTerms(adopted);
    expect(terms.length).toBeGreaterThan(0);
    expect(ignore.map((t) => t.term)).toEqual(['TEST']);
    for (const t of [...terms, ...ignore]) {
      expect(t.createdAt, t.term).toBe(Math.floor(report.startedAt / 1000));
      expect(t.createdAt, t.term).toBeGreaterThanOrEqual(startedS);
      expect(t.createdAt, t.term).toBeLessThanOrEqual(Math.ceil(Date.now() / 1000));
    }
  });
});

describe('an error count that does not parse', () => {
  let dir: string;

  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('is noted and kept in extra.acarshub, and the adoption completes', async () => {
    const seed = seedCopy();
    dir = seed.dir;
    // Each in a minute of its own: nothing else in that minute has an error count.
    const cases = plant(seed.path, ['many', HUGE, '-1', '2.5', '3000000000'].map((value) => ({ column: 'error', value })));
    const report = await adoptDatabase(seed.path, { output: join(dir, 'contrail.sqlite') });
    const adopted = new Database(join(dir, 'contrail.sqlite'), { readonly: true });
    try {
      for (const c of cases) {
        const m = adopted.prepare('SELECT error, extra FROM messages WHERE id = ?').get(c.id) as Row;
        expect(m.error, c.value!).toBeNull();
        expect(extraOf(m).error, c.value!).toBe(c.value);
      }
      expect(report.rejects).toEqual([]);
      expect(report.notes).toContain(`${cases.length} messages had an error that is no valid value: NULL in the column, the stored text in extra.acarshub.error`);
      expectMinuteCounts(adopted);
    } finally {
      adopted.close();
    }
  });
});

describe('a message SQLite refuses although it converted', () => {
  let dir: string;
  let legacy: Database.Database;
  let target: Database.Database;

  afterEach(() => {
    legacy?.close();
    target?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function context(): Promise<AdoptContext> {
    const seed = seedCopy();
    dir = seed.dir;
    legacy = new Database(seed.path);
    target = openWriterDatabase(join(dir, 'contrail.sqlite'));
    await migrateToLatest(target);
    const now = Date.now();
    return {
      legacy,
      target,
      shape: detectGeneration(legacy, seed.path),
      rejects: new RejectSink(target, now),
      now,
      chunkRows: 100,
      progress: () => {},
      pause: async () => {},
    };
  }

  it('is rejected with SQLite\'s reason and its id; the rows around it in its chunk are written', async () => {
    const ctx = await context();
    // Stands in for a constraint no conversion foresaw.
    target.exec("CREATE TRIGGER refuse_seven BEFORE INSERT ON messages WHEN new.id = 7 BEGIN SELECT RAISE(ABORT, 'refused by the test'); END");
    const carried = await carryMessages(ctx);
    const total = count(legacy, 'SELECT count(*) FROM messages');
    expect(carried.tally).toMatchObject({ before: total, after: total - 1, rejected: 1 });
    expect([...carried.rejectedIds]).toEqual([7]);
    expect(count(target, 'SELECT count(*) FROM messages WHERE id IN (6, 7, 8)')).toBe(2);
    const reject = target.prepare('SELECT source, reason, detail, type_hint, raw FROM rejects').all() as Row[];
    expect(reject).toHaveLength(1);
    expect(reject[0]).toMatchObject({ source: 'adopt:messages', reason: 'write-refused', type_hint: 'ACARS' });
    expect(reject[0]!.detail).toBe('SQLite refused message 7: refused by the test');
    expect((JSON.parse(String(reject[0]!.raw)) as Row).id).toBe(7);
  });

  it('names the message when a write fails, for every caller', async () => {
    const ctx = await context();
    const row = legacy.prepare('SELECT * FROM messages WHERE id = 7').get() as Row;
    const converted = convertMessage(row, { icaoDecimal: ctx.shape.icaoDecimal, extraColumns: [] });
    if (!converted.ok) throw new Error(converted.detail);
    const insert = prepareInsertMessage(target);
    insert(converted.message);
    expect(() => insert(converted.message)).toThrow(/^message 7 could not be written: UNIQUE constraint failed: messages\.id$/);
  });
});

describe('migration 0010_term_created_at_seconds', () => {
  let dir: string;
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('turns the millisecond dates of terms adopted before into seconds, and leaves seconds alone', async () => {
    dir = mkdtempSync(join(tmpdir(), 'contrail-migrate-0010-'));
    const db = openWriterDatabase(join(dir, 'contrail.sqlite'));
    try {
      await applyMigrations(db, { to: '0009_link_identifier_indexes' });
      const adoptedMs = 1_795_287_908_526;
      const nativeS = 1_795_287_909;
      db.prepare('INSERT INTO alert_terms (term, hits, created_at) VALUES (?, 3, ?), (?, 0, ?)').run('ADOPTED', adoptedMs, 'NATIVE', nativeS);
      db.prepare('INSERT INTO ignore_terms (term, created_at) VALUES (?, ?), (?, ?)').run('ADOPTED', adoptedMs, 'NATIVE', nativeS);
      await migrateToLatest(db);
      const dates = (table: string): Row[] => db.prepare(`SELECT term, created_at FROM ${table} ORDER BY term`).all() as Row[];
      const want = [
        { term: 'ADOPTED', created_at: 1_795_287_908 },
        { term: 'NATIVE', created_at: nativeS },
      ];
      expect(dates('alert_terms')).toEqual(want);
      expect(dates('ignore_terms')).toEqual(want);
    } finally {
      db.close();
    }
  });
});
