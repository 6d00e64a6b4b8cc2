/**
 * A migration's checksum is the SHA-256 of its reviewed source file, migrations/NAME.ts, with
 * line endings normalized (a Windows checkout must not look tampered). The source, not the
 * compiled output, so a compiler upgrade does not change it and tests (which run the .ts) and the
 * built CLI agree. A migration with no file (built in a test) is hashed by its functions' source.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Migration } from 'kysely';

let migrationsDir: string | null | undefined;
/** A file's checksum per process: the running code cannot change under it, and a waiting engine asks every second. */
const fileChecksums = new Map<string, string>();

/** The project's migrations/ folder: the nearest package.json above this file has it beside it. */
function findMigrationsDir(): string | null {
  if (migrationsDir !== undefined) return migrationsDir;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'migrations'))) return (migrationsDir = join(dir, 'migrations'));
    const up = dirname(dir);
    if (up === dir) return (migrationsDir = null);
    dir = up;
  }
}

function sha256(text: string): string {
  return createHash('sha256').update(text.replace(/\r\n/g, '\n')).digest('hex');
}

export function migrationChecksum(name: string, migration: Migration): string {
  const dir = findMigrationsDir();
  const file = dir === null ? null : join(dir, `${name}.ts`);
  if (file !== null && existsSync(file)) {
    let sum = fileChecksums.get(file);
    if (sum === undefined) fileChecksums.set(file, (sum = sha256(readFileSync(file, 'utf8'))));
    return sum;
  }
  return sha256(`${migration.up.toString()}\n${migration.down?.toString() ?? ''}`);
}
