/**
 * Search and history on a real store (the real writer, corpus rows and crafted ones), checked
 * against an oracle that reads every row: every filter alone and combined, whole words against
 * substrings, characters that are syntax elsewhere, keyset pages while rows keep arriving, the
 * count made once, cursors refused with other filters, and the query plans of the main shapes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ContrailError } from '../../src/errors.js';
import { recent, messageById, search, type SearchPage } from '../../src/store/reads/search.js';
import { parseRecentRequest, parseSearchRequest } from '../../src/store/reads/search-request.js';
import { countSql, pageSql, searchSides, spanSql } from '../../src/store/reads/search-sql.js';
import { allRows, expectedIds, type Row } from './search-oracle.js';
import { NOW, openSearchFixture, type SearchFixture } from './search-fixture.js';

let fx: SearchFixture;
let rows: Row[];

beforeAll(async () => {
  fx = await openSearchFixture();
  rows = allRows(fx.reader);
});
afterAll(() => fx?.dispose());

type Params = Record<string, string>;

/** Every page of a search (a bounded number), with each page's reply. */
function allPages(p: Params, limit = 200): { ids: number[]; pages: SearchPage[] } {
  const pages: SearchPage[] = [];
  let cursor: string | null = null;
  for (let n = 0; n < 100; n++) {
    const page = search(fx.reader, parseSearchRequest({ ...p, limit: String(limit), ...(cursor ? { cursor } : {}) }, NOW));
    pages.push(page);
    cursor = page.next;
    if (cursor === null) break;
  }
  expect(cursor, 'a search ended within 100 pages').toBeNull();
  return { ids: pages.flatMap((pg) => pg.messages.map((m) => m.id)), pages };
}

function check(p: Params): number[] {
  const { ids, pages } = allPages(p);
  const want = expectedIds(rows, parseSearchRequest(p, NOW).filters);
  expect(ids, JSON.stringify(p)).toEqual(want);
  for (const pg of pages) expect(pg.total, `total of ${JSON.stringify(p)}`).toBe(want.length);
  return ids;
}

const valueOf = (col: string, pick: (r: Row) => boolean = () => true): string => {
  const r = rows.find((x) => typeof x[col] === 'string' && pick(x));
  if (!r) throw new Error(`no row with ${col}`);
  return r[col] as string;
};

describe('search filters', () => {
  it('each filter alone returns exactly the rows the oracle finds', () => {
    const acarsFlight = valueOf('flight', (r) => r.is_acars === 1);
    const hfdlFlight = valueOf('flight', (r) => r.is_acars === 0 && (r.flight as string).endsWith(' '));
    const linkIcao = valueOf('icao', (r) => r.is_acars === 0);
    const cases: Params[] = [
      {},
      { flight: acarsFlight },
      { flight: hfdlFlight.trim().toLowerCase() },
      { flight: `${acarsFlight.slice(0, 2)}*` },
      { tail: 'N8560Z' },
      { tail: '.n77' },
      { tail: 'A7-*' },
      { icao: linkIcao },
      { icao: 'ABC123' },
      { icao: `${linkIcao.slice(0, 2)}*` },
      { depa: 'PHX.' },
      { dsta: 'kphx' },
      { freq: '131.55' },
      { freq_min: '130', freq_max: '132' },
      { freq_min: '1000' },
      { label: 'H1' },
      { label: '_d' },
      { label: ':;' },
      { msgno: 'm01a' },
      { station: 'KABQ-B' },
      { station: 'été-Ü' },
      { station: 'ÉTÉ-Ü' },
      { type: 'hfdl' },
      { from: String(NOW - 86_400) },
      { to: String(NOW - 86_400) },
      { from: new Date((NOW - 7200) * 1000).toISOString(), to: String(NOW - 3000) },
      { text: 'KPHX' },
      { text: 'kphx kdfw' },
      { text: 'POS*' },
      { substring: 'phx' },
    ];
    for (const p of cases) check(p);
    // The cases find something: an oracle that matched nothing would prove nothing.
    expect(check({ icao: 'ABC123' })).toHaveLength(3);
    expect(check({ flight: hfdlFlight.trim() }).length).toBeGreaterThan(0);
    expect(check({ label: ':;' }).length).toBeGreaterThan(1);
    // NOCASE folds ASCII letters only, as documented.
    expect(check({ station: 'ÉTÉ-Ü' }).length).toBeGreaterThan(0);
    expect(check({ station: 'été-Ü' })).toEqual([]);
  });

  it('combined filters all apply, whatever side of the index they are on', () => {
    const cases: Params[] = [
      { text: 'KPHX', type: 'VDL-M2' },
      { text: 'KPHX', from: String(NOW - 86_400), to: String(NOW - 3600), type: 'ACARS' },
      { text: 'kphx', substring: 'kdfw' },
      { tail: 'N8560Z', label: 'H1', from: String(NOW - 86_400) },
      { icao: 'ABC123', type: 'VDL-M2' },
      { icao: 'ABC123', flight: 'TEST1' },
      { flight: 'SWA7', text: 'engine' },
      { station: 'kabq-a', freq_min: '130', freq_max: '132', from: String(NOW - 40_000) },
      { type: 'HFDL', substring: 'a' },
      { dsta: 'KPHX', icao: 'ABC123' },
      { label: ':;', text: 'cafe' },
    ];
    for (const p of cases) check(p);
  });

  it('whole words against substrings; characters that are syntax elsewhere are literal', () => {
    // "ENG" is not a word of "ENGINE"; as a prefix or a substring it is.
    expect(check({ text: 'ENG', flight: 'SWA7' })).toEqual([]);
    expect(check({ text: 'ENG*', flight: 'SWA7' })).toHaveLength(1);
    expect(check({ substring: 'NGINE FA' }).length).toBeGreaterThan(0);
    // FTS5 syntax as words: a phrase of its letters, never an operator.
    for (const text of ['NEAR(KPHX)', '"ENGINE', 'col:val', 'OR', 'AND KDFW', '^x', 'done_ok', '10:42', 'ete resume', 'NAIVE', "O'HARE", 'C++']) {
      const ids = check({ text });
      expect(ids.length, text).toBeGreaterThan(0);
    }
    // LIKE and GLOB wildcards, quotes and backslashes in a substring are just characters.
    for (const substring of ['100%', '50%_off', '%', '_', '*', "'quoted'", '\\ path', '"ENGINE FAIL"']) {
      expect(check({ substring }).length, substring).toBeGreaterThan(0);
    }
    expect(check({ substring: '%%' })).toEqual([]);
  });

  it('refuses bad values naming the parameter and what it allows', () => {
    const refused = (p: Params, pattern: RegExp): void => {
      let err: unknown;
      try {
        parseSearchRequest(p, NOW);
      } catch (e) {
        err = e;
      }
      expect(err, JSON.stringify(p)).toBeInstanceOf(ContrailError);
      expect((err as ContrailError).code).toBe('CONTRAIL_ERR_BAD_REQUEST');
      expect((err as Error).message).toMatch(pattern);
    };
    refused({ icao: 'XYZ' }, /^icao "XYZ": 6 hexadecimal digits/);
    refused({ flight: 'A B' }, /^flight "A B": 1 to 16/);
    refused({ tail: '---' }, /^tail "---"/);
    refused({ type: 'ADSB' }, /^type "ADSB": one of ACARS, VDL-M2, HFDL, IMS-L, IRDM/);
    refused({ freq: 'x' }, /^freq "x": a frequency in MHz/);
    refused({ freq: '131.55', freq_min: '130' }, /not both/);
    refused({ from: 'yesterday' }, /^from "yesterday" is not a time/);
    refused({ from: String(NOW), to: String(NOW - 1) }, /must be before/);
    refused({ text: '+++' }, /^text: "\+\+\+" has no letter or digit.*substring=/);
    refused({ limit: '501' }, /^limit "501": an integer from 1 to 500/);
    refused({ flihgt: 'X' }, /^unknown parameter "flihgt"; parameters are flight, tail/);
    refused({ cursor: 'garbage' }, /^cursor: not a cursor from this server/);
    expect(() => parseRecentRequest({ text: 'KPHX' }, NOW)).toThrow(/^text: history takes no text filter/);
  });
});

describe('keyset pages', () => {
  it('pages newest first with no duplicate and no gap while rows keep arriving; the total is counted once', () => {
    const p = { text: 'KPHX', limit: '40' };
    const first = search(fx.reader, parseSearchRequest(p, NOW));
    const topId = first.messages[0]!.id;
    const wanted = expectedIds(allRows(fx.reader), parseSearchRequest(p, NOW).filters);
    expect(first.total).toBe(wanted.length);
    const seen = first.messages.map((m) => m.id);
    let cursor = first.next;
    let inserted = 0;
    for (let n = 0; n < 100 && cursor !== null; n++) {
      // New rows, KPHX among them, between every two pages.
      inserted += fx.append(200, NOW + n).length;
      const page = search(fx.reader, parseSearchRequest({ ...p, cursor }, NOW));
      expect(page.total, 'the total is the first page\'s, carried by the cursor').toBe(first.total);
      seen.push(...page.messages.map((m) => m.id));
      cursor = page.next;
    }
    expect(cursor).toBeNull();
    expect(inserted).toBeGreaterThan(0);
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen).toEqual(wanted.filter((id) => id <= topId));
    // A new first page sees the new rows, and counts them.
    const again = search(fx.reader, parseSearchRequest(p, NOW));
    expect(again.total).toBeGreaterThan(first.total);
    expect(again.messages[0]!.id).toBeGreaterThan(topId);
    rows = allRows(fx.reader);
  });

  it('a relative time range keeps the first page\'s window on later pages', () => {
    const p = { from: '30h', to: '2h', limit: '100' };
    const first = search(fx.reader, parseSearchRequest(p, NOW));
    const wanted = expectedIds(rows, parseSearchRequest(p, NOW).filters);
    const ids = first.messages.map((m) => m.id);
    let cursor = first.next;
    // Later pages are read 10 minutes later: `30h` now means another window, the cursor keeps the first.
    for (let n = 0; n < 100 && cursor !== null; n++) {
      const page = search(fx.reader, parseSearchRequest({ ...p, cursor }, NOW + 600));
      ids.push(...page.messages.map((m) => m.id));
      cursor = page.next;
    }
    expect(ids).toEqual(wanted);
    expect(first.total).toBe(wanted.length);
  });

  it('refuses a cursor with other filters', () => {
    const first = search(fx.reader, parseSearchRequest({ tail: 'N8560Z', limit: '5' }, NOW));
    expect(first.next).not.toBeNull();
    expect(() => parseSearchRequest({ tail: 'N8560Y', cursor: first.next! }, NOW)).toThrow(/^cursor: it belongs to a search with other filters/);
    expect(() => parseSearchRequest({ tail: 'N8560Z', type: 'ACARS', cursor: first.next! }, NOW)).toThrow(/other filters/);
    // The page size may change between pages; the filters may not.
    expect(parseSearchRequest({ tail: 'n8560z', limit: '7', cursor: first.next! }, NOW).cursor).toMatchObject({ before: first.messages.at(-1)!.id });
  });

  it('an empty time range answers at once with nothing', () => {
    expect(search(fx.reader, parseSearchRequest({ from: String(NOW + 86_400) }, NOW))).toEqual({ messages: [], next: null, total: 0 });
  });
});

describe('history and single messages', () => {
  it('recent gives the newest N matching the filters, the search\'s first page without a count', () => {
    const r = recent(fx.reader, parseRecentRequest({ type: 'ACARS', limit: '300' }, NOW));
    expect(r.messages.map((m) => m.id)).toEqual(expectedIds(rows, { type: 'ACARS' }).slice(0, 300));
    expect(recent(fx.reader, parseRecentRequest({}, NOW)).messages).toHaveLength(250);
  });

  it('a stored message reads like a live one: same field names, label items decoded again, enrichment, parts', () => {
    const decoded = rows.find((r) => typeof r.label_decoded === 'string' && !(r.label_decoded as string).includes('"error"') && r.multipart_id !== null);
    const id = (decoded ?? rows.find((r) => typeof r.label_decoded === 'string'))!.id as number;
    const m = messageById(fx.reader, id)!;
    expect(Object.keys(m)).toEqual(expect.arrayContaining(['id', 'receivedAt', 'type', 'decoder', 'isAcars', 'frameKind', 'time', 'station', 'freq', 'blockId', 'srcAddr', 'dstAddr', 'decoded', 'extra', 'labelDecoded', 'decodeLevel', 'copies']));
    const stored = JSON.parse(rows.find((r) => r.id === id)!.label_decoded as string) as Record<string, unknown>;
    expect(m.labelDecoded).toMatchObject(stored);
    expect(Array.isArray(m.labelDecoded!.items)).toBe(true);
    expect((m.labelDecoded!.items as unknown[]).length).toBeGreaterThan(0);
    if (decoded) expect(m.multipart).toMatchObject({ id: decoded.multipart_id, parts: expect.arrayContaining([{ id, part: (decoded.msgno as string).slice(3) }]) });
    expect(messageById(fx.reader, 999_999_999)).toBeNull();
  });
});

describe('query plans', () => {
  const plan = (p: Params): string[] => {
    const f = parseSearchRequest(p, NOW).filters;
    const out: string[] = [];
    const span = spanSql(f);
    const explain = (sql: string, params: unknown[]): string => (fx.reader.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...params) as { detail: string }[]).map((x) => x.detail).join(' | ');
    if (span) out.push(`span: ${explain(span.sql, span.params)}`);
    const range = { before: 1000, lo: span ? 1 : null, hi: span ? 2000 : null };
    for (const side of searchSides(f)) {
      const page = pageSql(side, range, 51);
      out.push(`${side.kind} page: ${explain(page.sql, page.params)}`);
      const count = countSql(side, { ...range, before: null });
      out.push(`${side.kind} count: ${explain(count.sql, count.params)}`);
    }
    return out;
  };

  it('text only: the full-text index in id order, rows by primary key, no sort', () => {
    const p = plan({ text: 'KPHX' });
    expect(p).toHaveLength(2);
    expect(p[0]).toMatch(/^fts page: SCAN messages_fts VIRTUAL TABLE INDEX \S+ \| SEARCH m USING INTEGER PRIMARY KEY \(rowid=\?\)$/);
    expect(p[1]).toMatch(/^fts count: SCAN messages_fts VIRTUAL TABLE INDEX \S+$/);
  });

  it('tail only: the full-text index for ACARS rows, the link-frame index for the rest', () => {
    const p = plan({ tail: 'N8560Z' });
    expect(p[0]).toMatch(/^fts page: SCAN messages_fts VIRTUAL TABLE/);
    expect(p[2]).toBe('link page: SEARCH m USING INDEX messages_link_tail (<expr>=? AND rowid<?)');
    expect(p[3]).toBe('link count: SEARCH m USING INDEX messages_link_tail (<expr>=?)');
    expect(p.join('\n')).not.toMatch(/TEMP B-TREE|SCAN m\b/);
  });

  it('time range only: ids from the time index, then a primary-key range', () => {
    const p = plan({ from: String(NOW - 3600), to: String(NOW) });
    expect(p).toEqual([
      'span: SEARCH messages USING COVERING INDEX messages_msg_time (msg_time>? AND msg_time<?)',
      'all page: SEARCH m USING INTEGER PRIMARY KEY (rowid>? AND rowid<?)',
      'all count: SEARCH m USING INTEGER PRIMARY KEY (rowid>? AND rowid<?)',
    ]);
  });

  it('text, time and type: the full-text index within the time range\'s ids', () => {
    const p = plan({ text: 'KPHX', from: String(NOW - 86_400), type: 'ACARS' });
    expect(p[0]).toMatch(/^span: SEARCH messages USING COVERING INDEX messages_msg_time/);
    expect(p[1]).toMatch(/^fts page: SCAN messages_fts VIRTUAL TABLE INDEX \S*[<>]\S* \| SEARCH m USING INTEGER PRIMARY KEY \(rowid=\?\)$/);
    expect(p).toHaveLength(3);
    expect(p.join('\n')).not.toMatch(/TEMP B-TREE/);
  });
});
