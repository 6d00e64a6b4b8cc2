/**
 * `contrail db` as a user types it, on a stopped engine's database: status, plan (the database
 * untouched), backup, backups, restore, verify (tampering caught), and the migration lock.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MIGRATIONS } from '../../migrations/index.js';
import { runContrail } from '../../bench/lib/engine-process.js';
import { openWriterDatabase } from '../../src/store/open-database.js';
import { applyMigrations } from '../../src/store/schema/migration-runner.js';

type Json = Record<string, unknown>;
const NAMES = Object.keys(MIGRATIONS).sort();

describe('contrail db', () => {
  let dataDir: string;
  let dbPath: string;
  const db = (args: string[]): ReturnType<typeof runContrail> => runContrail(['db', ...args], { CONTRAIL_DATA_DIR: dataDir });
  const json = async (args: string[]): Promise<Json> => {
    const r = await db([...args, '--json']);
    expect(r.code, r.stderr).toBe(0);
    return JSON.parse(r.stdout) as Json;
  };
  const sha = (): string => createHash('sha256').update(readFileSync(dbPath)).digest('hex');
  const count = (): number => {
    const d = new Database(dbPath, { readonly: true });
    try {
      return d.prepare('SELECT count(*) FROM messages').pluck().get() as number;
    } finally {
      d.close();
    }
  };

  beforeEach(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'contrail-dbcli-'));
    dbPath = join(dataDir, 'contrail.sqlite');
    const d = openWriterDatabase(dbPath);
    await applyMigrations(d, { to: '0004_frame_ref' });
    const insert = d.prepare("INSERT INTO messages (type, is_acars, msg_time, received_at, text, label) VALUES ('ACARS', 1, ?, 0, ?, 'H1')");
    for (let i = 0; i < 500; i++) insert.run(1_700_000_000 + i, `POSITION REPORT ${i}`);
    d.exec('INSERT INTO messages_fts (rowid, text, tail, flight, icao, label) SELECT id, text, tail, flight, icao, label FROM messages');
    d.pragma('wal_checkpoint(TRUNCATE)');
    d.close();
  });
  afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

  it('reports status, plans on a copy without touching the database, then migrates after a backup', { timeout: 60_000 }, async () => {
    const status = await json(['status']);
    expect(status).toMatchObject({ current: '0004_frame_ref', target: NAMES.at(-1), updatePending: true, latestBackup: null });
    expect((status.pending as Json[]).map((p) => p.name)).toEqual(NAMES.filter((n) => n > '0004_frame_ref'));

    const before = sha();
    const plan = await json(['plan']);
    expect(sha()).toBe(before);
    expect(plan.schemaChanges).toEqual(expect.arrayContaining(['+ view acars_text', '+ table alert_terms', '- trigger messages_fts_update_old']));
    expect(plan.neededBytes).toBeGreaterThanOrEqual(plan.databaseBytes as number);
    expect((await db(['status', '--json'])).stdout).toContain('"current": "0004_frame_ref"');
    const human = await db(['plan']);
    expect(human.stdout).toMatch(/run on a copy; the database was not touched/);

    const migrated = await json(['migrate', '--yes', '--no-progress']);
    expect((migrated.applied as Json[]).map((a) => a.name)).toEqual(NAMES.filter((n) => n > '0004_frame_ref'));
    expect(migrated.backup).toMatchObject({ reason: 'pre-migrate', schema: '0004_frame_ref' });
    expect(count()).toBe(500);
    const verify = await json(['verify']);
    expect(verify.ok).toBe(true);
  });

  it('restores a backup atomically, keeping the replaced database as a backup', { timeout: 60_000 }, async () => {
    await json(['migrate', '--yes', '--no-progress']);
    const backup = await json(['backup', '--no-progress']);
    const d = new Database(dbPath);
    d.exec("DELETE FROM messages WHERE id > 100");
    d.close();
    expect(count()).toBe(100);
    const refused = await db(['restore', backup.id as string]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/--yes/);
    // A mirror fed from the database being replaced: deleted, so the next start rebuilds it.
    const mirror = join(dataDir, 'contrail.duckdb');
    writeFileSync(mirror, 'mirror of the replaced database');
    writeFileSync(`${mirror}.wal`, '');
    const restored = await json(['restore', backup.id as string, '--yes']);
    expect(count()).toBe(500);
    expect(restored.mirrorRemoved).toEqual([mirror, `${mirror}.wal`]);
    expect(existsSync(mirror) || existsSync(`${mirror}.wal`)).toBe(false);
    const list = (await json(['backups'])) as unknown as Json[];
    expect(list.map((b) => b.id)).toContain((restored.previous as Json).id);
    expect(list.find((b) => b.id === (restored.previous as Json).id)).toMatchObject({ reason: 'pre-restore' });
    const missing = await db(['restore', 'nope', '--yes']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/no backup "nope"/);
  });

  it('catches a tampered migration, and refuses to migrate past it', { timeout: 60_000 }, async () => {
    await json(['migrate', '--to', '5', '--yes', '--no-progress']);
    const d = new Database(dbPath);
    d.prepare("UPDATE contrail_migrations SET checksum = 'edited' WHERE name = '0003_journal_checkpoint'").run();
    d.close();
    const verify = await db(['verify']);
    expect(verify.code).toBe(1);
    expect(verify.stdout).toMatch(/0003_journal_checkpoint: tampered/);
    const migrate = await db(['migrate', '--yes']);
    expect(migrate.code).toBe(1);
    expect(migrate.stderr).toMatch(/0003_journal_checkpoint changed after it was applied/);
  });

  it('lets only one process migrate at a time, naming the holder', { timeout: 60_000 }, async () => {
    // This test process holds the lock, as a concurrent `contrail db migrate` would.
    writeFileSync(`${dbPath}.migrate.lock`, JSON.stringify({ pid: process.pid, host: hostname(), command: 'contrail db migrate', since: Date.now() }));
    const r = await db(['migrate', '--yes']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(new RegExp(`cannot migrate: .* is held by pid ${process.pid} on .* \\(contrail db migrate`));
    expect(count()).toBe(500);
    expect((await json(['status'])).current).toBe('0004_frame_ref');
  });
});
