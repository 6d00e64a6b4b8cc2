/**
 * What adoption refuses, and what a failure leaves behind: nothing but the original, unchanged,
 * and an existing output as it was.
 */
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AdoptError, LegacySchemaError } from '../../src/adopt/adopt-errors.js';
import { LockedError } from '../../src/errors.js';
import { engineLockPath } from '../../src/store/schema/lock-paths.js';
import { adoptDatabase } from '../../src/adopt/adopt-database.js';
import { migrateToLatest } from '../../src/store/migrate.js';
import { openWriterDatabase } from '../../src/store/open-database.js';
import { buildLegacyDb, seedCopy, sha256 } from '../helpers/legacy-db.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'contrail-adopt-refuse-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function sqlite(name: string, statements: string[]): string {
  const path = join(dir, name);
  const db = new Database(path);
  for (const s of statements) db.exec(s);
  db.close();
  return path;
}

/** Only the source and what the test made itself remain: no output, no temporary file. */
function expectNothingWritten(output: string): void {
  expect(existsSync(output)).toBe(false);
  expect(readdirSync(dir).filter((f) => f.includes('adopting') || f.endsWith('.lock'))).toEqual([]);
}

async function refusal(source: string, output = join(dir, 'out.sqlite')): Promise<LegacySchemaError> {
  const before = sha256(source);
  const e = await adoptDatabase(source, { output }).then(
    () => null,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(LegacySchemaError);
  expect((e as LegacySchemaError).code).toBe('CONTRAIL_ERR_LEGACY_SCHEMA');
  expect(sha256(source)).toBe(before);
  expectNothingWritten(output);
  return e as LegacySchemaError;
}

describe('adopt refuses what it does not know', () => {
  it('an unknown revision, naming it and the ones it knows', async () => {
    const path = join(dir, 'future.db');
    buildLegacyDb(path, { revision: '8c9d47f5ed13' });
    const db = new Database(path);
    db.prepare('UPDATE alembic_version SET version_num = ?').run('ffff00001111');
    db.close();
    const e = await refusal(path);
    expect(e.message).toMatch(/revision "ffff00001111" in alembic_version is not an ACARS Hub revision/);
    expect(e.message).toContain('e7991f1644b1');
    expect(e.message).toContain('8c9d47f5ed13');
  });

  it('a database that is not ACARS Hub, listing what it found', async () => {
    const e = await refusal(sqlite('other.db', ['CREATE TABLE flights (id INTEGER PRIMARY KEY)', 'CREATE TABLE crew (id INTEGER PRIMARY KEY)']));
    expect(e.message).toMatch(/not an ACARS Hub database: expected a messages table/);
    expect(e.message).toContain('found tables crew, flights');
  });

  it('a messages table without the ACARS Hub columns', async () => {
    const e = await refusal(sqlite('chat.db', ['CREATE TABLE messages (id INTEGER PRIMARY KEY, body TEXT)', 'CREATE TABLE count (id INTEGER PRIMARY KEY)']));
    expect(e.message).toMatch(/lacks msg_time, msg_text, tail, flight, icao, freq, label/);
  });

  it('a messages table with neither alembic_version nor any Python-era table', async () => {
    const e = await refusal(sqlite('lonely.db', ['CREATE TABLE messages (id INTEGER PRIMARY KEY, msg_time, msg_text, tail, flight, icao, freq, label)']));
    expect(e.message).toMatch(/neither alembic_version nor any Python-era table/);
  });

  it('later tables without alembic_version: the revision cannot be told', async () => {
    const path = join(dir, 'stripped.db');
    buildLegacyDb(path, { revision: 'a1b2c3d4e5f6' });
    const db = new Database(path);
    db.exec('DROP TABLE alembic_version');
    db.close();
    const e = await refusal(path);
    expect(e.message).toMatch(/has no alembic_version.*level_acars.*cannot be told/);
  });

  it('a file that is not SQLite at all', async () => {
    const path = join(dir, 'notes.txt');
    writeFileSync(path, 'this is not a database\n'.repeat(100));
    const e = await refusal(path);
    expect(e.message).toMatch(/SQLite cannot read it/);
  });

  it('a Contrail database', async () => {
    const path = join(dir, 'contrail-already.sqlite');
    const db = openWriterDatabase(path);
    await migrateToLatest(db);
    db.close();
    const e = await refusal(path);
    expect(e.message).toMatch(/already a Contrail database/);
  });

  it('a file that does not exist', async () => {
    const output = join(dir, 'out.sqlite');
    await expect(adoptDatabase(join(dir, 'missing.db'), { output })).rejects.toThrow(/no such file/);
    expectNothingWritten(output);
  });
});

describe('adopt protects the output and the original', () => {
  async function existingOutput(messages: number): Promise<string> {
    const path = join(dir, 'existing.sqlite');
    const db = openWriterDatabase(path);
    await migrateToLatest(db);
    const insert = db.prepare("INSERT INTO messages (type, is_acars, msg_time, received_at, text) VALUES ('ACARS', 1, ?, 0, 'kept')");
    for (let i = 0; i < messages; i++) insert.run(1_700_000_000 + i);
    db.pragma('wal_checkpoint(TRUNCATE)');
    db.close();
    return path;
  }
  const messagesIn = (path: string): number => {
    const db = new Database(path, { readonly: true });
    const n = db.prepare('SELECT count(*) FROM messages').pluck().get() as number;
    db.close();
    return n;
  };

  it('refuses an output that holds messages unless forced, then replaces it', async () => {
    const { path: source } = seedCopy();
    const output = await existingOutput(3);
    const before = sha256(output);
    const e = await adoptDatabase(source, { output }).catch((err: unknown) => err);
    expect(e).toBeInstanceOf(AdoptError);
    expect((e as AdoptError).message).toMatch(/already holds 3 messages; pass --force/);
    expect(sha256(output)).toBe(before);

    const report = await adoptDatabase(source, { output, force: true });
    expect(messagesIn(output)).toBe(report.contrail.messages);
    expect(messagesIn(output)).toBe(messagesIn(source));
    rmSync(join(source, '..'), { recursive: true, force: true });
  });

  it('replaces an output with no messages without being forced', async () => {
    const { path: source } = seedCopy();
    const output = await existingOutput(0);
    await adoptDatabase(source, { output });
    expect(messagesIn(output)).toBe(messagesIn(source));
    rmSync(join(source, '..'), { recursive: true, force: true });
  });

  it('never writes to the source, even when told to make it the output', async () => {
    const { path: source } = seedCopy();
    const before = sha256(source);
    await expect(adoptDatabase(source, { output: source, force: true })).rejects.toThrow(/is the ACARS Hub file itself/);
    expect(sha256(source)).toBe(before);
    rmSync(join(source, '..'), { recursive: true, force: true });
  });

  it('a failure mid-way leaves no output, no temporary file, the original and an existing output unchanged', async () => {
    const source = join(dir, 'acarshub.db');
    buildLegacyDb(source, { revision: 'a1b2c3d4e5f6', bad: true });
    const sourceSum = sha256(source);
    const fresh = join(dir, 'new.sqlite');
    const failing = (step: string) => (p: { step: string; done: number }) => {
      if (p.step === step && p.done > 0) throw new Error(`disk on fire during ${step}`);
    };
    for (const step of ['messages', 'alert matches', 'time series', 'verify']) {
      const e = await adoptDatabase(source, { output: fresh, onProgress: failing(step), chunkRows: 100 }).catch((err: unknown) => err);
      expect(e, step).toBeInstanceOf(AdoptError);
      expect((e as Error).message).toMatch(new RegExp(`disk on fire during ${step}.*nothing was written`));
      expectNothingWritten(fresh);
      expect(sha256(source)).toBe(sourceSum);
    }

    const existing = await existingOutput(2);
    const existingSum = sha256(existing);
    await expect(adoptDatabase(source, { output: existing, force: true, onProgress: failing('messages'), chunkRows: 100 })).rejects.toThrow(/disk on fire/);
    expect(sha256(existing)).toBe(existingSum);
    expect(readdirSync(dir).filter((f) => f.includes('adopting'))).toEqual([]);
  });

  it('refuses to replace the database of a running engine', async () => {
    const { path: source } = seedCopy();
    const output = join(dir, 'engine.sqlite');
    // A live holder: this very process, as `contrail serve` would write it.
    writeFileSync(engineLockPath(output), JSON.stringify({ pid: process.pid, host: hostname(), command: 'contrail serve', since: Date.now() }));
    const e = await adoptDatabase(source, { output, force: true }).catch((err: unknown) => err);
    expect(e).toBeInstanceOf(LockedError);
    expect((e as Error).message).toMatch(/while the engine runs on it: pid \d+ .*contrail serve/);
    expect(existsSync(output)).toBe(false);
    rmSync(engineLockPath(output));
    await adoptDatabase(source, { output });
    expect(readdirSync(dir).filter((f) => f.endsWith('.lock') || f.includes('adopting'))).toEqual([]);
    rmSync(join(source, '..'), { recursive: true, force: true });
  });

  it('stops when aborted, and cleans up', async () => {
    const { path: source } = seedCopy();
    const output = join(dir, 'out.sqlite');
    const abort = new AbortController();
    const e = await adoptDatabase(source, {
      output,
      signal: abort.signal,
      chunkRows: 100,
      onProgress: (p) => {
        if (p.step === 'messages' && p.done >= 300) abort.abort();
      },
    }).catch((err: unknown) => err);
    expect(e).toBeInstanceOf(AdoptError);
    expect((e as Error).message).toMatch(/interrupted/);
    expectNothingWritten(output);
    rmSync(join(source, '..'), { recursive: true, force: true });
  });
});
