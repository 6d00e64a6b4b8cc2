/**
 * `contrail alerts` as a user types it, against a database written by the real writer path
 * (decoded corpus frames through MessageWriter), engine stopped: add, rescan, ignore vetoes,
 * validation errors, remove, list, and refusal of a database whose schema is behind.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runContrail } from '../../bench/lib/engine-process.js';
import { compileMatcher } from '../../src/alerts/alert-matcher.js';
import { decodeFrames } from '../../src/decode/decode-frames.js';
import { FrameBatchBuilder } from '../../src/ingest/frame-batch.js';
import { migrateToLatest } from '../../src/store/migrate.js';
import { MessageWriter } from '../../src/store/message-writer.js';
import { openWriterDatabase } from '../../src/store/open-database.js';
import { applyMigrations } from '../../src/store/schema/migration-runner.js';
import { readCorpusFrames } from '../helpers/corpus.js';

const SOURCES = [
  { descriptor: 'udp', type: 'ACARS' as const },
  { descriptor: 'udp', type: 'VDL-M2' as const },
];
/** A flight of the kabq capture: in the flight column, and a whole word in some texts. */
const FLIGHT = 'WN4899';
/** A whole word (",KSTL,") in some of that flight's texts, but glued in "02E02KPHXKSTL" in another. */
const VETO = 'KSTL';
/** Matched at ingest, and not an alert term afterwards: a rescan must drop its matches. */
const STALE = 'ARINC';

interface Row {
  id: number;
  text: string | null;
  tail: string | null;
  flight: string | null;
  icao: string | null;
}

/** The test's own statement of the rules, kept apart from the matcher: word = letter, mark, digit or _. */
function wholeWord(text: string | null, word: string): boolean {
  return text !== null && new RegExp(`(?<![\\p{L}\\p{M}\\p{N}_])${word}(?![\\p{L}\\p{M}\\p{N}_])`, 'iu').test(text);
}

describe('contrail alerts', () => {
  let dataDir: string;
  let dbPath: string;
  const alerts = (args: string[]): ReturnType<typeof runContrail> => runContrail(['alerts', ...args], { CONTRAIL_DATA_DIR: dataDir });
  const ok = async (args: string[]): Promise<string> => {
    const r = await alerts(args);
    expect(r.code, r.stderr).toBe(0);
    return r.stdout;
  };
  const query = <T>(fn: (d: Database.Database) => T): T => {
    const d = new Database(dbPath, { readonly: true });
    try {
      return fn(d);
    } finally {
      d.close();
    }
  };
  const matchesOf = (term: string): string[] =>
    query((d) => (d.prepare('SELECT message_id, field FROM alert_matches WHERE term = ? ORDER BY message_id, field').all(term) as { message_id: number; field: string }[]).map((m) => `${m.message_id}:${m.field}`));
  const hitsOf = (term: string): number | undefined => query((d) => d.prepare('SELECT hits FROM alert_terms WHERE term = ?').pluck().get(term) as number | undefined);

  /** What FLIGHT should match, computed from the stored rows: LIKE on the short fields, the whole-word rule on text. */
  const expectedMatches = (veto: string | null): string[] =>
    query((d) => {
      const rows = d.prepare('SELECT id, text, tail, flight, icao FROM messages WHERE is_acars = 1 ORDER BY id').all() as Row[];
      const like = (field: 'tail' | 'flight' | 'icao', word: string): Set<number> =>
        new Set(d.prepare(`SELECT id FROM messages WHERE is_acars = 1 AND ${field} LIKE ?`).pluck().all(`%${word}%`) as number[]);
      const short = { tail: like('tail', FLIGHT), flight: like('flight', FLIGHT), icao: like('icao', FLIGHT) };
      const vetoShort = veto === null ? [] : [like('tail', veto), like('flight', veto), like('icao', veto)];
      const out: string[] = [];
      for (const r of rows) {
        if (veto !== null && (wholeWord(r.text, veto) || vetoShort.some((s) => s.has(r.id)))) continue;
        if (wholeWord(r.text, FLIGHT)) out.push(`${r.id}:text`);
        for (const f of ['flight', 'icao', 'tail'] as const) if (short[f].has(r.id)) out.push(`${r.id}:${f}`);
      }
      return out.sort((a, b) => Number(a.split(':')[0]) - Number(b.split(':')[0]) || a.localeCompare(b));
    });

  beforeEach(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'contrail-alerts-cli-'));
    dbPath = join(dataDir, 'contrail.sqlite');
    const db = openWriterDatabase(dbPath);
    await migrateToLatest(db);
    const frames = [
      ...readCorpusFrames('acarshub-kabq/raw-acars-messages.jsonl').map((text) => ({ text, source: 0 })),
      ...readCorpusFrames('acarshub-kabq/raw-vdlm2-messages.jsonl').map((text) => ({ text, source: 1 })),
    ];
    const b = new FrameBatchBuilder(frames.length);
    for (const f of frames) b.add(Buffer.from(f.text), f.source, 1_769_990_000_000, null);
    const decoded = decodeFrames(b.take().buffer, { sourceTypes: SOURCES.map((s) => s.type), storeNonAcars: true, matcher: compileMatcher([{ term: STALE, regex: false }], []) });
    new MessageWriter(db, SOURCES).writeBatch(decoded);
    db.pragma('wal_checkpoint(TRUNCATE)');
    db.close();
  });
  afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

  it('adds a term, rescans to exactly the matches the rules give, and an ignore term vetoes', { timeout: 60_000 }, async () => {
    expect(matchesOf(STALE).length).toBeGreaterThan(0);
    const expected = expectedMatches(null);
    // Not vacuous: the flight matches in both the text and the flight column.
    expect(expected.filter((m) => m.endsWith(':text')).length).toBeGreaterThanOrEqual(5);
    expect(expected.filter((m) => m.endsWith(':flight')).length).toBeGreaterThanOrEqual(10);

    const added = JSON.parse(await ok(['add', FLIGHT, '--json'])) as { term: string; regex: boolean; existed: boolean; rescan: unknown };
    expect(added).toMatchObject({ term: FLIGHT, regex: false, existed: false, rescan: null });
    // Adding alone does not touch stored messages.
    expect(matchesOf(FLIGHT)).toEqual([]);

    const summary = JSON.parse(await ok(['rescan', '--json'])) as { scanned: number; matches: number; terms: { term: string; hits: number }[]; seconds: number };
    expect(matchesOf(FLIGHT)).toEqual(expected);
    expect(hitsOf(FLIGHT)).toBe(expected.length);
    expect(summary.terms).toEqual([{ term: FLIGHT, regex: false, hits: expected.length }]);
    expect(summary.matches).toBe(expected.length);
    expect(summary.scanned).toBe(query((d) => d.prepare('SELECT count(*) FROM messages WHERE is_acars = 1').pluck().get()));
    // The ingest-time matches of a term no longer configured are gone.
    expect(matchesOf(STALE)).toEqual([]);

    const vetoed = expectedMatches(VETO);
    expect(vetoed.length).toBeGreaterThan(0);
    expect(vetoed.length).toBeLessThan(expected.length);
    const ignore = await ok(['add', VETO, '--ignore', '--rescan', '--no-progress']);
    expect(ignore).toContain(`added ignore term "${VETO}"`);
    expect(ignore).toMatch(/re-scanned \d+ messages/);
    expect(matchesOf(FLIGHT)).toEqual(vetoed);
    expect(hitsOf(FLIGHT)).toBe(vetoed.length);
    // The glued "KPHXKSTL" is not the word KSTL: that message keeps its match.
    const glued = query((d) => d.prepare("SELECT id FROM messages WHERE text LIKE '%KPHXKSTL%' AND flight = ?").pluck().all(FLIGHT) as number[]);
    expect(glued.length).toBeGreaterThan(0);
    for (const id of glued) expect(vetoed).toContain(`${id}:flight`);

    const list = JSON.parse(await ok(['list', '--json'])) as { terms: { term: string; regex: boolean; hits: number }[]; ignore: { term: string }[] };
    expect(list.terms).toEqual([expect.objectContaining({ term: FLIGHT, regex: false, hits: vetoed.length })]);
    expect(list.ignore.map((t) => t.term)).toEqual([VETO]);
    const human = await ok(['list']);
    expect(human).toMatch(new RegExp(`${FLIGHT}\\s+literal\\s+${vetoed.length}\\s`));

    // Without the ignore term, the vetoed matches come back.
    await ok(['remove', VETO.toLowerCase(), '--ignore']);
    const back = await ok(['rescan', '--no-progress']);
    expect(back).toMatch(new RegExp(`re-scanned \\d+ messages in [\\d.]+ s: ${expected.length} matches`));
    expect(matchesOf(FLIGHT)).toEqual(expected);
  });

  it('validates terms, names the one refused, and refuses to remove an unknown one', { timeout: 60_000 }, async () => {
    const plus = JSON.parse(await ok(['add', 'C++', '--json'])) as { term: string; regex: boolean };
    expect(plus).toMatchObject({ term: 'C++', regex: false });

    const bad = await alerts(['add', '(a)\\1', '--regex']);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toContain(JSON.stringify('(a)\\1'));
    expect(bad.stderr).toMatch(/linear-time engine/);
    const empty = await alerts(['add', '(x)?', '--regex']);
    expect(empty.code).not.toBe(0);
    expect(empty.stderr).toMatch(/"\(x\)\?" can match an empty string/);

    const missing = await alerts(['remove', 'NOSUCHTERM']);
    expect(missing.code).not.toBe(0);
    expect(missing.stderr).toContain('no alert term "NOSUCHTERM"');
    // An alert term is not an ignore term.
    const wrongKind = await alerts(['remove', 'C++', '--ignore']);
    expect(wrongKind.code).not.toBe(0);
    expect(wrongKind.stderr).toContain('no ignore term "C++"');

    const list = JSON.parse(await ok(['list', '--json'])) as { terms: { term: string; regex: boolean }[]; ignore: unknown[] };
    expect(list.terms.map((t) => t.term)).toEqual(['C++']);
    expect(list.ignore).toEqual([]);
    await ok(['remove', 'c++']);
    expect((JSON.parse(await ok(['list', '--json'])) as { terms: unknown[] }).terms).toEqual([]);
  });

  it('refuses a database whose schema is behind, saying to migrate', { timeout: 60_000 }, async () => {
    rmSync(dataDir, { recursive: true, force: true });
    dataDir = mkdtempSync(join(tmpdir(), 'contrail-alerts-cli-'));
    dbPath = join(dataDir, 'contrail.sqlite');
    const db = openWriterDatabase(dbPath);
    await applyMigrations(db, { to: '0006_alerts_and_history' });
    db.close();
    for (const args of [['list'], ['add', FLIGHT], ['rescan', '--no-progress']]) {
      const r = await alerts(args);
      expect(r.code, args.join(' ')).toBe(1);
      expect(r.stderr).toMatch(/schema is not current .*0007_message_intelligence.*run `contrail db migrate`/);
    }
    expect(query((d) => d.prepare('SELECT count(*) FROM alert_terms').pluck().get())).toBe(0);
  });
});
