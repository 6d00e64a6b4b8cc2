/**
 * compileMatcher: whole words in text, substrings in tail/flight/ICAO, literal special
 * characters, ignore vetoes, linear-time regex terms, Unicode words, and real corpus messages.
 */

import { beforeAll, describe, expect, it } from 'vitest';
import { compileMatcher, type AlertMatch, type AlertSubject } from '../../src/alerts/alert-matcher.js';
import { AlertTermError, type AlertTermSpec } from '../../src/alerts/alert-term.js';
import { compileLinear, enableLinearRegex } from '../../src/alerts/linear-regex.js';
import { readCorpusFrames } from '../helpers/corpus.js';

beforeAll(() => {
  expect(enableLinearRegex()).toBe(true);
});

interface AcarsFrame {
  text?: string;
  tail?: string;
  flight?: string;
}

const FRAMES: AcarsFrame[] = readCorpusFrames('acarshub-kabq/raw-acars-messages.jsonl').map(
  (s) => JSON.parse(s) as AcarsFrame,
);

function subject(f: AcarsFrame, icao: string | null = null): AlertSubject {
  return { text: f.text ?? null, tail: f.tail ?? null, flight: f.flight ?? null, icao };
}

/** The first corpus frame whose text contains `needle`. */
function frameWith(needle: string): AcarsFrame {
  const f = FRAMES.find((x) => x.text?.includes(needle));
  if (f === undefined) throw new Error(`no corpus frame contains ${JSON.stringify(needle)}`);
  return f;
}

const lit = (term: string): AlertTermSpec => ({ term, regex: false });
const rx = (term: string): AlertTermSpec => ({ term, regex: true });

function textOnly(text: string): AlertSubject {
  return { text, tail: null, flight: null, icao: null };
}

/** The terms (literal) that match `text`. */
function matchText(terms: string[], text: string): string[] {
  return compileMatcher(terms.map(lit), [])
    .match(textOnly(text))
    .map((m) => m.term);
}

describe('literal terms in text: whole words, taken literally', () => {
  it('C++ matches as a word, not inside a longer run of +', () => {
    expect(matchText(['C++'], 'REPAIR C++ UNIT')).toEqual(['C++']);
    expect(matchText(['C++'], 'UNIT (C++) OK')).toEqual(['C++']);
    expect(matchText(['C++'], 'C++, THEN')).toEqual(['C++']);
    expect(matchText(['C++'], 'REPAIR C+++ UNIT')).toEqual([]);
    expect(matchText(['C++'], 'ABC++')).toEqual([]);
    expect(matchText(['C++'], 'C+')).toEqual([]);
  });

  it('a symbol at the edge of a term delimits it by itself', () => {
    expect(matchText(['C++'], 'C++X')).toEqual(['C++']);
    expect(matchText(['/AD'], '/FB 0304/AD KPHX')).toEqual(['/AD']);
    expect(matchText(['/AD'], '0304//AD')).toEqual([]);
    expect(matchText(['/AD'], '0304/ADX')).toEqual([]);
    expect(matchText(['-TOP'], 'CLB-TOP,FL350')).toEqual(['-TOP']);
  });

  it('escapes regex metacharacters', () => {
    expect(matchText(['A.B'], 'AXB')).toEqual([]);
    expect(matchText(['A.B'], 'GATE A.B OPEN')).toEqual(['A.B']);
    expect(matchText(['$'], 'PAY $ 20')).toEqual(['$']);
    expect(matchText(['$'], 'US$20')).toEqual(['$']);
    expect(matchText(['$'], 'US$$20')).toEqual([]);
    expect(matchText(['$'], 'NO DOLLAR')).toEqual([]);
    expect(matchText(['\\'], 'A \\ B')).toEqual(['\\']);
    expect(matchText(['\\'], 'A \\\\ B')).toEqual([]);
    expect(matchText(['['], 'X [ Y')).toEqual(['[']);
    expect(matchText(['['], 'X Y')).toEqual([]);
    expect(matchText(['A|B'], 'A')).toEqual([]);
    expect(matchText(['A|B'], 'SEE A|B')).toEqual(['A|B']);
    expect(matchText(['A*'], 'AAAA')).toEqual([]);
    expect(matchText(['A*'], 'ROW A* SEATS')).toEqual(['A*']);
  });

  it('( alone matches a real position report that opens with it, and not a doubled one', () => {
    const f = frameWith('(2N');
    expect(f.text!.startsWith('(')).toBe(true);
    expect(compileMatcher([lit('(')], []).match(subject(f))).toEqual([{ term: '(', field: 'text' }]);
    expect(matchText(['('], '((2N34496')).toEqual([]);
    expect(matchText(['('], 'NO PARENS')).toEqual([]);
  });

  it('symbol-edged terms need the symbol run to end: **REVISED is not in ***REVISED', () => {
    const text = frameWith('***REVISED SEGMENT***').text!;
    expect(matchText(['***REVISED'], text)).toEqual(['***REVISED']);
    expect(matchText(['**REVISED'], text)).toEqual([]);
    expect(matchText(['SEGMENT***'], text)).toEqual(['SEGMENT***']);
  });

  it('is case-insensitive', () => {
    expect(matchText(['kphx', 'Kstl'], 'B737-800,260201,WN4899,KPHX,KSTL,0994')).toEqual(['kphx', 'Kstl']);
    expect(matchText(['mayday'], 'MAYDAY MAYDAY')).toEqual(['mayday']);
  });

  it('a term does not match inside a longer word', () => {
    const f = frameWith('WN4899,KPHX');
    expect(compileMatcher([lit('WN48')], []).match({ ...subject(f), flight: null })).toEqual([]);
    expect(matchText(['CREW'], frameWith('ALL FLIGHT CREWMEMBERS').text!)).toEqual([]);
    expect(matchText(['CREW'], 'CREW   5')).toEqual(['CREW']);
  });

  it('a space in a term matches any whitespace, line breaks included', () => {
    const text = frameWith('ISSUED UNTIL\r\nALL FLIGHT').text!;
    expect(matchText(['UNTIL ALL'], text)).toEqual(['UNTIL ALL']);
    expect(matchText(['FILED CLEARANCE'], frameWith('FILED CLEARANCE').text!)).toEqual(['FILED CLEARANCE']);
    expect(matchText(['UNTILALL'], text)).toEqual([]);
  });

  it('treats Unicode letters, marks and digits as word characters', () => {
    expect(matchText(['ZÜRICH'], 'divert to zürich now')).toEqual(['ZÜRICH']);
    expect(matchText(['ZÜRICH'], 'ZÜRICHSEE')).toEqual([]);
    expect(matchText(['CAF'], 'CAFÉ')).toEqual([]);
    expect(matchText(['CAFE'], 'CAFE\u0301 OPEN')).toEqual([]); // E + combining acute
    expect(matchText(['CAFE'], 'CAFE, OPEN')).toEqual(['CAFE']);
    expect(matchText(['ΣΟΣ'], 'σοσ σήμα')).toEqual(['ΣΟΣ']);
    expect(matchText(['7700'], 'SQUAWK ٣7700')).toEqual([]); // Arabic-Indic digit glued on
  });
});

describe('tail, flight and ICAO: substrings', () => {
  const f = frameWith('WN4899,KPHX'); // tail N8560Z, flight WN4899

  it('matches inside the value, case-insensitively', () => {
    expect(f.tail).toBe('N8560Z');
    expect(f.flight).toBe('WN4899');
    const m = compileMatcher([lit('WN48'), lit('n856'), lit('a1b2')], []);
    expect(m.match(subject(f, 'A1B2C3'))).toEqual([
      { term: 'n856', field: 'tail' },
      { term: 'WN48', field: 'flight' },
      { term: 'a1b2', field: 'icao' },
    ]);
    expect(m.match(subject(f, 'ABCDEF'))).toEqual([
      { term: 'n856', field: 'tail' },
      { term: 'WN48', field: 'flight' },
    ]);
  });

  it('skips null fields', () => {
    const m = compileMatcher([lit('N8560Z')], []);
    expect(m.match({ text: null, tail: null, flight: null, icao: null })).toEqual([]);
    expect(m.match({ text: null, tail: 'N8560Z', flight: null, icao: null })).toEqual([{ term: 'N8560Z', field: 'tail' }]);
  });
});

describe('several terms and fields', () => {
  it('reports each term once per field it matched, fields then configured order', () => {
    const f = frameWith('WN4899,KPHX,KSTL'); // tail N8560Z, flight WN4899, text "…,8560,B737-800,…"
    const m = compileMatcher([lit('KSTL'), lit('WN4899'), lit('B737-800'), lit('NOTHERE'), lit('8560')], []);
    expect(m.match(subject(f))).toEqual([
      { term: 'KSTL', field: 'text' },
      { term: 'WN4899', field: 'text' },
      { term: 'B737-800', field: 'text' },
      { term: '8560', field: 'text' },
      { term: '8560', field: 'tail' },
      { term: 'WN4899', field: 'flight' },
    ]);
  });

  it('reports a term once even when it occurs many times, and a repeated term once', () => {
    const m = compileMatcher([lit('KPHX'), lit('KPHX'), lit('kphx ')], []);
    expect(m.match(textOnly('KPHX KPHX KPHX'))).toEqual([
      { term: 'KPHX', field: 'text' },
      { term: 'kphx', field: 'text' },
    ]);
  });

  it('finds exactly what one matcher per term finds, over the whole corpus', () => {
    const terms = ['KPHX', 'ARINC', 'N758US', 'C++', 'CLOSED', '(', 'AA2380', 'RWY 8', 'SIX', 'N8', '4202', '-'];
    const all = compileMatcher(terms.map(lit), []);
    const singles = terms.map((t) => compileMatcher([lit(t)], []));
    let matched = 0;
    for (const f of FRAMES) {
      const expected: AlertMatch[] = singles.flatMap((s) => s.match(subject(f)));
      const order = ['text', 'tail', 'flight', 'icao'];
      expected.sort((a, b) => order.indexOf(a.field) - order.indexOf(b.field));
      expect(all.match(subject(f))).toEqual(expected);
      if (expected.length > 0) matched++;
    }
    expect(matched).toBeGreaterThan(100);
  });
});

describe('ignore terms veto', () => {
  const f = frameWith('WN4899,KPHX');

  it('a matching ignore term in any field empties the result', () => {
    expect(compileMatcher([lit('KPHX')], []).match(subject(f))).toEqual([{ term: 'KPHX', field: 'text' }]);
    expect(compileMatcher([lit('KPHX')], [lit('n8560')]).match(subject(f))).toEqual([]); // tail
    expect(compileMatcher([lit('KPHX')], [lit('WN48')]).match(subject(f))).toEqual([]); // flight substring
    expect(compileMatcher([lit('KPHX')], [lit('kstl')]).match(subject(f))).toEqual([]); // text word
    expect(compileMatcher([lit('KPHX')], [lit('ABC')]).match(subject(f, 'ABC123'))).toEqual([]); // icao
    expect(compileMatcher([lit('KPHX')], [rx('B7\\d7-8')]).match(subject(f))).toEqual([]); // regex on text
  });

  it('an ignore term follows the same rules, so a non-matching one does not veto', () => {
    const expected = [{ term: 'KPHX', field: 'text' }];
    expect(compileMatcher([lit('KPHX')], [lit('WN48')]).match({ ...subject(f), flight: null })).toEqual(expected);
    expect(compileMatcher([lit('KPHX')], [lit('B73')]).match(subject(f))).toEqual(expected);
    expect(compileMatcher([lit('KPHX')], [rx('N\\d{4}Z')]).match(subject(f))).toEqual(expected); // tail is not searched by regex
  });

  it('B737 is a whole word in B737-800, so it vetoes', () => {
    expect(compileMatcher([lit('KPHX')], [lit('B737')]).match(subject(f))).toEqual([]);
  });
});

describe('regex terms (linear-time engine, text only)', () => {
  it('match text case-insensitively', () => {
    const m = compileMatcher([rx('squawk\\s*7[5-7]00'), rx('^\\(2N\\d+W')], []);
    expect(m.match(textOnly('PLS SQUAWK7700 NOW'))).toEqual([{ term: 'squawk\\s*7[5-7]00', field: 'text' }]);
    expect(m.match(textOnly('squawk 7400'))).toEqual([]);
    expect(m.match(subject(frameWith('(2N')))).toEqual([{ term: '^\\(2N\\d+W', field: 'text' }]);
  });

  it('are not run against tail, flight or ICAO', () => {
    const f = frameWith('WN4899,KPHX');
    const m = compileMatcher([rx('N\\d{4}Z'), rx('^WN\\d+$')], []);
    expect(m.match(subject(f, 'N1234Z'))).toEqual([]);
    expect(m.match(textOnly('TAIL N8560Z'))).toEqual([{ term: 'N\\d{4}Z', field: 'text' }]);
  });

  it('^(a+)+$ on a long a…ab returns quickly without matching', () => {
    const m = compileMatcher([rx('^(a+)+$')], []);
    const text = `${'a'.repeat(50_000)}b`;
    const start = performance.now();
    expect(m.match(textOnly(text))).toEqual([]);
    // Linear: a few ms. Backtracking doubles per 'a' (seconds at 30), so no scheduler stall
    // explains 5 s, while backtracking on 50,000 would take longer than the universe.
    expect(performance.now() - start).toBeLessThan(5_000);
    expect(m.match(textOnly('AAAA'))).toEqual([{ term: '^(a+)+$', field: 'text' }]);
  });

  it('refuses a backreference when compiling the matcher', () => {
    expect(() => compileMatcher([lit('OK'), rx('(FUEL) \\1')], [])).toThrow(AlertTermError);
    expect(() => compileMatcher([lit('OK')], [rx('(FUEL) \\1')])).toThrow(/ignore regex term .*backreference/);
  });

  it('several regex terms find what each finds alone, over the corpus', () => {
    const patterns = ['K[A-Z]{3},K[A-Z]{3}', 'ARINC$', '^\\d{6},', 'rwy \\d+', 'N\\d{3}[a-z]{2}'];
    const all = compileMatcher(patterns.map(rx), []);
    const singles = patterns.map((p) => compileMatcher([rx(p)], []));
    let matched = 0;
    for (const f of FRAMES) {
      const expected = singles.flatMap((s) => s.match(subject(f)));
      expect(all.match(subject(f))).toEqual(expected);
      if (expected.length > 0) matched++;
    }
    expect(matched).toBeGreaterThan(50);
  });

  it('case-insensitive linear patterns agree with the usual engine on corpus texts', () => {
    const patterns = ['kphx', '[a-f]\\d{3}', '[^a-z0-9\\s,]+', 'n\\d+[A-z]', '\\bclosed\\b', 'é|ß|k'];
    for (const p of patterns) {
      const linear = compileLinear(p);
      const usual = new RegExp(p, 'i');
      for (const f of FRAMES) {
        if (!f.text) continue;
        for (const text of [f.text, f.text.toLowerCase()]) {
          expect(linear.test(text), `${p} on ${JSON.stringify(text)}`).toBe(usual.test(text));
        }
      }
    }
  });
});

describe('empty term lists', () => {
  it('match returns [] at once', () => {
    const m = compileMatcher([], [lit('ANYTHING')]);
    expect(m.empty).toBe(true);
    expect(m.match(subject(frameWith('KPHX')))).toEqual([]);
    expect(compileMatcher([lit('KPHX')], []).empty).toBe(false);
  });

  it('still validates the ignore terms', () => {
    expect(() => compileMatcher([], [lit('  ')])).toThrow(AlertTermError);
  });
});
