/** Each migration is all or nothing: a failing statement leaves the database as it was. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { MIGRATIONS } from '../../migrations/index.js';
import { migrateToLatest } from '../../src/store/migrate.js';
import { openWriterDatabase, type Db } from '../../src/store/open-database.js';

describe('migrations', () => {
  let dir: string;
  let db: Db;
  afterEach(() => {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('rolls back a migration whose second statement fails, keeping the ones before it', async () => {
    dir = mkdtempSync(join(tmpdir(), 'contrail-migrate-'));
    db = openWriterDatabase(join(dir, 'contrail.sqlite'));
    const broken = {
      up: async (k: Parameters<NonNullable<(typeof MIGRATIONS)[string]>['up']>[0]) => {
        await sql.raw('CREATE TABLE half_done (x INTEGER)').execute(k);
        await sql.raw('DROP TABLE messages').execute(k);
        await sql.raw('THIS IS NOT SQL').execute(k);
      },
    };
    await expect(migrateToLatest(db, { ...MIGRATIONS, '9999_broken': broken })).rejects.toThrow(/migration 9999_broken failed/);
    const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").pluck().all() as string[];
    expect(tables).toContain('messages');
    expect(tables).not.toContain('half_done');
    const applied = db.prepare('SELECT name FROM kysely_migration ORDER BY name').pluck().all();
    expect(applied).toEqual(Object.keys(MIGRATIONS));
    // And the database still migrates cleanly afterwards.
    await expect(migrateToLatest(db)).resolves.toMatchObject({ applied: [] });
  });
});
