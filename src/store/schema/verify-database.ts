/**
 * `contrail db verify`: SQLite's integrity check, FTS5's own check with rank 1 (which compares
 * the index with its content, the `acars_text` view), and the applied migrations' checksums.
 */
import type { Db } from '../open-database.js';
import { schemaStatus, type Migrations } from './migration-runner.js';
import { schemaHas } from './schema-snapshot.js';

export interface Check {
  name: string;
  ok: boolean;
  detail: string;
}

export interface VerifyReport {
  ok: boolean;
  checks: Check[];
}

function integrity(db: Db): Check {
  const rows = (db.pragma('integrity_check') as { integrity_check: string }[]).map((r) => r.integrity_check);
  const ok = rows.length === 1 && rows[0] === 'ok';
  return { name: 'sqlite integrity_check', ok, detail: ok ? 'ok' : rows.slice(0, 20).join('; ') };
}

function fts(db: Db): Check {
  if (!schemaHas(db, 'messages_fts')) return { name: 'fts5 integrity-check', ok: true, detail: 'no full-text index (empty schema)' };
  try {
    db.prepare("INSERT INTO messages_fts (messages_fts, rank) VALUES ('integrity-check', 1)").run();
    const docs = db.prepare('SELECT count(*) FROM messages_fts_docsize').pluck().get() as number;
    return { name: 'fts5 integrity-check', ok: true, detail: `ok: the index matches its content (${docs} documents)` };
  } catch (e) {
    return { name: 'fts5 integrity-check', ok: false, detail: `${(e as Error).message}: rebuild the index (sqlite3 contrail.sqlite "INSERT INTO messages_fts(messages_fts) VALUES('rebuild')") with the engine stopped` };
  }
}

function checksums(db: Db, migrations?: Migrations): Check {
  const s = schemaStatus(db, migrations);
  const problems = [
    ...s.tampered.map((n) => `${n}: tampered (its file changed after it was applied)`),
    ...s.unknown.map((n) => `${n}: unknown to this version (the database is newer)`),
  ];
  const unrecorded = s.applied.filter((a) => a.state === 'unrecorded').map((a) => a.name);
  const note = unrecorded.length ? `; ${unrecorded.length} applied before checksums were kept (recorded at the next migrate): ${unrecorded.join(', ')}` : '';
  return {
    name: 'migration checksums',
    ok: problems.length === 0,
    detail: problems.length ? problems.join('; ') : `${s.applied.length - unrecorded.length} applied migrations match their files${note}`,
  };
}

export function verifyDatabase(db: Db, migrations?: Migrations): VerifyReport {
  const checks = [integrity(db), fts(db), checksums(db, migrations)];
  return { ok: checks.every((c) => c.ok), checks };
}
