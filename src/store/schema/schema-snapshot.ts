/** The schema as SQLite states it (sqlite_master), and the difference between two of them. */
import type { Db } from '../open-database.js';

export interface SchemaObject {
  type: string;
  name: string;
  tbl_name: string;
  sql: string | null;
}

export type SchemaSnapshot = ReadonlyMap<string, SchemaObject>;

export interface SchemaDiff {
  added: SchemaObject[];
  removed: SchemaObject[];
  changed: { before: SchemaObject; after: SchemaObject }[];
}

/**
 * Every table, index, view and trigger by name. SQLite's own bookkeeping (sqlite_*) is left
 * out: sqlite_stat1 appears after ANALYZE and sqlite_sequence after an AUTOINCREMENT insert,
 * neither of which is a schema change.
 */
export function snapshotSchema(db: Db): SchemaSnapshot {
  const rows = db.prepare("SELECT type, name, tbl_name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' ORDER BY name").all() as SchemaObject[];
  return new Map(rows.map((r) => [r.name, r]));
}

/** Whether the schema has a table, view, index or trigger of that name. */
export function schemaHas(db: Db, name: string): boolean {
  return db.prepare('SELECT 1 FROM sqlite_master WHERE name = ?').get(name) !== undefined;
}

export function diffSchema(before: SchemaSnapshot, after: SchemaSnapshot): SchemaDiff {
  const diff: SchemaDiff = { added: [], removed: [], changed: [] };
  for (const [name, a] of after) {
    const b = before.get(name);
    if (!b) diff.added.push(a);
    else if (b.sql !== a.sql || b.type !== a.type) diff.changed.push({ before: b, after: a });
  }
  for (const [name, b] of before) if (!after.has(name)) diff.removed.push(b);
  return diff;
}

export function schemaDiffIsEmpty(d: SchemaDiff): boolean {
  return d.added.length === 0 && d.removed.length === 0 && d.changed.length === 0;
}

/** One line per change, e.g. `+ table alert_terms`, `~ trigger messages_fts_update`. */
export function describeSchemaDiff(d: SchemaDiff): string[] {
  return [
    ...d.added.map((o) => `+ ${o.type} ${o.name}`),
    ...d.removed.map((o) => `- ${o.type} ${o.name}`),
    ...d.changed.map((c) => `~ ${c.after.type} ${c.after.name}`),
  ];
}
