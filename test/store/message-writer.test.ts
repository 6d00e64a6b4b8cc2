/** The writer against a real SQLite file: rows, FTS, histograms, counters, rejects, rollback, migrations. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MIGRATIONS } from '../../migrations/index.js';
import { decodeFrames } from '../../src/decode/decode-frames.js';
import { summarizeStats } from '../../src/decode/decode-stats.js';
import { decodedBatchStats } from '../../src/decode/decoded-batch.js';
import { FrameBatchBuilder } from '../../src/ingest/frame-batch.js';
import { migrateToLatest } from '../../src/store/migrate.js';
import { MessageWriter } from '../../src/store/message-writer.js';
import { openWriterDatabase, type Db } from '../../src/store/open-database.js';
import { forEachPublished } from '../../src/store/publish-batch.js';
import { readCorpusFrames } from '../helpers/corpus.js';

const SOURCES = [
  { descriptor: 'udp', type: 'ACARS' as const },
  { descriptor: 'udp', type: 'HFDL' as const },
];

function batch(frames: { text: string | Buffer; source: number }[]): ArrayBuffer {
  const b = new FrameBatchBuilder(frames.length);
  for (const f of frames) b.add(typeof f.text === 'string' ? Buffer.from(f.text) : f.text, f.source, 1_769_990_000_000, null);
  return decodeFrames(b.take().buffer, { sourceTypes: SOURCES.map((s) => s.type), storeNonAcars: true });
}

describe('MessageWriter', () => {
  let dir: string;
  let db: Db;
  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'contrail-writer-'));
    db = openWriterDatabase(join(dir, 'contrail.sqlite'));
    await migrateToLatest(db);
  });
  afterEach(() => {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('stores a batch of real frames with FTS, histograms, minute counters and rejects in one transaction', () => {
    const acars = readCorpusFrames('acarshub-kabq/raw-acars-messages.jsonl');
    const hfdl = readCorpusFrames('acarshub-kabq/raw-hfdl-messages.jsonl');
    const decoded = batch([
      ...acars.map((text) => ({ text, source: 0 })),
      ...hfdl.map((text) => ({ text, source: 1 })),
      { text: '{"x":1}', source: 1 },
      { text: Buffer.from([0x7b, 0x22, 0xff, 0x22, 0x7d]), source: 0 },
    ]);
    expect(summarizeStats(decodedBatchStats(decoded))).toMatchObject({ frames: acars.length + hfdl.length + 2, accepted: { ACARS: acars.length, HFDL: hfdl.length } });
    // Dedup off here: this test counts every frame; dedup has its own tests.
    const writer = new MessageWriter(db, SOURCES, { dedupWindowS: 0, multipartWindowS: 120 });
    const out = writer.writeBatch(decoded);
    expect(out).toMatchObject({ stored: acars.length + hfdl.length, rejects: 2, storedByType: { ACARS: acars.length, HFDL: hfdl.length } });

    expect(db.prepare('SELECT count(*) FROM messages').pluck().get()).toBe(acars.length + hfdl.length);
    // An external-content table reads its rows from `messages`: count the index's own documents.
    const indexed = db.prepare('SELECT count(*) FROM messages_fts_docsize').pluck().get();
    expect(indexed).toBe(db.prepare('SELECT count(*) FROM messages WHERE is_acars = 1').pluck().get());
    expect(db.prepare("SELECT count(*) FROM messages_fts WHERE messages_fts MATCH 'N8560Z'").pluck().get()).toBeGreaterThan(0);
    const levels = db.prepare('SELECT sum(count) FROM level_acars').pluck().get();
    expect(levels).toBe(db.prepare("SELECT count(*) FROM messages WHERE type = 'ACARS' AND level IS NOT NULL").pluck().get());
    const freqs = db.prepare('SELECT freq, count FROM freqs_hfdl ORDER BY count DESC LIMIT 1').get() as { freq: number; count: number };
    expect(freqs.count).toBe(db.prepare("SELECT count(*) FROM messages WHERE type = 'HFDL' AND freq = ?").pluck().get(freqs.freq));
    const minutes = db.prepare('SELECT type, sum(messages) AS n, sum(non_acars) AS link FROM counts_minute GROUP BY type ORDER BY type').all();
    expect(minutes).toEqual([
      { type: 'ACARS', n: acars.length, link: 0 },
      { type: 'HFDL', n: hfdl.length, link: db.prepare("SELECT count(*) FROM messages WHERE type = 'HFDL' AND is_acars = 0").pluck().get() },
    ]);
    expect(db.prepare('SELECT reason, source, type_hint FROM rejects ORDER BY id').all()).toEqual([
      { reason: 'unknown-format', source: 'udp', type_hint: 'HFDL' },
      { reason: 'invalid-utf8', source: 'udp', type_hint: 'ACARS' },
    ]);
    // The publish payloads carry the ids just assigned, in order.
    const ids: number[] = [];
    forEachPublished(out.publish, ({ payload }) => ids.push((JSON.parse(new TextDecoder().decode(payload)) as { data: { id: number } }).data.id));
    expect(ids).toEqual(db.prepare('SELECT id FROM messages ORDER BY id').pluck().all());
  });

  it('keeps the full-text index exact when rows are updated or deleted', () => {
    const writer = new MessageWriter(db, SOURCES);
    writer.writeBatch(batch(readCorpusFrames('acarshub-kabq/raw-vdlm2-messages.jsonl').map((text) => ({ text, source: 0 }))));
    const check = (): void => {
      db.exec("INSERT INTO messages_fts (messages_fts, rank) VALUES ('integrity-check', 1)");
    };
    check();
    const count = (q: string): unknown => db.prepare('SELECT count(*) FROM messages_fts WHERE messages_fts MATCH ?').pluck().get(q);
    const updated = db.prepare("UPDATE messages SET text = 'replacement words' WHERE tail = 'N8719Q'").run().changes;
    expect(updated).toBeGreaterThan(0);
    check();
    expect(count('replacement')).toBe(updated);
    expect(count('tail:N8719Q')).toBe(updated);
    // A link frame turned into an ACARS row enters the index; a deleted ACARS row leaves it.
    db.prepare("UPDATE messages SET is_acars = 1, text = 'promoted' WHERE id = (SELECT min(id) FROM messages WHERE is_acars = 0)").run();
    db.prepare("DELETE FROM messages WHERE tail = 'N8719Q'").run();
    check();
    expect(count('promoted')).toBe(1);
    expect(count('replacement')).toBe(0);
  });

  it('rolls the whole batch back when one statement fails', () => {
    const writer = new MessageWriter(db, SOURCES);
    writer.writeBatch(batch([{ text: readCorpusFrames('acars-router/acars.jsonl')[0]!, source: 0 }]));
    // A trigger that fails on the third insert stands in for a full disk or a broken row.
    db.exec("CREATE TRIGGER boom BEFORE INSERT ON messages WHEN (SELECT count(*) FROM messages) >= 3 BEGIN SELECT RAISE(ABORT, 'boom'); END");
    const frames = readCorpusFrames('acars-router/acars.jsonl').slice(1, 6).map((text) => ({ text, source: 0 }));
    expect(() => writer.writeBatch(batch(frames))).toThrow(/boom/);
    expect(db.prepare('SELECT count(*) FROM messages').pluck().get()).toBe(1);
    expect(db.prepare('SELECT sum(messages) FROM counts_minute').pluck().get()).toBe(1);
    expect(db.prepare('SELECT count(*) FROM messages_fts_docsize').pluck().get()).toBe(1);
  });

  it('a better copy takes over the reception, not the time; the minute counters drop its error; the kept id is reported', () => {
    const writer = new MessageWriter(db, SOURCES, { dedupWindowS: 5, multipartWindowS: 120 });
    const base = JSON.parse(readCorpusFrames('acars-router/acars.jsonl')[0]!) as Record<string, unknown>;
    // Heard first with errors at hh:mm:59.5, then cleanly 1 s later by another station: the next minute.
    const t0 = Math.floor(1_769_990_000 / 60) * 60 + 59.5;
    const first = writer.writeBatch(batch([{ text: JSON.stringify({ ...base, timestamp: t0, station_id: 'NOISY', error: 2, level: -30 }), source: 0 }]));
    const second = writer.writeBatch(batch([{ text: JSON.stringify({ ...base, timestamp: t0 + 1, station_id: 'CLEAN', error: 0, level: -10 }), source: 0 }]));
    expect(first.stored).toBe(1);
    expect(second.stored).toBe(0);
    expect(second.updatedIds).toEqual([first.firstId]);
    const row = db.prepare('SELECT msg_time, station_id, error, level, copies FROM messages').get();
    expect(row).toEqual({ msg_time: t0, station_id: 'CLEAN', error: 0, level: -10, copies: 2 });
    const minutes = db.prepare('SELECT minute, messages, errors, duplicates FROM counts_minute ORDER BY minute').all();
    expect(minutes).toEqual([
      { minute: t0 - 59.5, messages: 1, errors: 0, duplicates: 0 },
      { minute: t0 - 59.5 + 60, messages: 0, errors: 0, duplicates: 1 },
    ]);
  });
});
