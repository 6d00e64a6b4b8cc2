/**
 * With saving everything off (DB_SAVEALL=false), Contrail keeps what ACARS Hub keeps. The oracle
 * is the seed database ACARS Hub itself made from the three kabq captures: it inserted each
 * file's kept frames in file order, so the kept rows line up with its rows one for one.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { CORPUS_FILES } from '../../bench/lib/corpus.js';
import { hasAcarsHubContent } from '../../src/decode/acarshub-content.js';
import { decodeFrames } from '../../src/decode/decode-frames.js';
import { summarizeStats, type DecodeStatsSummary } from '../../src/decode/decode-stats.js';
import { decodeDecodedBatch, decodedBatchStats } from '../../src/decode/decoded-batch.js';
import { newMessage } from '../../src/decode/families/common.js';
import type { DecoderType, Message } from '../../src/decode/message.js';
import { FrameBatchBuilder } from '../../src/ingest/frame-batch.js';
import { COL, type MessageRow } from '../../src/store/message-row.js';
import { readCorpusFrames } from '../helpers/corpus.js';
import { readSeed } from '../helpers/legacy-db.js';

/** Each kabq capture arrives on the listener of its own type, as it did at ACARS Hub. */
const SOURCES: readonly { type: DecoderType; file: string }[] = CORPUS_FILES.filter(([file]) => file.startsWith('acarshub-kabq/')).map(([file, type]) => ({ type, file }));

interface SeedRow {
  label: string;
  msg_text: string;
  tail: string;
  dsta: string;
  lat: string;
  lon: string;
  libacars: string;
}

interface Run {
  rows: MessageRow[];
  stats: DecodeStatsSummary;
}

const frames = SOURCES.map((s) => readCorpusFrames(s.file));

function run(storeNonAcars: boolean): Run {
  const b = new FrameBatchBuilder(frames.reduce((n, f) => n + f.length, 0));
  frames.forEach((list, source) => {
    for (const f of list) b.add(Buffer.from(f), source, 1_769_990_000_000, null);
  });
  const out = decodeFrames(b.take().buffer, { sourceTypes: SOURCES.map((s) => s.type), storeNonAcars });
  return { rows: decodeDecodedBatch(out).rows, stats: summarizeStats(decodedBatchStats(out)) };
}

function ofType(rows: MessageRow[], type: DecoderType): MessageRow[] {
  return rows.filter((r) => r[COL.type] === type);
}

/** dumphfdl writes 180/180 when the aircraft sent no position; ACARS Hub stored that as one, Contrail does not. */
function position(seedValue: string): number | null {
  return seedValue === '' || seedValue === '180' ? null : Number(seedValue);
}

/** The leftover `hfnpdu.pos` of an HFDL row: the 180/180 marker stays in `extra`. */
function hasNoPositionMarker(r: MessageRow): boolean {
  const extra = r[COL.extra];
  return typeof extra === 'string' && (JSON.parse(extra) as { hfdl?: { lpdu?: { hfnpdu?: { pos?: unknown } } } }).hfdl?.lpdu?.hfnpdu?.pos !== undefined;
}

function blankIfNull(v: string | number | null | undefined): string {
  return v === null || v === undefined ? '' : String(v);
}

describe('DB_SAVEALL off against the seed ACARS Hub made from the kabq captures', () => {
  const seed = new Map<DecoderType, SeedRow[]>();
  let kept: Run;
  let all: Run;

  beforeAll(() => {
    const { messages } = readSeed();
    for (const s of SOURCES) seed.set(s.type, messages.filter((m) => m.message_type === s.type) as unknown as SeedRow[]);
    kept = run(false);
    all = run(true);
  });

  it('keeps as many frames of each type as ACARS Hub stored, and counts the rest as dropped', () => {
    expect(Object.fromEntries([...seed].map(([t, rows]) => [t, rows.length]))).toEqual({ ACARS: 610, 'VDL-M2': 226, HFDL: 308 });
    for (const s of SOURCES) expect(ofType(kept.rows, s.type)).toHaveLength(seed.get(s.type)!.length);
    expect(kept.stats.accepted).toEqual({ ACARS: 610, 'VDL-M2': 226, HFDL: 308 });
    expect(kept.stats.droppedNonAcars).toEqual({ 'VDL-M2': 399 - 226, HFDL: 421 - 308 });
    expect(kept.stats.rejected).toEqual([]);
  });

  it('keeps the very frames ACARS Hub stored, row for row', () => {
    for (const s of SOURCES) {
      const ours = ofType(kept.rows, s.type).map((r) => ({
        label: blankIfNull(r[COL.label]),
        text: blankIfNull(r[COL.text]),
        tail: blankIfNull(r[COL.tail]),
        dsta: blankIfNull(r[COL.dsta]),
        // Contrail also reads positions out of ACARS text; ACARS Hub's columns hold only the frame's own.
        lat: r[COL.is_acars] === 0 ? r[COL.lat] : null,
        lon: r[COL.is_acars] === 0 ? r[COL.lon] : null,
        squitter: r[COL.frame_kind] === 'hfdl:spdu',
      }));
      const theirs = seed.get(s.type)!.map((r) => ({
        label: r.label,
        text: r.msg_text,
        tail: r.tail,
        dsta: r.dsta,
        lat: position(r.lat),
        lon: position(r.lon),
        squitter: r.libacars.startsWith('{"spdu"'),
      }));
      expect(ours, s.type).toEqual(theirs);
    }
  });

  it('keeps every frame with a position, OOOI field, destination or decoded payload', () => {
    const keptFrames = new Set(kept.rows.map((r) => r[COL.frame_index]));
    const fields = [COL.lat, COL.lon, COL.alt, COL.depa, COL.dsta, COL.eta, COL.gtout, COL.gtin, COL.wloff, COL.wlin];
    const withContent = all.rows.filter(
      (r) => fields.some((c) => r[c] !== null) || hasNoPositionMarker(r) || (r[COL.decoded] !== null && /"(libacars|arinc622)"/.test(String(r[COL.decoded]))),
    );
    // The seed's 60 positions: 50 real ones and 10 of dumphfdl's 180/180 markers.
    expect(withContent.filter((r) => r[COL.is_acars] === 0 && r[COL.lat] !== null)).toHaveLength(50);
    expect(withContent.filter(hasNoPositionMarker)).toHaveLength(10);
    for (const r of withContent) expect(keptFrames.has(r[COL.frame_index]), `${r[COL.type]} frame ${r[COL.frame_index]}`).toBe(true);
  });

  it('drops only the link frames that carry nothing: VDL-M2 S-frames, HFDL logon confirms and logoffs', () => {
    const keptFrames = new Set(kept.rows.map((r) => r[COL.frame_index]));
    const dropped: Record<string, number> = {};
    for (const r of all.rows) {
      if (keptFrames.has(r[COL.frame_index])) continue;
      const key = `${r[COL.type]} ${r[COL.frame_kind]}`;
      dropped[key] = (dropped[key] ?? 0) + 1;
    }
    expect(dropped).toEqual({ 'VDL-M2 avlc:S': 173, 'HFDL hfdl:lpdu:Logon confirm': 99, 'HFDL hfdl:lpdu:Logoff request': 14 });
  });
});

describe('hasAcarsHubContent', () => {
  it('counts the fields either ACARS Hub generation counted, and only when they are not blank', () => {
    const m = (patch: Partial<Message>, type: DecoderType = 'VDL-M2'): Message => ({ ...newMessage(type, 1_769_990_000), ...patch });
    expect(hasAcarsHubContent(m({}))).toBe(false);
    expect(hasAcarsHubContent(m({ text: ' \r\n', tail: '' }))).toBe(false);
    expect(hasAcarsHubContent(m({ label: '_d' }))).toBe(true);
    expect(hasAcarsHubContent(m({ eta: '1432' }))).toBe(true);
    // An XID with the aircraft's position but no destination: the Python era stored it.
    expect(hasAcarsHubContent(m({ lat: 35.1, lon: -106.6, alt: 36000 }))).toBe(true);
    expect(hasAcarsHubContent(m({ decoded: { arinc622: { crc_ok: true } } }))).toBe(true);
    // ATN traffic never reached ACARS Hub's libacars column.
    expect(hasAcarsHubContent(m({ decoded: { x25: { pkt_type: 'Data' } } }))).toBe(false);
    // Frequency data is in ACARS Hub's libacars column for HFDL only.
    const freqData = { hfdl: { lpdu: { hfnpdu: { freq_data: [] } } } };
    expect(hasAcarsHubContent(m({ extra: freqData }))).toBe(false);
    expect(hasAcarsHubContent(m({ extra: freqData }, 'HFDL'))).toBe(true);
    expect(hasAcarsHubContent(m({ extra: { hfdl: { lpdu: { hfnpdu: { pos: { lat: 180, lon: 180 } } } } } }, 'HFDL'))).toBe(true);
    expect(hasAcarsHubContent(m({ frameKind: 'hfdl:spdu' }, 'HFDL'))).toBe(true);
    expect(hasAcarsHubContent(m({ frameKind: 'hfdl:lpdu:Logon confirm' }, 'HFDL'))).toBe(false);
  });
});
