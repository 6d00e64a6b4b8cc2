/**
 * Positions from decoded content: ADS-C reports in the decoders' own libacars output and the
 * positions label decoding reads from the text, on real corpus frames; junk is ignored.
 */

import { describe, expect, it } from 'vitest';
import { CORPUS_FILES } from '../../bench/lib/corpus.js';
import { decodeLabel, type LabelDecoding } from '../../src/decode/label-decoder.js';
import type { DecoderType, Message } from '../../src/decode/message.js';
import { normalizeFrame } from '../../src/decode/normalize.js';
import { positionOf } from '../../src/decode/payload-position.js';
import { readCorpusFrames } from '../helpers/corpus.js';

const RECEIVED_MS = 1_800_000_000_000;

function normalize(frame: unknown, hint: DecoderType | null): Message {
  const r = normalizeFrame(frame, hint, RECEIVED_MS);
  if (!r.ok) throw new Error(`rejected: ${r.reason} ${r.detail}`);
  return r.message;
}

/** The one frame of a corpus file containing every needle, parsed. */
function findOne(file: string, ...needles: string[]): Record<string, unknown> {
  const hits = readCorpusFrames(file).filter((s) => needles.every((n) => s.includes(n)));
  if (hits.length !== 1) throw new Error(`${hits.length} frames of ${file} match ${needles.join(' + ')}`);
  return JSON.parse(hits[0]!) as Record<string, unknown>;
}

function labelOf(m: Message): LabelDecoding | null {
  const r = decodeLabel(m);
  return r.kind === 'decoded' ? r.value : null;
}

const corpus: Message[] = CORPUS_FILES.flatMap(([file, hint]) => readCorpusFrames(file).map((s) => normalize(JSON.parse(s), hint)));

// Synthetic ADS-C payloads follow libacars' adsc.c (szpajder/libacars, libacars/adsc.c): tags 9,
// 10, 18, 19 and 20 are parsed and formatted as basic reports under their own JSON keys
// (emerg_basic_report, lat_dev_change_event, vspd_chg_event, alt_range_event, wpt_change_event),
// with the keys of la_adsc_basic_report_format_json; pos_accuracy_nm -1 means "NAV capability lost".
const report = (r: Record<string, unknown>): Record<string, unknown> => ({
  lat: 51.5,
  lon: -0.12,
  alt: 37000,
  ts_sec: 10.5,
  pos_accuracy_nm: 0.25,
  nav_redundancy: true,
  tcas_avail: true,
  ...r,
});
const payload = (tags: unknown[], crc_ok = true): Record<string, unknown> => ({ arinc622: { msg_type: 'adsc_msg', crc_ok, adsc: { tags, err: false } } });

// dumpvdl2 2.1.1, WN0720 (N7726A) downlink, H1/M1: libacars' ADS-C with an ack and a basic report.
const ADSC_FILE = 'acars-router/vdlm2_other.jsonl';
const ADSC_NEEDLE = 'QXHADS2.ADS.N7726A';

describe('ADS-C in the decoders’ own payloads', () => {
  it('reads the basic report of a real dumpvdl2 frame (decoded.arinc622.adsc)', () => {
    const m = normalize(findOne(ADSC_FILE, ADSC_NEEDLE), 'VDL-M2');
    expect(Object.keys(m.decoded!)).toEqual(['arinc622']);
    expect(positionOf(null, m.decoded)).toEqual({ lat: 35.294609, lon: -106.710548, alt: 35992, source: 'adsc:basic_report' });
  });

  it('reads the same report where acarsdec puts libacars output (decoded.libacars.arinc622.adsc)', () => {
    // acarsdec (output.c, buildjson) adds libacars' tree as `"libacars": <la_proto_tree_format_json>`,
    // and la_proto_tree_format_json wraps each node in its JSON key, so ARINC-622 ADS-C arrives as
    // {"libacars": {"arinc622": {..., "adsc": {"tags": [...]}}}}. The corpus has no acarsdec frame
    // with libacars output: this one is a real acarsdec frame given the real ADS-C message above.
    const vdl = findOne(ADSC_FILE, ADSC_NEEDLE) as { vdl2: { avlc: { acars: { msg_text: string; arinc622: unknown } } } };
    const frame = findOne('acarshub-kabq/raw-acars-messages.jsonl', 'USADCXA.AT1.N8560Z630C033200BD8B');
    frame.text = vdl.vdl2.avlc.acars.msg_text;
    frame.libacars = { arinc622: vdl.vdl2.avlc.acars.arinc622 };
    const m = normalize(frame, 'ACARS');
    expect(m.type).toBe('ACARS');
    expect(Object.keys(m.decoded!)).toEqual(['libacars']);
    expect(positionOf(null, m.decoded)).toEqual({ lat: 35.294609, lon: -106.710548, alt: 35992, source: 'adsc:basic_report' });
  });

  it('finds nothing in ADS-C without a report (real HFDL "cancel all contracts") or in CPDLC', () => {
    const hfdl = normalize(findOne('acarshub-kabq/raw-hfdl-messages.jsonl', 'cancel_all_contracts'), 'HFDL');
    expect(hfdl.decoded).toHaveProperty('arinc622.adsc.tags');
    expect(positionOf(null, hfdl.decoded)).toBeNull();
    const cpdlc = corpus.filter((m) => JSON.stringify(m.decoded ?? {}).includes('fans1a_cpdlc'));
    expect(cpdlc.length).toBeGreaterThan(5);
    for (const m of cpdlc) expect(positionOf(null, m.decoded)).toBeNull();
  });

  it('reads the basic-report-shaped event and emergency tags too', () => {
    for (const tag of ['emerg_basic_report', 'lat_dev_change_event', 'vspd_chg_event', 'alt_range_event', 'wpt_change_event']) {
      expect(positionOf(null, payload([{ ack: { contract_num: 1 } }, { [tag]: report({}) }]))).toEqual({ lat: 51.5, lon: -0.12, alt: 37000, source: `adsc:${tag}` });
    }
    // Predicted route and projections are where the aircraft will be, not where it is.
    const ahead = { predicted_route: { next_wpt: { lat: 52, lon: 1, alt: 37000, eta_sec: 600 } } };
    expect(positionOf(null, payload([ahead]))).toBeNull();
  });

  it('ignores junk: failed CRC, lost NAV, out-of-range or non-numeric coordinates, 0/0', () => {
    expect(positionOf(null, payload([{ basic_report: report({}) }], false))).toBeNull();
    expect(positionOf(null, payload([{ basic_report: report({ pos_accuracy_nm: -1 }) }]))).toBeNull();
    expect(positionOf(null, payload([{ basic_report: report({ lat: 90.5 }) }]))).toBeNull();
    expect(positionOf(null, payload([{ basic_report: report({ lon: -180.01 }) }]))).toBeNull();
    expect(positionOf(null, payload([{ basic_report: report({ lat: '51.5' }) }]))).toBeNull();
    expect(positionOf(null, payload([{ basic_report: report({ lat: Number.NaN }) }]))).toBeNull();
    expect(positionOf(null, payload([{ basic_report: report({ lat: 0, lon: 0 }) }]))).toBeNull();
    expect(positionOf(null, payload(['junk', null, { basic_report: 'x' }]))).toBeNull();
    expect(positionOf(null, { arinc622: { adsc: { tags: 'not a list' } } })).toBeNull();
  });

  it('keeps a good position with an implausible altitude, without the altitude', () => {
    expect(positionOf(null, payload([{ basic_report: report({ alt: 131068 }) }]))).toEqual({ lat: 51.5, lon: -0.12, alt: null, source: 'adsc:basic_report' });
    expect(positionOf(null, payload([{ basic_report: report({ alt: undefined }) }]))).toMatchObject({ alt: null });
  });

  it('takes the first good report when a junk one comes first', () => {
    const tags = [{ basic_report: report({ lat: 95 }) }, { emerg_basic_report: report({ lat: -33.9 }) }];
    expect(positionOf(null, payload(tags))).toEqual({ lat: -33.9, lon: -0.12, alt: 37000, source: 'adsc:emerg_basic_report' });
  });
});

describe('positions from label decoding', () => {
  it('reads an ARINC 702 position report (real acarsdec H1 "POSN34261W108337")', () => {
    const m = normalize(findOne('acarshub-kabq/raw-acars-messages.jsonl', 'POSN34261W108337'), 'ACARS');
    expect(m.lat).toBeNull();
    const p = positionOf(labelOf(m), m.decoded);
    expect(p).toEqual({ lat: 34.435, lon: expect.closeTo(-108.56167, 4), alt: 30100, source: 'label:arinc-702' });
  });

  it('reads a label 16 AUTPOS report (real acarsdec frame)', () => {
    const m = normalize(findOne('acarshub-kabq/raw-acars-messages.jsonl', '/AUTPOS/LLD N350447 W1070026', '"channel":2'), 'ACARS');
    expect(positionOf(labelOf(m), m.decoded)).toEqual({
      lat: expect.closeTo(35.07972, 4),
      lon: expect.closeTo(-107.00722, 4),
      alt: 32400,
      source: 'label:label-16-autpos',
    });
  });

  it('does not take the ground station coordinates of a squitter as a position', () => {
    const [sq] = corpus.filter((m) => m.label === 'SQ' && m.text === '02XAABQKABQ13502N10637WV136975/ARINC');
    const d = labelOf(sq!);
    expect(d!.raw).toHaveProperty('groundStation.coordinates');
    expect(positionOf(d, sq!.decoded)).toBeNull();
  });

  it('prefers ADS-C over label decoding', () => {
    const label: LabelDecoding = { decoder: 'x', level: 'full', description: null, items: [], raw: { position: { latitude: 10, longitude: 20 }, altitude: 1000 }, remaining: null };
    expect(positionOf(label, null)).toEqual({ lat: 10, lon: 20, alt: 1000, source: 'label:x' });
    expect(positionOf(label, payload([{ basic_report: report({}) }]))?.source).toBe('adsc:basic_report');
    expect(positionOf({ ...label, raw: { position: { latitude: -91, longitude: 20 } } }, null)).toBeNull();
  });
});

describe('positions over the whole corpus', () => {
  it('counts messages with a position from each source', () => {
    let fromAdsc = 0;
    let fromLabel = 0;
    let either = 0;
    const bySource = new Map<string, number>();
    for (const m of corpus) {
      const label = labelOf(m);
      if (positionOf(null, m.decoded) !== null) fromAdsc++;
      if (positionOf(label, null) !== null) fromLabel++;
      const p = positionOf(label, m.decoded);
      if (p === null) continue;
      either++;
      bySource.set(p.source, (bySource.get(p.source) ?? 0) + 1);
    }
    expect(fromAdsc).toBe(1);
    expect(fromLabel).toBeGreaterThanOrEqual(61);
    expect(either).toBeGreaterThanOrEqual(62);
    // Measured: 1 ADS-C basic report, 61 label positions from six label decoders.
    expect([...bySource.keys()].filter((k) => k.startsWith('label:')).length).toBeGreaterThanOrEqual(6);
  });
});
