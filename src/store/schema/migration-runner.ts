/**
 * Runs the migrations with Kysely's Migrator and adds what it lacks for SQLite: each migration
 * and its bookkeeping (Kysely's record and our checksum) in one transaction, so a migration is
 * applied and recorded, or neither; a failure rolled back and verified against the schema it
 * started from, naming the statement that failed; checksums, so an applied migration that was
 * edited is caught and refused.
 */
import { Kysely, Migrator, SqliteDialect, type LogEvent, type Migration } from 'kysely';
import { MIGRATIONS } from '../../../migrations/index.js';
import { MigrationError } from '../../errors.js';
import type { Db } from '../open-database.js';
import { migrationChecksum } from './migration-checksum.js';
import { describeSchemaDiff, diffSchema, schemaDiffIsEmpty, schemaHas, snapshotSchema } from './schema-snapshot.js';

export type Migrations = Readonly<Record<string, Migration>>;

/** Kysely's own record of what ran. */
const KYSELY_TABLE = 'kysely_migration';
/** Ours: the checksum of each applied migration and how long it took. */
const CHECKSUM_TABLE = 'contrail_migrations';

export type AppliedState = 'ok' | 'tampered' | 'unrecorded' | 'unknown';

export interface AppliedMigration {
  name: string;
  /** ISO time Kysely recorded. */
  appliedAt: string;
  state: AppliedState;
  /** The checksum recorded when it ran (null: applied before checksums were kept). */
  recorded: string | null;
  /** The checksum of the migration as this version ships it (null: unknown to this version). */
  expected: string | null;
  durationMs: number | null;
}

export interface SchemaStatus {
  /** The last applied migration, or null for an empty database. */
  current: string | null;
  /** The newest migration this version knows. */
  target: string | null;
  applied: AppliedMigration[];
  pending: { name: string; checksum: string }[];
  /** Applied migrations whose file changed since. */
  tampered: string[];
  /** Applied migrations this version does not have (the database is newer than the code). */
  unknown: string[];
  /** No table at all: creating the schema needs no consent. */
  fresh: boolean;
  /** Tables, but no record of Contrail migrations: another program's database (ACARS Hub's?). */
  foreign: boolean;
}

export interface MigrationProgress {
  /** The migration running, or 'done'. */
  step: string;
  index: number;
  total: number;
  percent: number;
  elapsedMs: number;
}

export interface StepResult {
  name: string;
  ms: number;
}

export function schemaStatus(db: Db, migrations: Migrations = MIGRATIONS): SchemaStatus {
  const names = Object.keys(migrations).sort();
  const ran = schemaHas(db, KYSELY_TABLE)
    ? (db.prepare(`SELECT name, timestamp FROM ${KYSELY_TABLE} ORDER BY name`).all() as { name: string; timestamp: string }[])
    : [];
  const recorded = new Map<string, { checksum: string; duration_ms: number }>();
  if (schemaHas(db, CHECKSUM_TABLE)) {
    for (const r of db.prepare(`SELECT name, checksum, duration_ms FROM ${CHECKSUM_TABLE}`).all() as { name: string; checksum: string; duration_ms: number }[]) {
      recorded.set(r.name, r);
    }
  }
  const applied: AppliedMigration[] = ran.map((r) => {
    const m = migrations[r.name];
    const expected = m ? migrationChecksum(r.name, m) : null;
    const rec = recorded.get(r.name) ?? null;
    const state: AppliedState = !m ? 'unknown' : !rec ? 'unrecorded' : rec.checksum === expected ? 'ok' : 'tampered';
    return { name: r.name, appliedAt: r.timestamp, state, recorded: rec?.checksum ?? null, expected, durationMs: rec?.duration_ms ?? null };
  });
  const done = new Set(ran.map((r) => r.name));
  const userTables = db.prepare("SELECT count(*) FROM sqlite_master WHERE name NOT LIKE 'sqlite_%'").pluck().get() as number;
  return {
    current: ran.at(-1)?.name ?? null,
    target: names.at(-1) ?? null,
    applied,
    pending: names.filter((n) => !done.has(n)).map((name) => ({ name, checksum: migrationChecksum(name, migrations[name]!) })),
    tampered: applied.filter((a) => a.state === 'tampered').map((a) => a.name),
    unknown: applied.filter((a) => a.state === 'unknown').map((a) => a.name),
    fresh: userTables === 0,
    foreign: userTables > 0 && !schemaHas(db, KYSELY_TABLE),
  };
}

/** Refuses to touch a schema it cannot vouch for. */
/** Refuses a database this version cannot use at all: another program's, or one a newer Contrail migrated. */
export function assertKnownSchema(status: SchemaStatus, dbPath: string): void {
  if (status.foreign) throw new MigrationError(`${dbPath} is not a Contrail database (another program's tables, no Contrail migrations); to bring an ACARS Hub database over, use contrail db adopt FILE`);
  if (status.unknown.length > 0) {
    throw new MigrationError(`${dbPath} has migrations this version does not know (${status.unknown.join(', ')}): it was used by a newer Contrail. Run that version, or restore a backup (contrail db backups)`);
  }
}

export function assertMigratable(status: SchemaStatus): void {
  if (status.foreign) {
    throw new MigrationError('this is not a Contrail database (it has tables but no record of Contrail migrations); to bring an ACARS Hub database over, use contrail db adopt FILE');
  }
  if (status.unknown.length > 0) {
    throw new MigrationError(
      `the database has migrations this version of Contrail does not know (${status.unknown.join(', ')}): it was used by a newer version. Run that version, or restore a backup taken before it (contrail db backups)`,
    );
  }
  if (status.tampered.length > 0) {
    throw new MigrationError(
      `applied migration${status.tampered.length > 1 ? 's' : ''} ${status.tampered.join(', ')} changed after ${status.tampered.length > 1 ? 'they were' : 'it was'} applied (checksum differs): refusing to migrate. Restore the original file${status.tampered.length > 1 ? 's' : ''} from version control; a change to the schema needs a new migration`,
    );
  }
}

/** A Kysely over `db` that remembers the last statement that failed, to name it in the error. */
function kyselyFor(db: Db, failed: { sql: string | null }): Kysely<unknown> {
  return new Kysely<unknown>({
    dialect: new SqliteDialect({ database: db }),
    log: (e: LogEvent) => {
      if (e.level === 'error') failed.sql = e.query.sql;
    },
  });
}

function recordChecksum(db: Db, name: string, checksum: string, ms: number): void {
  db.exec(`CREATE TABLE IF NOT EXISTS ${CHECKSUM_TABLE} (name TEXT PRIMARY KEY, checksum TEXT NOT NULL, applied_at INTEGER NOT NULL, duration_ms INTEGER NOT NULL)`);
  db.prepare(`INSERT OR REPLACE INTO ${CHECKSUM_TABLE} (name, checksum, applied_at, duration_ms) VALUES (?, ?, ?, ?)`).run(name, checksum, Date.now(), Math.round(ms));
}

/** Applied before checksums were kept: record them now, so later edits are caught. */
function backfillChecksums(db: Db, status: SchemaStatus, migrations: Migrations): void {
  for (const a of status.applied) if (a.state === 'unrecorded') recordChecksum(db, a.name, migrationChecksum(a.name, migrations[a.name]!), 0);
}

function shorten(sql: string): string {
  const one = sql.replace(/\s+/g, ' ').trim();
  return one.length > 200 ? `${one.slice(0, 200)}…` : one;
}

/**
 * Runs one Kysely step (migrateUp or migrateDown) inside BEGIN IMMEDIATE … COMMIT together with
 * `bookkeeping`. Kysely's SQLite adapter runs migrations outside any transaction and records
 * them afterwards; on better-sqlite3's single connection, our transaction wraps both.
 */
async function oneStep(db: Db, name: string, direction: 'up' | 'down', step: (m: Migrator) => Promise<{ error?: unknown; results?: readonly { migrationName: string; status: string }[] }>, migrations: Migrations, bookkeeping: (ms: number) => void): Promise<number> {
  const failed = { sql: null as string | null };
  const migrator = new Migrator({ db: kyselyFor(db, failed), provider: { getMigrations: async () => ({ ...migrations }) } });
  const before = snapshotSchema(db);
  const started = performance.now();
  db.exec('BEGIN IMMEDIATE');
  try {
    const { error, results } = await step(migrator);
    if (error) throw error;
    const r = results?.[0];
    if (!r || r.migrationName !== name || r.status !== 'Success') throw new Error(`expected ${name} to run ${direction}, Kysely reported ${r ? `${r.migrationName} ${r.status}` : 'nothing'}`);
    const ms = performance.now() - started;
    bookkeeping(ms);
    db.exec('COMMIT');
    return ms;
  } catch (e) {
    if (db.inTransaction) db.exec('ROLLBACK');
    const diff = diffSchema(before, snapshotSchema(db));
    const where = failed.sql ? ` at statement \`${shorten(failed.sql)}\`` : '';
    const verdict = schemaDiffIsEmpty(diff)
      ? 'rolled back: the database is as it was (schema verified)'
      : `ROLLBACK DID NOT RESTORE THE SCHEMA (${describeSchemaDiff(diff).join(', ')}): restore the backup taken before migrating`;
    throw new MigrationError(`migration ${name} (${direction}) failed${where}: ${(e as Error).message}; ${verdict}`, { cause: e });
  }
}

/** Progress of `total` steps: report(step, index) before each, report('done', total) at the end. */
function reporter(total: number, onProgress?: (p: MigrationProgress) => void): (step: string, index: number) => void {
  const started = performance.now();
  return (step, index) =>
    onProgress?.({ step, index, total, percent: total === 0 ? 100 : Math.round((index / total) * 100), elapsedMs: Math.round(performance.now() - started) });
}

/** Applies pending migrations up to `to` (default: all), one transaction each. */
export async function applyMigrations(db: Db, options: { migrations?: Migrations; to?: string; onProgress?: (p: MigrationProgress) => void } = {}): Promise<StepResult[]> {
  const migrations = options.migrations ?? MIGRATIONS;
  const status = schemaStatus(db, migrations);
  assertMigratable(status);
  const todo = status.pending.filter((p) => options.to === undefined || p.name <= options.to);
  if (status.applied.some((a) => a.state === 'unrecorded')) backfillChecksums(db, status, migrations);
  const results: StepResult[] = [];
  const report = reporter(todo.length, options.onProgress);
  for (const [i, p] of todo.entries()) {
    report(p.name, i);
    const ms = await oneStep(db, p.name, 'up', (m) => m.migrateUp(), migrations, (t) => recordChecksum(db, p.name, p.checksum, t));
    results.push({ name: p.name, ms: Math.round(ms) });
  }
  report('done', todo.length);
  return results;
}

/**
 * The migration name a user means: a full name, or its number ("4", "0004"); "0" means before
 * the first migration (an empty schema).
 */
export function resolveMigrationName(text: string, migrations: Migrations = MIGRATIONS): string | null {
  const names = Object.keys(migrations).sort();
  if (/^0+$/.test(text)) return null;
  const exact = names.find((n) => n === text);
  if (exact) return exact;
  if (/^\d+$/.test(text)) {
    const found = names.find((n) => Number(n.split('_')[0]) === Number(text));
    if (found) return found;
  }
  throw new MigrationError(`no migration ${JSON.stringify(text)}: use a number (0 for an empty schema) or one of ${names.join(', ')}`);
}

/** Runs `down` migrations, newest first, until `to` is the last one applied (null: all of them). */
export async function rollbackMigrations(db: Db, to: string | null, options: { migrations?: Migrations; onProgress?: (p: MigrationProgress) => void } = {}): Promise<StepResult[]> {
  const migrations = options.migrations ?? MIGRATIONS;
  const status = schemaStatus(db, migrations);
  assertMigratable(status);
  const todo = status.applied.filter((a) => to === null || a.name > to).reverse();
  const results: StepResult[] = [];
  const report = reporter(todo.length, options.onProgress);
  for (const [i, a] of todo.entries()) {
    if (!migrations[a.name]!.down) throw new MigrationError(`migration ${a.name} has no down migration: cannot roll back past it`);
    report(a.name, i);
    const ms = await oneStep(db, a.name, 'down', (m) => m.migrateDown(), migrations, () => {
      db.prepare(`DELETE FROM ${CHECKSUM_TABLE} WHERE name = ?`).run(a.name);
    });
    results.push({ name: a.name, ms: Math.round(ms) });
  }
  report('done', todo.length);
  return results;
}
