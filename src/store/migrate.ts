/** Applies the migrations in migrations/ with Kysely's Migrator. */
import { Kysely, Migrator, SqliteDialect } from 'kysely';
import { MIGRATIONS } from '../../migrations/index.js';
import { StoreError } from '../errors.js';
import type { Db } from './open-database.js';

export interface MigrationOutcome {
  applied: string[];
  current: string | null;
}

function kyselyFor(db: Db): Kysely<unknown> {
  return new Kysely<unknown>({ dialect: new SqliteDialect({ database: db }) });
}

function migrator(db: Db): Migrator {
  return new Migrator({ db: kyselyFor(db), provider: { getMigrations: async () => ({ ...MIGRATIONS }) } });
}

/** Brings the database to the newest schema. The Kysely instance is not destroyed: that would close `db`. */
export async function migrateToLatest(db: Db): Promise<MigrationOutcome> {
  const { error, results } = await migrator(db).migrateToLatest();
  const applied = (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
  if (error) {
    const failed = (results ?? []).find((r) => r.status === 'Error');
    throw new StoreError(`migration ${failed?.migrationName ?? '(unknown)'} failed: ${(error as Error).message}`, { cause: error });
  }
  const all = Object.keys(MIGRATIONS);
  return { applied, current: all[all.length - 1] ?? null };
}
