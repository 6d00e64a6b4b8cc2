/**
 * How big the database is, from SQLite's own counters: pages in use (page_count minus the free
 * list) times the page size, plus the WAL file. Cheap: three PRAGMAs and one stat().
 */
import { statSync } from 'node:fs';
import type { Db } from '../open-database.js';

export type AutoVacuumMode = 'none' | 'full' | 'incremental';

export interface DatabaseSize {
  pageSize: number;
  pageCount: number;
  freelistPages: number;
  /** (pageCount - freelistPages) * pageSize: what the data takes. */
  usedBytes: number;
  /** pageCount * pageSize: the main file once the WAL is checkpointed. */
  fileBytes: number;
  walBytes: number;
  /** usedBytes + walBytes: what the size cap is compared with. */
  estimatedBytes: number;
}

const AUTO_VACUUM: readonly AutoVacuumMode[] = ['none', 'full', 'incremental'];

function pragmaNumber(db: Db, name: string): number {
  return Number(db.pragma(name, { simple: true }));
}

/** Path of the WAL file of a database opened from a file (empty for in-memory databases). */
export function walPath(db: Db): string {
  return db.memory ? '' : `${db.name}-wal`;
}

/** A file's size, 0 when it cannot be read (for reports and metrics, which must not fail on it). */
export function fileSizeOrZero(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}

export function fileBytes(path: string): number {
  if (!path) return 0;
  try {
    return statSync(path).size;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return 0;
    throw e;
  }
}

export function databaseSize(db: Db): DatabaseSize {
  const pageSize = pragmaNumber(db, 'page_size');
  const pageCount = pragmaNumber(db, 'page_count');
  const freelistPages = pragmaNumber(db, 'freelist_count');
  const usedBytes = (pageCount - freelistPages) * pageSize;
  const walBytes = fileBytes(walPath(db));
  return { pageSize, pageCount, freelistPages, usedBytes, fileBytes: pageCount * pageSize, walBytes, estimatedBytes: usedBytes + walBytes };
}

/**
 * The database's auto_vacuum mode. Only 'incremental' lets free pages be returned in small steps;
 * 'none' needs one full VACUUM to change (contrail db vacuum --full); 'full' returns them at every commit.
 */
export function autoVacuumMode(db: Db): AutoVacuumMode {
  return AUTO_VACUUM[pragmaNumber(db, 'auto_vacuum')] ?? 'none';
}
