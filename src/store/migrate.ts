/** Applies the migrations in migrations/ with Kysely's Migrator. */
import { Kysely, Migrator, SqliteDialect, type Migration } from 'kysely';
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

/**
 * Kysely's SQLite adapter runs migrations without a transaction (it reports no transactional
 * DDL), though SQLite has it: each migration's up and down run in one here, so a failing
 * statement leaves the database as it was. Kysely records the migration just after the commit.
 */
function transactional(migrations: Readonly<Record<string, Migration>>): Record<string, Migration> {
  return Object.fromEntries(
    Object.entries(migrations).map(([name, m]) => [
      name,
      {
        up: (k: Kysely<any>) => k.transaction().execute((trx) => m.up(trx)), // eslint-disable-line @typescript-eslint/no-explicit-any
        ...(m.down ? { down: (k: Kysely<any>) => k.transaction().execute((trx) => m.down!(trx)) } : {}), // eslint-disable-line @typescript-eslint/no-explicit-any
      },
    ]),
  );
}

export function migrator(db: Db, migrations: Readonly<Record<string, Migration>> = MIGRATIONS): Migrator {
  return new Migrator({ db: kyselyFor(db), provider: { getMigrations: async () => transactional(migrations) } });
}

/** Brings the database to the newest schema. The Kysely instance is not destroyed: that would close `db`. */
export async function migrateToLatest(db: Db, migrations: Readonly<Record<string, Migration>> = MIGRATIONS): Promise<MigrationOutcome> {
  const { error, results } = await migrator(db, migrations).migrateToLatest();
  const applied = (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
  if (error) {
    const failed = (results ?? []).find((r) => r.status === 'Error');
    throw new StoreError(`migration ${failed?.migrationName ?? '(unknown)'} failed: ${(error as Error).message}`, { cause: error });
  }
  const all = Object.keys(migrations);
  return { applied, current: all[all.length - 1] ?? null };
}
