/**
 * The mirror's hot window: rows older than the window are not mirrored, trim removes rows as
 * they age out, and a re-read of a changed row never brings back one that aged out.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeCorpusRows, packRetimed } from '../../bench/reference/support/corpus-rows.js';
import { openTempDatabase, type TempDatabase } from '../../bench/reference/support/temp-database.js';
import { MirrorFeed } from '../../src/analytics/mirror-feed.js';
import { DECODER_TYPES } from '../../src/decode/message.js';
import { DEFAULT_INTEL, MessageWriter } from '../../src/store/message-writer.js';

const NOW = 1_772_000_000;
const DAY = 86_400;
const ROWS = 1_000;

describe('MirrorFeed hot window', () => {
  let temp: TempDatabase;
  let dir: string;
  let writer: MessageWriter;
  beforeAll(async () => {
    temp = await openTempDatabase('mirror-window');
    dir = mkdtempSync(join(tmpdir(), 'contrail-mirror-window-'));
    writer = new MessageWriter(temp.db, DECODER_TYPES.map((type) => ({ descriptor: `t:${type}`, type })), { ...DEFAULT_INTEL, dedupWindowS: 0 });
    // Four days of message time, oldest first, one row every ~6 minutes.
    writer.writeBatch(packRetimed(decodeCorpusRows(), 0, ROWS, (i) => ({ msgTime: NOW - 4 * DAY + (i * 4 * DAY) / ROWS })), 1000);
  });
  afterAll(() => {
    temp.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  it('mirrors only the window, trims what ages out, and does not bring it back', async () => {
    const reader = new Database(temp.path, { readonly: true });
    const instance = await DuckDBInstance.create(join(dir, 'mirror.duckdb'));
    const conn = await instance.connect();
    try {
      const count = async (): Promise<number> => Number((await conn.runAndReadAll('SELECT count(*) FROM messages')).getRows()[0]![0]);
      const inSqlite = (from: number): number => reader.prepare('SELECT count(*) FROM messages WHERE msg_time >= ?').pluck().get(from) as number;
      const feed = await MirrorFeed.open(reader, conn, { windowDays: 2, chunkRows: 128 });
      // It holds a little more than its window, so a range of exactly the window is inside it.
      expect(feed.windowStart(NOW)).toBeLessThan(NOW - 2 * DAY);
      expect(feed.windowStart(NOW)).toBeGreaterThanOrEqual(NOW - 2 * DAY - 3600);
      const progress: number[] = [];
      await feed.pull(NOW, (p) => progress.push(p.percent));
      expect(await count()).toBe(inSqlite(feed.windowStart(NOW)));
      expect(await count()).toBeGreaterThan(0);
      expect(progress.at(-1)).toBe(100);
      expect(progress.length).toBeGreaterThan(1);

      // A day later, a day's worth has aged out.
      const oldest = reader.prepare('SELECT min(id) FROM messages WHERE msg_time >= ?').pluck().get(feed.windowStart(NOW)) as number;
      const removed = await feed.trim(NOW + DAY);
      expect(removed).toBe(inSqlite(feed.windowStart(NOW)) - inSqlite(feed.windowStart(NOW + DAY)));
      expect(await count()).toBe(inSqlite(feed.windowStart(NOW + DAY)));

      // A changed row that aged out is not re-read into the mirror; one inside the window is replaced, once.
      const inside = reader.prepare('SELECT max(id) FROM messages').pluck().get() as number;
      await feed.refresh([oldest, inside], NOW + DAY);
      expect(await count()).toBe(inSqlite(feed.windowStart(NOW + DAY)));
      expect(Number((await conn.runAndReadAll(`SELECT count(*) FROM messages WHERE id = ${oldest}`)).getRows()[0]![0])).toBe(0);
      expect(Number((await conn.runAndReadAll(`SELECT count(*) FROM messages WHERE id = ${inside}`)).getRows()[0]![0])).toBe(1);

      // Reopened, it resumes from its newest row: nothing new, nothing twice.
      const again = await MirrorFeed.open(reader, conn, { windowDays: 2, chunkRows: 128 });
      expect(again.lastId).toBe(inside);
      expect(await again.pull(NOW + DAY)).toBe(0);
      expect(await count()).toBe(inSqlite(feed.windowStart(NOW + DAY)));
    } finally {
      conn.closeSync();
      instance.closeSync();
      reader.close();
    }
  });

  it('passes over rows older than the window when none is in it, so it is never left behind', async () => {
    const reader = new Database(temp.path, { readonly: true });
    const instance = await DuckDBInstance.create(join(dir, 'old-only.duckdb'));
    const conn = await instance.connect();
    try {
      const count = async (): Promise<number> => Number((await conn.runAndReadAll('SELECT count(*) FROM messages')).getRows()[0]![0]);
      const maxId = (): number => reader.prepare('SELECT max(id) FROM messages').pluck().get() as number;
      // A month on, every stored row is older than the 2-day window (a replayed old capture).
      const later = NOW + 30 * DAY;
      const feed = await MirrorFeed.open(reader, conn, { windowDays: 2, chunkRows: 128 });
      expect(await feed.pull(later)).toBe(0);
      expect(feed.lastId).toBe(maxId());
      expect(await count()).toBe(0);
      // What arrives next inside the window is mirrored, and only that.
      const before = maxId();
      writer.writeBatch(packRetimed(decodeCorpusRows(), 0, 10, (i) => ({ msgTime: later - 60 + i })), 2000); // a later journal position
      const added = maxId() - before;
      expect(added).toBeGreaterThan(0);
      expect(await feed.pull(later)).toBe(added);
      expect(feed.lastId).toBe(maxId());
      expect(await count()).toBe(added);
    } finally {
      conn.closeSync();
      instance.closeSync();
      reader.close();
    }
  });
});
