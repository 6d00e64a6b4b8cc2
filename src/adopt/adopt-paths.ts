/** The files an adoption writes beside its output, and the ones SQLite keeps beside each database. */

/** A SQLite database file, then the WAL, shared-memory and rollback-journal files SQLite keeps beside it. */
export const SQLITE_SUFFIXES: readonly string[] = ['', '-wal', '-shm', '-journal'];

/** Where an adoption into `output` builds the new database, and where it keeps its copy of the source. */
export function adoptionTempPaths(output: string): { building: string; copy: string } {
  return { building: `${output}.adopting`, copy: `${output}.adopting-source` };
}
