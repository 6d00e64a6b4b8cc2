/**
 * Prepared statements per connection, by SQL text. A search builds its SQL from which filters
 * are present, so the set of texts is small and repeats; preparing each once per connection
 * spares SQLite's parser and planner on every page.
 */
import type { Statement } from 'better-sqlite3';
import type { Db } from '../open-database.js';

/** Past this many texts on one connection the cache starts over (a bound, not a tuning). */
const MAX_STATEMENTS = 256;
const caches = new WeakMap<Db, Map<string, Statement>>();

export function prepared(db: Db, sql: string): Statement {
  let cache = caches.get(db);
  if (!cache) caches.set(db, (cache = new Map()));
  let s = cache.get(sql);
  if (!s) {
    if (cache.size >= MAX_STATEMENTS) cache.clear();
    s = db.prepare(sql);
    cache.set(sql, s);
  }
  return s;
}
