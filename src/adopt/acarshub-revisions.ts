/**
 * ACARS Hub's schema revisions, in the order they apply (see shared ACARSHUB.md). The Python
 * era used Alembic; the v4 TypeScript runner kept the same `alembic_version` table and ids.
 */

export const ALEMBIC_REVISIONS = [
  'e7991f1644b1', // initial schema (the Python-era tables)
  '0fc8b7cae596', // level split into level_<decoder>
  'a589d271a0a4', // freqs split into freqs_<decoder>
  '94d97e655180', // messages_fts + triggers
  '3168c906fb9e', // icao converted from decimal text to 6-digit upper hex
  '204a67756b9a', // messages.uid
  '171fe2c07bd9', // alert_matches(message_uid) replaces messages_saved
  '40fd0618348d', // aircraft_id, composite indexes
  'a1b2c3d4e5f6', // timeseries_stats (with resolution)
  'c3d4e5f6a1b2', // v4: FTS rebuilt
  'f0a1b2c3d4e5', // v4: time series deduplicated, rrd_import_registry
  'b6c7d8e9f0a1', // v4: timeseries_stats keyed by timestamp, resolution dropped
  '96f36b89016d', // v4: indexes dropped
  '803398f85958', // v4: alert_matches.message_id replaces message_uid, messages.uid dropped
  '8c9d47f5ed13', // v4: more indexes dropped
] as const;

export type AlembicRevision = (typeof ALEMBIC_REVISIONS)[number];

/** 1: Python era before Alembic; 2: Alembic revisions of the Python backend; 3: the v4 TypeScript backend. */
export type Generation = 1 | 2 | 3;

const FIRST_V4 = ALEMBIC_REVISIONS.indexOf('c3d4e5f6a1b2');
const ICAO_HEX_FROM = ALEMBIC_REVISIONS.indexOf('3168c906fb9e');

export function isKnownRevision(id: string): id is AlembicRevision {
  return (ALEMBIC_REVISIONS as readonly string[]).includes(id);
}

export function generationOf(revision: AlembicRevision | null): Generation {
  if (revision === null) return 1;
  return ALEMBIC_REVISIONS.indexOf(revision) >= FIRST_V4 ? 3 : 2;
}

/**
 * Before 3168c906fb9e ACARS Hub stored the ICAO address as decimal text ("11268872"); that
 * revision rewrote every stored value to hex, and later rows are hex already ("347245" is hex).
 */
export function icaoStoredAsDecimal(revision: AlembicRevision | null): boolean {
  return revision === null || ALEMBIC_REVISIONS.indexOf(revision) < ICAO_HEX_FROM;
}

export function revisionAtLeast(revision: AlembicRevision | null, than: AlembicRevision): boolean {
  return revision !== null && ALEMBIC_REVISIONS.indexOf(revision) >= ALEMBIC_REVISIONS.indexOf(than);
}
