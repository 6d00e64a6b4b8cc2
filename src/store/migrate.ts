/** Brings a database to the newest schema: what start-up and tests use when no consent is needed. */
import { MIGRATIONS } from '../../migrations/index.js';
import type { Db } from './open-database.js';
import { applyMigrations, type Migrations } from './schema/migration-runner.js';

export interface MigrationOutcome {
  applied: string[];
  current: string | null;
}

export async function migrateToLatest(db: Db, migrations: Migrations = MIGRATIONS): Promise<MigrationOutcome> {
  const applied = await applyMigrations(db, { migrations });
  const all = Object.keys(migrations).sort();
  return { applied: applied.map((a) => a.name), current: all.at(-1) ?? null };
}
