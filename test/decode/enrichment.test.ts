/**
 * Enrichment from the shipped reference tables on real corpus messages: airlines from flights in
 * IATA and ICAO form, VDL-M2 ground stations from link addresses, label names.
 */

import { mkdtempSync, rmSync, writeFileSync, copyFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { airlineOf, enrich, groundStationAddress, groundStationOf, labelName, loadReference } from '../../src/decode/enrichment.js';
import type { DecoderType, Message } from '../../src/decode/message.js';
import { normalizeFrame } from '../../src/decode/normalize.js';
import { readCorpusFrames } from '../helpers/corpus.js';

const RECEIVED_MS = 1_800_000_000_000;
const ref = loadReference();

/** The one frame of a corpus file containing every needle, normalized. */
function one(file: string, hint: DecoderType, ...needles: string[]): Message {
  const hits = readCorpusFrames(file).filter((s) => needles.every((n) => s.includes(n)));
  if (hits.length !== 1) throw new Error(`${hits.length} frames of ${file} match ${needles.join(' + ')}`);
  const r = normalizeFrame(JSON.parse(hits[0]!), hint, RECEIVED_MS);
  if (!r.ok) throw new Error(`rejected: ${r.reason} ${r.detail}`);
  return r.message;
}

const VDLM2 = 'acarshub-kabq/raw-vdlm2-messages.jsonl';
const SOUTHWEST = { iata: 'WN', icao: 'SWA', name: 'Southwest Airlines' };
const ALBUQUERQUE = { id: '1112CA', icao: 'KABQ', iata: 'ABQ', name: 'Albuquerque International Airport', city: 'Albuquerque (NM)', country: 'US' };

describe('loadReference', () => {
  const dirs: string[] = [];
  afterAll(() => {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });
  const repoReference = fileURLToPath(new URL('../../reference/', import.meta.url));

  it('finds the repository’s reference/ by default and indexes all three tables', () => {
    expect(ref.groundStations.size).toBe(2298);
    expect(ref.labels.size).toBe(175);
    expect(ref.airlinesByIata.get('WN')).toEqual(SOUTHWEST);
    expect(ref.airlinesByIcao.get('SWA')).toEqual(SOUTHWEST);
  });

  it('reads another directory and names the file that is missing or malformed', () => {
    const dir = mkdtempSync(join(tmpdir(), 'contrail-ref-'));
    dirs.push(dir);
    copyFileSync(join(repoReference, 'airlines.json'), join(dir, 'airlines.json'));
    expect(() => loadReference(dir)).toThrow(/ground-stations\.json/);
    writeFileSync(join(dir, 'ground-stations.json'), '{"stations": []}');
    copyFileSync(join(repoReference, 'labels.json'), join(dir, 'labels.json'));
    expect(() => loadReference(dir)).toThrow(/ground-stations\.json: no "stations" table/);
    writeFileSync(join(dir, 'ground-stations.json'), '{"stations": {"abcdef": ["EGLL", "LHR", "Heathrow", "London", "GB"]}}');
    const r = loadReference(dir);
    expect(groundStationOf(r, 'ABCDEF')).toMatchObject({ id: 'ABCDEF', icao: 'EGLL' });
  });
});

describe('airlineOf', () => {
  it('reads the IATA form of real flights (WN2340 on VDL-M2, G42276 and US3137 on ACARS)', () => {
    const wn = one(VDLM2, 'VDL-M2', '"flight":"WN2340"', '"msg_num":"D09"');
    expect(wn.flight).toBe('WN2340');
    expect(airlineOf(ref, wn.flight)).toEqual(SOUTHWEST);
    // A designator with a digit: G4 is Allegiant.
    const g4 = one('acarshub-kabq/raw-acars-messages.jsonl', 'ACARS', '"flight":"G42276"', '"timestamp":1769990426.9352827');
    expect(airlineOf(ref, g4.flight)).toEqual({ iata: 'G4', icao: 'AAY', name: 'Allegiant Air' });
    expect(airlineOf(ref, 'US3137')).toEqual({ iata: 'US', icao: 'AAL', name: 'American Airlines' });
  });

  it('reads the ICAO form of real HFDL flight ids (UAL227, AAY863, padded "FIN1   ")', () => {
    const ual = one('acarshub-kabq/raw-hfdl-messages.jsonl', 'HFDL', '"flight_id":"UAL227"', '"sec":1769992399');
    expect(ual.flight).toBe('UAL227');
    expect(airlineOf(ref, ual.flight)).toEqual({ iata: 'UA', icao: 'UAL', name: 'United Airlines' });
    expect(airlineOf(ref, 'AAY863')).toEqual({ iata: 'G4', icao: 'AAY', name: 'Allegiant Air' });
    expect(airlineOf(ref, 'FIN1   ')).toEqual({ iata: 'AY', icao: 'FIN', name: 'Finnair' });
    expect(airlineOf(ref, 'SWA2340')).toEqual(SOUTHWEST);
    expect(airlineOf(ref, 'swa2340')).toEqual(SOUTHWEST);
  });

  it('maps a shared ICAO code back to the first designator of the table (AAL to AA, not US)', () => {
    expect(airlineOf(ref, 'AAL1454')?.iata).toBe('AA');
    expect(airlineOf(ref, 'DAL395')).toEqual({ iata: 'DL', icao: 'DAL', name: 'Delta Air Lines' });
  });

  it('handles the table’s odd keys: all-digit 20, lower-case 8z, and 7C* (ICAO only)', () => {
    expect(airlineOf(ref, '201234')).toEqual({ iata: '20', icao: 'RNE', name: 'Air Salone' });
    expect(airlineOf(ref, '8Z0101')).toEqual({ iata: '8Z', icao: 'LER', name: 'Linea Aerea de Servicio Ejecutivo Regional' });
    expect(airlineOf(ref, '7C0101')?.icao).toBe('JJA');
    expect(airlineOf(ref, 'COY12')).toEqual({ iata: null, icao: 'COY', name: 'Coyne Airways' });
    // "4" cannot be told apart from a flight number: 41234 is not Antrak Air.
    expect(airlineOf(ref, '41234')).toBeNull();
  });

  it('gives null for unknown designators and for things that are not flights', () => {
    expect(airlineOf(ref, 'XA0001')).toBeNull(); // a real test flight id of the corpus
    expect(airlineOf(ref, 'ZZZ123')).toBeNull();
    expect(airlineOf(ref, 'C-GWBT')).toBeNull();
    expect(airlineOf(ref, 'WN')).toBeNull();
    expect(airlineOf(ref, 'WNA')).toBeNull();
    expect(airlineOf(ref, '')).toBeNull();
    expect(airlineOf(ref, null)).toBeNull();
  });
});

describe('ground stations', () => {
  it('takes the destination of a dumpvdl2 downlink: 1112CA is Albuquerque', () => {
    // WN0974's H1 goes from aircraft A542D7 to ground station 1112CA; the table id is that hex address itself.
    const m = one(VDLM2, 'VDL-M2', '"dst":{"addr":"1112CA","type":"Ground station"}', '"flight":"WN0974"', '"msg_num":"F72"');
    expect(m.direction).toBe('downlink');
    expect(groundStationAddress(m)).toBe('1112CA');
    expect(groundStationOf(ref, groundStationAddress(m))).toEqual(ALBUQUERQUE);
  });

  it('takes the source of an uplink: real S frame from 1012CA, real XID broadcast from Perth', () => {
    const s = one(VDLM2, 'VDL-M2', '"src":{"addr":"1012CA","status":"On ground","type":"Ground station"}');
    expect(s.direction).toBe('uplink');
    expect(groundStationAddress(s)).toBe('1012CA');
    expect(groundStationOf(ref, '1012CA')?.icao).toBe('KABQ');
    const xid = one('acars-router/vdlm2.jsonl', 'VDL-M2', '"addr":"281658"', '"sec":1645287903');
    expect(xid.dstAddr).toBe('FFFFFF');
    expect(groundStationAddress(xid)).toBe('281658');
    expect(groundStationOf(ref, groundStationAddress(xid))).toMatchObject({ icao: 'YPPH', iata: 'PER', country: 'AU' });
  });

  it('reads vdlm2dec’s decimal toaddr (1057098 = 0x10214A, Las Vegas NM), with or without a direction', () => {
    const labelled = one('acars-router/acars_other.jsonl', 'ACARS', '"icao":11363733', '"block_id":"5"');
    expect(labelled.type).toBe('VDL-M2');
    expect(labelled.direction).toBe('downlink');
    expect(groundStationAddress(labelled)).toBe('10214A');
    const bare = one('acars-router/acars_other.jsonl', 'ACARS', '"icao":11117965');
    expect(bare.direction).toBeNull();
    expect(groundStationAddress(bare)).toBe('10214A');
    expect(groundStationOf(ref, '10214A')).toMatchObject({ icao: 'KLVS', city: 'Las Vegas (NM)' });
  });

  it('turns the table’s placeholders into null (11369A, Valle, has no ICAO code)', () => {
    expect(groundStationOf(ref, '11369a')).toEqual({ id: '11369A', icao: null, iata: 'VLE', name: 'Valle airport (40G)', city: 'Valle (AZ)', country: 'US' });
    expect(groundStationOf(ref, '000000')).toBeNull();
    expect(groundStationOf(ref, null)).toBeNull();
  });

  it('has no VDL ground station for other families (HFDL numbers its stations)', () => {
    const hfdl = one('acarshub-kabq/raw-hfdl-messages.jsonl', 'HFDL', '"flight_id":"UAL227"', '"sec":1769992399');
    expect(hfdl.srcAddr ?? hfdl.dstAddr).not.toBeNull();
    expect(groundStationAddress(hfdl)).toBeNull();
  });
});

describe('labelName', () => {
  it('names labels; empty and unknown names are null', () => {
    expect(labelName(ref, 'H1')).toBe('Message To/From Terminal');
    expect(labelName(ref, '_d')).toBe('No Information To Transmit');
    expect(labelName(ref, '10')).toBeNull(); // listed with an empty name
    expect(labelName(ref, 'ZZ')).toBeNull();
    expect(labelName(ref, null)).toBeNull();
  });
});

describe('enrich', () => {
  it('puts airline, ground station and label name together for a real downlink', () => {
    const m = one(VDLM2, 'VDL-M2', '"flight":"WN2340"', '"msg_num":"D09"');
    expect(enrich(ref, m)).toEqual({
      airline: SOUTHWEST,
      groundStation: { id: '1144AA', icao: 'KGUP', iata: 'GUP', name: expect.any(String), city: expect.any(String), country: 'US' },
      labelName: 'Message To/From Terminal',
    });
  });

  it('leaves out what is unknown, and is null when nothing is known', () => {
    const sq = one('acars-router/acars.jsonl', 'ACARS', '"timestamp":1645287877.534974');
    expect(enrich(ref, sq)).toEqual({ labelName: 'Ground Station Squitter Message' });
    const squitter = readCorpusFrames('acarshub-kabq/raw-hfdl-messages.jsonl')
      .map((s) => normalizeFrame(JSON.parse(s), 'HFDL', RECEIVED_MS))
      .find((r) => r.ok && r.message.frameKind === 'hfdl:spdu');
    expect(squitter?.ok).toBe(true);
    if (squitter?.ok) expect(enrich(ref, squitter.message)).toBeNull();
  });
});
