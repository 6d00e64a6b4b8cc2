/**
 * The DuckDB mirror's files. The mirror is derived from the SQLite database it was fed from: when
 * that database is replaced (a restore, an adoption) while no engine runs, the files are deleted
 * and the next start rebuilds the mirror, instead of answering from the old database's rows.
 */
import { existsSync, rmSync } from 'node:fs';

/** DuckDB's file, its WAL and its spill directory. */
const MIRROR_SUFFIXES = ['', '.wal', '.tmp'];

/** Those of the mirror's files that exist now. */
export function existingMirrorFiles(duckdbPath: string): string[] {
  return MIRROR_SUFFIXES.map((s) => `${duckdbPath}${s}`).filter((p) => existsSync(p));
}

/** Deletes the mirror's files; returns what it deleted. */
export function removeMirror(duckdbPath: string): string[] {
  const files = existingMirrorFiles(duckdbPath);
  for (const f of files) rmSync(f, { recursive: true, force: true });
  return files;
}
