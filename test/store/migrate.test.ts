/**
 * The migration runner: all-or-nothing migrations that name the failing statement, tested downs,
 * checksums that catch edited migrations, refusal of schemas it cannot vouch for, and the lock.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { sql, type Kysely, type Migration } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MIGRATIONS } from '../../migrations/index.js';
import { LockedError, MigrationError } from '../../src/errors.js';
import { migrateToLatest } from '../../src/store/migrate.js';
import { openWriterDatabase, type Db } from '../../src/store/open-database.js';
import { applyMigrations, resolveMigrationName, rollbackMigrations, schemaStatus } from '../../src/store/schema/migration-runner.js';
import { ProcessLock, readLock } from '../../src/store/schema/process-lock.js';
import { snapshotSchema } from '../../src/store/schema/schema-snapshot.js';

const NAMES = Object.keys(MIGRATIONS).sort();

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type K = Kysely<any>;

describe('migration runner', () => {
  let dir: string;
  let db: Db;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'contrail-migrate-'));
    db = openWriterDatabase(join(dir, 'contrail.sqlite'));
  });
  afterEach(() => {
    if (db.open) db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('rolls back a failing migration whole, names the statement, and records nothing', async () => {
    await migrateToLatest(db);
    db.prepare("INSERT INTO messages (type, is_acars, msg_time, received_at, text) VALUES ('ACARS', 1, 1, 1, 'KEEP ME')").run();
    const before = snapshotSchema(db);
    const broken: Migration = {
      up: async (k: K) => {
        await sql.raw('CREATE TABLE half_done (x INTEGER)').execute(k);
        await sql.raw('DROP TABLE messages').execute(k);
        await sql.raw('SELECT no_such_function(1)').execute(k);
      },
    };
    const err = await migrateToLatest(db, { ...MIGRATIONS, '9999_broken': broken }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MigrationError);
    expect((err as Error).message).toMatch(/migration 9999_broken \(up\) failed at statement `SELECT no_such_function\(1\)`/);
    expect((err as Error).message).toMatch(/schema verified/);
    expect(snapshotSchema(db)).toEqual(before);
    expect(db.prepare('SELECT text FROM messages').pluck().all()).toEqual(['KEEP ME']);
    expect(db.prepare('SELECT name FROM kysely_migration ORDER BY name').pluck().all()).toEqual(NAMES);
    expect(db.prepare('SELECT name FROM contrail_migrations ORDER BY name').pluck().all()).toEqual(NAMES);
    expect(db.inTransaction).toBe(false);
    await expect(migrateToLatest(db)).resolves.toMatchObject({ applied: [] });
  });

  it('has a down for every migration that returns exactly the schema before it', async () => {
    const snapshots = [snapshotSchema(db)];
    for (const name of NAMES) {
      await applyMigrations(db, { to: name });
      snapshots.push(snapshotSchema(db));
    }
    for (let i = NAMES.length - 1; i >= 0; i--) {
      const to = i === 0 ? null : NAMES[i - 1]!;
      await rollbackMigrations(db, to);
      const expected = new Map(snapshots[i]!);
      // The bookkeeping tables stay once created.
      for (const t of ['kysely_migration', 'kysely_migration_lock', 'contrail_migrations']) expected.delete(t);
      const actual = new Map(snapshotSchema(db));
      for (const t of ['kysely_migration', 'kysely_migration_lock', 'contrail_migrations']) actual.delete(t);
      expect(actual, `after rolling back ${NAMES[i]}`).toEqual(expected);
      expect(schemaStatus(db).current).toBe(to);
    }
    await migrateToLatest(db);
    expect(schemaStatus(db).pending).toEqual([]);
  });

  it('catches a migration edited after it was applied, and refuses to migrate', async () => {
    // A migration built here has no file: its checksum is its functions' source.
    const original: Migration = {
      up: async (k: K) => void (await sql.raw('CREATE TABLE a (x INTEGER)').execute(k)),
      down: async (k: K) => void (await sql.raw('DROP TABLE a').execute(k)),
    };
    const changed: Migration = {
      up: async (k: K) => void (await sql.raw('CREATE TABLE a (x INTEGER, y TEXT)').execute(k)),
      down: async (k: K) => void (await sql.raw('DROP TABLE a').execute(k)),
    };
    const b: Migration = { up: async (k: K) => void (await sql.raw('CREATE TABLE b (x INTEGER)').execute(k)) };
    await applyMigrations(db, { migrations: { '0001_a': original } });
    expect(schemaStatus(db, { '0001_a': original }).tampered).toEqual([]);
    const edited = { '0001_a': changed, '0002_b': b };
    const status = schemaStatus(db, edited);
    expect(status.tampered).toEqual(['0001_a']);
    expect(status.applied[0]).toMatchObject({ name: '0001_a', state: 'tampered' });
    await expect(applyMigrations(db, { migrations: edited })).rejects.toThrow(/0001_a changed after it was applied \(checksum differs\): refusing to migrate/);
    expect(snapshotSchema(db).has('b')).toBe(false);
  });

  it('checksums the reviewed source file of each shipped migration', async () => {
    await migrateToLatest(db);
    const recorded = db.prepare('SELECT checksum FROM contrail_migrations WHERE name = ?').pluck().get(NAMES[0]) as string;
    const file = join(import.meta.dirname, '../../migrations', `${NAMES[0]}.ts`);
    const sha = execFileSync('sha256sum', [file], { encoding: 'utf8' }).split(' ')[0];
    expect(recorded).toBe(sha);
  });

  it('refuses a database newer than the code, and one that is not Contrail\'s', async () => {
    await migrateToLatest(db);
    db.prepare("INSERT INTO kysely_migration (name, timestamp) VALUES ('9999_from_the_future', ?)").run(new Date().toISOString());
    expect(schemaStatus(db).unknown).toEqual(['9999_from_the_future']);
    await expect(migrateToLatest(db)).rejects.toThrow(/does not know \(9999_from_the_future\): it was used by a newer version/);

    const other = new Database(join(dir, 'acarshub.db'));
    other.exec('CREATE TABLE messages (id INTEGER PRIMARY KEY, msg_text TEXT)');
    await expect(migrateToLatest(other)).rejects.toThrow(/not a Contrail database.*contrail db adopt/);
    expect(snapshotSchema(other).size).toBe(1);
    other.close();
  });

  it('records checksums for migrations applied before checksums were kept', async () => {
    await migrateToLatest(db);
    db.exec('DROP TABLE contrail_migrations');
    expect(schemaStatus(db).applied.every((a) => a.state === 'unrecorded')).toBe(true);
    await applyMigrations(db);
    expect(schemaStatus(db).applied.every((a) => a.state === 'ok')).toBe(true);
  });

  it('resolves migration numbers and names', () => {
    expect(resolveMigrationName('0')).toBeNull();
    expect(resolveMigrationName('4')).toBe(NAMES[3]);
    expect(resolveMigrationName(NAMES[1]!)).toBe(NAMES[1]);
    expect(() => resolveMigrationName('77')).toThrow(/no migration "77"/);
  });
});

describe('process lock', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'contrail-lock-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('lets one holder in and names it to the next', () => {
    const path = join(dir, 'x.lock');
    const lock = ProcessLock.acquire(path, 'contrail db migrate', 'migrate');
    expect(() => ProcessLock.acquire(path, 'contrail db migrate', 'migrate')).toThrow(LockedError);
    // Another live process holds it: the message names that process.
    writeFileSync(path, JSON.stringify({ pid: process.ppid, host: hostname(), command: 'contrail serve', since: 1 }));
    expect(() => ProcessLock.acquire(path, 'x', 'migrate')).toThrow(new RegExp(`cannot migrate: .* is held by pid ${process.ppid} on .* \\(contrail serve`));
    lock.release();
    expect(readLock(path)?.pid).toBe(process.ppid); // release never removes another holder's lock
  });

  it('takes over a lock whose holder died', () => {
    const path = join(dir, 'x.lock');
    const child = execFileSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
    writeFileSync(path, JSON.stringify({ pid: Number(child), host: hostname(), command: 'dead', since: 1 }));
    const lock = ProcessLock.acquire(path, 'contrail db migrate', 'migrate');
    expect(readLock(path)?.pid).toBe(process.pid);
    lock.release();
    expect(readLock(path)).toBeNull();
  });
});
