/** The writer's pure intelligence state: dedup window, multi-part assembler, aircraft tracker. */
import { describe, expect, it } from 'vitest';
import { AircraftTracker, type Aircraft, type AircraftStore } from '../../src/store/intel/aircraft-tracker.js';
import { betterCopy, DedupWindow } from '../../src/store/intel/dedup-window.js';
import { MultipartAssembler, joinedText, type PartInput } from '../../src/store/intel/multipart.js';
import { readCorpusFrames } from '../helpers/corpus.js';

describe('DedupWindow', () => {
  it('finds a copy within the window either side, not outside it', () => {
    const w = new DedupWindow(5);
    w.remember(42, { id: 1, time: 100, arrived: 1_000, error: 0, level: -20, copies: 1, stations: ['A'] });
    expect(w.find(42, 104.9)?.id).toBe(1);
    expect(w.find(42, 95.5)?.id).toBe(1);
    expect(w.find(42, 105.1)).toBeNull();
    expect(w.find(43, 100)).toBeNull();
  });

  it('evicts by arrival, so a source whose message times run behind keeps its entries', () => {
    const w = new DedupWindow(5);
    w.remember(1, { id: 1, time: 100, arrived: 1_000, error: 0, level: null, copies: 1, stations: [] });
    // Another source, an hour ahead in message time, arriving at once.
    w.remember(2, { id: 2, time: 3700, arrived: 1_001, error: 0, level: null, copies: 1, stations: [] });
    expect(w.find(1, 100)?.id).toBe(1);
    w.remember(3, { id: 3, time: 3701, arrived: 12_000, error: 0, level: null, copies: 1, stations: [] });
    expect(w.find(1, 100)).toBeNull();
    expect(w.size).toBe(1);
  });

  it('prefers fewer errors, then the stronger signal', () => {
    expect(betterCopy({ error: 1, level: -5 }, { error: 0, level: -30 })).toBe(true);
    expect(betterCopy({ error: 0, level: -20 }, { error: 0, level: -10 })).toBe(true);
    expect(betterCopy({ error: 0, level: -10 }, { error: 0, level: -20 })).toBe(false);
    expect(betterCopy({ error: 0, level: null }, { error: 0, level: -40 })).toBe(true);
  });
});

let nextId = 1;
/** A part sent at `time` (s) and arriving then. */
function part(msgno: string, more: number | null, time: number, extra: Partial<PartInput> = {}): PartInput {
  return { id: nextId++, type: 'VDL-M2', label: 'H1', msgno, icao: 'A1B2C3', tail: 'N1', flight: 'WN1', more, text: `<${msgno}>`, time, arrived: time * 1000, ...extra };
}

describe('MultipartAssembler', () => {
  it('joins A (more), B (more), C (last) in letter order, complete, even out of order', () => {
    const m = new MultipartAssembler(60);
    const a = m.offer(part('D10A', 1, 0));
    expect(a.kind).toBe('new');
    const c = m.offer(part('D10C', 0, 2));
    expect(c).toMatchObject({ kind: 'joined', group: { complete: false } });
    const b = m.offer(part('D10B', 1, 3));
    expect(b).toMatchObject({ kind: 'joined', group: { complete: true } });
    if (b.kind !== 'single') expect(joinedText(b.group)).toBe('<D10A><D10B><D10C>');
  });

  it('a single block stays single; acarsdec parts (no more flag) join the remembered first and close complete at the window', () => {
    const m = new MultipartAssembler(60);
    expect(m.offer(part('M01A', 0, 0)).kind).toBe('single');
    expect(m.offer(part('D20A', null, 0, { type: 'ACARS' })).kind).toBe('single');
    const b = m.offer(part('D20B', null, 3, { type: 'ACARS' }));
    expect(b.kind).toBe('new');
    if (b.kind !== 'single') expect([...b.group.parts.keys()].sort()).toEqual(['A', 'B']);
    expect(m.expire(30_000)).toEqual([]);
    const closed = m.expire(100_000);
    expect(closed).toHaveLength(1);
    expect(closed[0]).toMatchObject({ complete: true });
  });

  it('a part whose siblings never come is closed incomplete; other aircraft and labels do not mix', () => {
    const m = new MultipartAssembler(60);
    m.offer(part('D30B', 1, 0));
    expect(m.offer(part('D30C', 0, 1, { icao: 'FFFFF0' })).kind).toBe('new');
    expect(m.offer(part('D30C', 0, 1, { label: '5Z' })).kind).toBe('new');
    const closed = m.expire(500_000);
    expect(closed).toHaveLength(3);
    expect(closed.every((g) => !g.complete)).toBe(true);
  });

  it('closes by arrival: a source whose message times lag by hours still gets its parts joined', () => {
    const m = new MultipartAssembler(60);
    // A live station now, and a replay of traffic from three hours ago, arriving interleaved.
    const now = 1_800_000_000;
    m.offer(part('D40B', 1, now, { tail: 'LIVE', icao: 'AAAAA1' }));
    m.offer(part('D50A', 1, now - 3 * 3600, { tail: 'OLD', icao: 'BBBBB2', arrived: now * 1000 + 10 }));
    expect(m.expire(now * 1000 + 20)).toEqual([]);
    const joined = m.offer(part('D50B', 0, now - 3 * 3600 + 2, { tail: 'OLD', icao: 'BBBBB2', arrived: now * 1000 + 30 }));
    expect(joined).toMatchObject({ kind: 'joined', group: { complete: true } });
  });

  it("takes acarsdec's own reassembly as the whole message instead of repeating the earlier blocks", () => {
    // Real acarsdec 4.4 frames: "in progress" parts carry their own block; the "complete" part
    // carries every block so far.
    const frames = readCorpusFrames('acarshub-kabq/raw-acars-messages.jsonl').map((l) => JSON.parse(l) as Record<string, unknown>);
    const m = new MultipartAssembler(600);
    const whole = new Map<string, string>();
    for (const [i, f] of frames.entries()) {
      if (typeof f.msgno !== 'string' || (f.assstat !== 'in progress' && f.assstat !== 'complete')) continue;
      const p = { id: i, type: 'ACARS', label: f.label as string, msgno: f.msgno, icao: null, tail: f.tail as string, flight: (f.flight as string) ?? null, more: null, text: f.text as string, time: f.timestamp as number, arrived: (f.timestamp as number) * 1000 };
      m.offer(p);
      if (f.assstat === 'complete') whole.set(`ACARS|${p.tail}|${p.label}|${f.msgno.slice(0, 3)}`, p.text);
    }
    const closed = m.expire(Number.MAX_SAFE_INTEGER);
    const checked = closed.filter((g) => whole.has(g.key));
    expect(checked.length).toBeGreaterThan(20);
    for (const g of checked) expect(joinedText(g), g.key).toBe(whole.get(g.key));
  });

  it('expiry stops at the first open entry and still closes every group whose window passed', () => {
    const m = new MultipartAssembler(60);
    // Group 1 opens first but its newest part arrives last: it must move behind group 2.
    m.offer(part('D60A', 1, 0, { tail: 'G1', icao: 'CCCCC1' }));
    m.offer(part('D70A', 1, 10, { tail: 'G2', icao: 'CCCCC2' }));
    m.offer(part('D60B', 1, 50, { tail: 'G1', icao: 'CCCCC1' }));
    const first = m.expire(75_000);
    expect(first.map((g) => g.tail)).toEqual(['G2']);
    expect(m.expire(200_000).map((g) => g.tail)).toEqual(['G1']);
  });
});

class MemoryStore implements AircraftStore {
  rows: Aircraft[] = [];
  byIcao(icao: string): Aircraft | null {
    return structuredClone(this.rows.find((a) => a.icao === icao) ?? null);
  }
  byTail(tail: string): Aircraft | null {
    return structuredClone(this.rows.find((a) => a.tail === tail) ?? null);
  }
  byFlight(flight: string, since: number): Aircraft | null {
    return structuredClone(this.rows.filter((a) => a.flight === flight && a.lastSeen >= since).at(-1) ?? null);
  }
  insert(a: Omit<Aircraft, 'id'>): number {
    const id = this.rows.length + 1;
    this.rows.push({ id, ...a });
    return id;
  }
}

const see = (type: string, time: number, icao: string | null, tail: string | null, flight: string | null, lat: number | null = null) => ({ type, time, icao, tail, flight, lat, lon: lat === null ? null : -100, alt: null });

describe('AircraftTracker', () => {
  it('ties messages by ICAO, then registration, then a flight within the session window of its link', () => {
    const t = new AircraftTracker(new MemoryStore());
    const a = t.see(see('VDL-M2', 0, 'A1B2C3', 'N1', 'WN1', 35))!;
    expect(t.see(see('ACARS', 10, null, 'N1', 'WN1'))!.id).toBe(a.id);
    expect(t.see(see('ACARS', 20, 'A1B2C3', null, null))!.id).toBe(a.id);
    expect(a).toMatchObject({ messages: 3, lat: 35, icao: 'A1B2C3', tail: 'N1' });
    // A flight alone, heard first: its own record, which takes the registration that comes with it.
    const f = t.see(see('HFDL', 100, null, null, 'UA9'))!;
    expect(f.id).not.toBe(a.id);
    expect(t.see(see('HFDL', 100 + 3 * 3600, null, 'N99', 'UA9'))!.id).toBe(f.id);
    expect(f.tail).toBe('N99');
    // Past the VHF window (30 min) a flight number alone names a new aircraft.
    const later = t.see(see('ACARS', 20 + 3600, null, null, 'WN1'))!;
    expect(later.id).not.toBe(a.id);
    expect(t.see(see('ACARS', 0, null, null, null))).toBeNull();
  });

  it('survives a restart: the store is the record', () => {
    const store = new MemoryStore();
    const t1 = new AircraftTracker(store);
    const a = t1.see(see('ACARS', 0, 'ABCDEF', null, null))!;
    for (const x of t1.drain()) store.rows[x.id - 1] = structuredClone(x);
    const t2 = new AircraftTracker(store);
    expect(t2.see(see('ACARS', 5, 'ABCDEF', null, null))).toMatchObject({ id: a.id, messages: 2 });
  });
});
