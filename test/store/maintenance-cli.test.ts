/**
 * `contrail db prune | optimize | vacuum` as functions, against a real database in the
 * configured data directory (CONTRAIL_DATA_DIR): their JSON output and what they change.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { optimizeCommand, pruneCommand, vacuumCommand } from '../../src/cli/db-maintenance-commands.js';
import { prepareIndexMessages } from '../../src/store/fts-index.js';
import { migrateToLatest } from '../../src/store/migrate.js';
import { openWriterDatabase, type Db } from '../../src/store/open-database.js';
import { capturedStdout } from '../helpers/captured-output.js';
import { readFtsStructure } from '../../src/store/maintenance/fts-structure.js';

const DAY = 86_400;
const ENV = ['CONTRAIL_DATA_DIR', 'DB_SAVE_DAYS', 'DB_ALERT_SAVE_DAYS', 'CONTRAIL_DB_MAX_BYTES'] as const;


/** 2,000 messages, one every 30 minutes back from now (about 42 days, none on a whole day), in 40 commits; every 100th alert-matched. */
async function seed(path: string): Promise<void> {
  const db = openWriterDatabase(path);
  await migrateToLatest(db);
  const insert = db.prepare("INSERT INTO messages (type, is_acars, msg_time, received_at, text, tail) VALUES ('ACARS', 1, ?, 0, ?, ?)");
  const index = prepareIndexMessages(db);
  const now = Date.now() / 1000;
  for (let b = 0; b < 40; b++) {
    db.transaction(() => {
      let first = 0;
      let last = 0;
      for (let i = 0; i < 50; i++) {
        const k = b * 50 + i;
        last = Number(insert.run(now - (2000 - k) * 1800 + 900, `POS N${k} FL${k % 400} W${k % 97} REPORT ${k % 13}`, `N${k}`).lastInsertRowid);
        first ||= last;
      }
      index.run(first, last);
    })();
  }
  db.exec("INSERT INTO alert_matches (message_id, term, field, matched_at) SELECT id, 'N1', 'text', msg_time FROM messages WHERE id % 100 = 0");
  db.close();
}

describe('db maintenance commands', () => {
  let dir: string;
  let path: string;
  const saved: Partial<Record<(typeof ENV)[number], string>> = {};
  const open = (): Db => openWriterDatabase(path);

  beforeEach(async () => {
    for (const k of ENV) saved[k] = process.env[k];
    dir = mkdtempSync(join(tmpdir(), 'contrail-maintenance-cli-'));
    path = join(dir, 'contrail.sqlite');
    process.env.CONTRAIL_DATA_DIR = dir;
    process.env.DB_SAVE_DAYS = '10';
    process.env.DB_ALERT_SAVE_DAYS = '20';
    process.env.CONTRAIL_DB_MAX_BYTES = '0';
    await seed(path);
  });
  afterEach(() => {
    for (const k of ENV) {
      if (saved[k] === undefined) delete process.env[k];
      else process.env[k] = saved[k];
    }
    process.exitCode = undefined;
    rmSync(dir, { recursive: true, force: true });
  });

  it('prune --dry-run says what prune then deletes, and changes nothing itself', async () => {
    const dry = JSON.parse(await capturedStdout(() => pruneCommand({ dryRun: true, json: true, progress: false }))) as {
      age: { plainMessages: number; alertMessages: number; alertKept: number };
    };
    // Older than 10 days: messages 0..1519 (1520); alert-matched ones (id % 100 = 0) older than 20 days go too.
    expect(dry.age.plainMessages + dry.age.alertMessages + dry.age.alertKept).toBe(1520);
    expect(dry.age.alertKept).toBeGreaterThan(0);
    let db = open();
    expect(db.prepare('SELECT count(*) FROM messages').pluck().get()).toBe(2000);
    db.close();

    const done = JSON.parse(await capturedStdout(() => pruneCommand({ dryRun: false, json: true, progress: false }))) as {
      age: { messages: number; alertMatched: number; alertKept: number };
    };
    expect(done.age.messages).toBe(dry.age.plainMessages + dry.age.alertMessages);
    expect(done.age.alertMatched).toBe(dry.age.alertMessages);
    db = open();
    expect(db.prepare('SELECT count(*) FROM messages').pluck().get()).toBe(2000 - done.age.messages);
    expect(db.prepare('SELECT count(*) FROM messages WHERE msg_time < ? AND id % 100 != 0').pluck().get(Date.now() / 1000 - 10 * DAY)).toBe(0);
    expect(db.prepare('SELECT count(*) FROM alert_matches WHERE message_id NOT IN (SELECT id FROM messages)').pluck().get()).toBe(0);
    db.exec("INSERT INTO messages_fts (messages_fts, rank) VALUES ('integrity-check', 1)");
    db.close();
  });

  it('prune brings the database under CONTRAIL_DB_MAX_BYTES', async () => {
    let db = open();
    const used = (d: Db): number => (Number(d.pragma('page_count', { simple: true })) - Number(d.pragma('freelist_count', { simple: true }))) * 4096;
    const before = used(db);
    db.close();
    process.env.DB_SAVE_DAYS = '100';
    process.env.CONTRAIL_DB_MAX_BYTES = String(Math.floor(before * 0.7));
    const out = JSON.parse(await capturedStdout(() => pruneCommand({ dryRun: false, json: true, progress: false }))) as { size: { messages: number; bytesAfter: number } };
    expect(out.size.messages).toBeGreaterThan(0);
    expect(out.size.bytesAfter).toBeLessThanOrEqual(before * 0.7);
    db = open();
    expect(used(db)).toBeLessThanOrEqual(before * 0.7);
    db.close();
  });

  it('optimize merges the full-text index into one segment and truncates the WAL', async () => {
    let db = open();
    const segments = readFtsStructure(db).segmentCount;
    db.close();
    expect(segments).toBeGreaterThan(1);
    const out = JSON.parse(await capturedStdout(() => optimizeCommand({ json: true, progress: false }))) as {
      fts: { before: { segments: number }; after: { segments: number } };
      wal: { after: number };
    };
    expect(out.fts.before.segments).toBe(segments);
    expect(out.fts.after.segments).toBe(1);
    expect(out.wal.after).toBe(0);
    db = open();
    expect(readFtsStructure(db).segmentCount).toBe(1);
    db.close();
  });

  it('vacuum returns free pages; on an auto_vacuum=NONE database it says to use --full and fails; --full needs --yes', async () => {
    let db = open();
    db.exec('DELETE FROM messages WHERE id <= 1500');
    const free = Number(db.pragma('freelist_count', { simple: true }));
    db.close();
    expect(free).toBeGreaterThan(10);
    const out = JSON.parse(await capturedStdout(() => vacuumCommand({ full: false, yes: false, json: true, progress: false }))) as {
      freelistPages: { before: number; after: number };
    };
    expect(out.freelistPages).toEqual({ before: free, after: 0 });

    db = open();
    db.exec('PRAGMA auto_vacuum = NONE; VACUUM');
    db.close();
    const none = await capturedStdout(() => vacuumCommand({ full: false, yes: false, json: false, progress: false }));
    expect(none).toMatch(/auto_vacuum is NONE.*contrail db vacuum --full/s);
    expect(process.exitCode).toBe(1);
    await expect(vacuumCommand({ full: true, yes: false, json: false, progress: false })).rejects.toThrow(/free in the temporary directory.*--yes/s);
    const full = JSON.parse(await capturedStdout(() => vacuumCommand({ full: true, yes: true, json: true, progress: false }))) as { autoVacuum: { before: string; after: string } };
    expect(full.autoVacuum).toEqual({ before: 'none', after: 'incremental' });
  });
});
