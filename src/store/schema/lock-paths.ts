/** Lock files live beside the database they guard. */

/** Held by a running engine for as long as it runs. */
export function engineLockPath(dbPath: string): string {
  return `${dbPath}.engine.lock`;
}

/** Held while the schema changes (migrate, rollback, restore, adopt), by whichever process does it. */
export function migrationLockPath(dbPath: string): string {
  return `${dbPath}.migrate.lock`;
}
