/**
 * Alert terms and ignore terms in the database (tables alert_terms and ignore_terms): listed,
 * added and removed by the admin API (through the writer) and by `contrail alerts` (directly,
 * with or without the engine running: the engine notices the change and reloads them).
 */
import type { Db } from '../store/open-database.js';
import { NotFoundError } from '../errors.js';
import { validateTerm, type AlertTermKind, type AlertTermSpec } from './alert-term.js';

export interface StoredTerm extends AlertTermSpec {
  /** Matches counted (alert terms only). */
  hits?: number;
  createdAt: number;
}

export interface TermSet {
  terms: AlertTermSpec[];
  ignore: AlertTermSpec[];
}

const TABLE: Record<AlertTermKind, string> = { alert: 'alert_terms', ignore: 'ignore_terms' };

export function listTerms(db: Db): { terms: StoredTerm[]; ignore: StoredTerm[] } {
  const terms = db.prepare('SELECT term, is_regex, hits, created_at FROM alert_terms ORDER BY term').all() as { term: string; is_regex: number; hits: number; created_at: number }[];
  const ignore = db.prepare('SELECT term, is_regex, created_at FROM ignore_terms ORDER BY term').all() as { term: string; is_regex: number; created_at: number }[];
  return {
    terms: terms.map((t) => ({ term: t.term, regex: t.is_regex === 1, hits: t.hits, createdAt: t.created_at })),
    ignore: ignore.map((t) => ({ term: t.term, regex: t.is_regex === 1, createdAt: t.created_at })),
  };
}

/** What the matcher needs, in a stable order (compared to notice changes). */
export function termSet(db: Db): TermSet {
  const { terms, ignore } = listTerms(db);
  return { terms: terms.map(({ term, regex }) => ({ term, regex })), ignore: ignore.map(({ term, regex }) => ({ term, regex })) };
}

/** Adds a term (validated); adding one that exists (any case) updates its regex flag. Returns the stored spec. */
export function addTerm(db: Db, input: unknown, kind: AlertTermKind): AlertTermSpec {
  const spec = validateTerm(input, kind);
  db.prepare(`INSERT INTO ${TABLE[kind]} (term, is_regex, created_at) VALUES (?, ?, ?) ON CONFLICT (term) DO UPDATE SET is_regex = excluded.is_regex`).run(
    spec.term,
    spec.regex ? 1 : 0,
    Math.floor(Date.now() / 1000),
  );
  return spec;
}

/** Removes a term (case-insensitive). Throws when there is no such term. */
export function removeTerm(db: Db, term: string, kind: AlertTermKind): void {
  const changes = db.prepare(`DELETE FROM ${TABLE[kind]} WHERE term = ?`).run(term).changes;
  if (changes === 0) throw new NotFoundError(`no ${kind === 'alert' ? 'alert' : 'ignore'} term ${JSON.stringify(term)}`);
}
