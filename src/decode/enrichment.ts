/**
 * Enrichment from the reference tables shipped in `reference/` (ACARS Hub's data, GPL-3.0, built
 * by scripts/build-reference.mjs): the airline behind a flight, the airport of the VDL-M2 ground
 * station a message went through, and the name of its label. Loading reads files; every lookup
 * is pure.
 */

import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Message } from './message.js';

export interface Airline {
  /** Null when the flight was in ICAO form and no usable IATA designator maps to the airline. */
  iata: string | null;
  icao: string;
  name: string;
}

export interface GroundStation {
  /** The station's AVLC address, 6 upper-case hex digits. */
  id: string;
  icao: string | null;
  iata: string | null;
  name: string | null;
  city: string | null;
  /** ISO 3166 alpha-2 country code. */
  country: string | null;
}

export interface Reference {
  readonly airlinesByIata: ReadonlyMap<string, Airline>;
  readonly airlinesByIcao: ReadonlyMap<string, Airline>;
  readonly groundStations: ReadonlyMap<string, GroundStation>;
  readonly labels: ReadonlyMap<string, string>;
}

export interface Enrichment {
  airline?: Airline;
  groundStation?: GroundStation;
  labelName?: string;
}

/**
 * The checkout's `reference/`: two levels up from `src/decode/` (TypeScript under vitest), three
 * from `dist/src/decode/` (compiled).
 */
function defaultDir(): string {
  const candidates = ['../../reference/', '../../../reference/'].map((rel) => fileURLToPath(new URL(rel, import.meta.url)));
  for (const dir of candidates) if (existsSync(join(dir, 'airlines.json'))) return dir;
  throw new Error(`reference data not found (looked in ${candidates.join(' and ')}); run scripts/build-reference.mjs`);
}

/** Reads and indexes the three tables. Throws, naming the file, when one is missing or malformed. */
export function loadReference(dir?: string): Reference {
  const base = dir ?? defaultDir();
  const airlines = table(base, 'airlines.json', 'airlines');
  const stations = table(base, 'ground-stations.json', 'stations');
  const labels = table(base, 'labels.json', 'labels');

  const airlinesByIata = new Map<string, Airline>();
  const airlinesByIcao = new Map<string, Airline>();
  for (const [key, v] of Object.entries(airlines)) {
    if (!Array.isArray(v) || typeof v[0] !== 'string' || typeof v[1] !== 'string') continue;
    const icao = v[0];
    const name = v[1];
    // Only a 2-character designator can be told apart from the flight number that follows it;
    // "4" and "7C*" (a duplicate marker) stay reachable through their ICAO designator only.
    const code = key.toUpperCase();
    const iata = IATA.test(code) ? code : null;
    const airline: Airline = Object.freeze({ iata, icao, name });
    if (iata !== null && !airlinesByIata.has(iata)) airlinesByIata.set(iata, airline);
    // Several designators can share an ICAO code (AA and US are both AAL, DL and NW both DAL):
    // the first in the table speaks for it, which there is the carrier's current designator.
    const first = airlinesByIcao.get(icao);
    if (first === undefined || (first.iata === null && iata !== null)) airlinesByIcao.set(icao, airline);
  }

  const groundStations = new Map<string, GroundStation>();
  for (const [key, v] of Object.entries(stations)) {
    if (!Array.isArray(v)) continue;
    const id = key.toUpperCase();
    groundStations.set(
      id,
      Object.freeze({ id, icao: strOrNull(v[0]), iata: strOrNull(v[1]), name: strOrNull(v[2]), city: strOrNull(v[3]), country: strOrNull(v[4]) }),
    );
  }

  const labelNames = new Map<string, string>();
  for (const [key, v] of Object.entries(labels)) {
    const name = strOrNull(v);
    if (name !== null) labelNames.set(key, name);
  }

  return { airlinesByIata, airlinesByIcao, groundStations, labels: labelNames };
}

function table(dir: string, file: string, key: string): Record<string, unknown> {
  const path = join(dir, file);
  let doc: unknown;
  try {
    doc = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new Error(`reference data ${path}: ${e instanceof Error ? e.message : String(e)}`);
  }
  const t = isRecord(doc) ? doc[key] : undefined;
  if (!isRecord(t)) throw new Error(`reference data ${path}: no "${key}" table`);
  return t;
}

const IATA = /^[A-Z0-9]{2}$/;
/** ICAO form: 3-letter airline designator, then a flight number starting with a digit (SWA2340, QTR33Q). */
const ICAO_FLIGHT = /^([A-Z]{3})\d[A-Z0-9]*$/;
/** IATA form: 2-character designator (letters and digits: WN, G4, A3, 20), then the number (WN2340). */
const IATA_FLIGHT = /^([A-Z0-9]{2})\d[A-Z0-9]*$/;

/**
 * The airline operating `flight`. The third character decides the form: a letter makes it a
 * 3-letter ICAO designator, a digit makes it the start of the number after a 2-character IATA
 * designator. Unknown designators give null.
 */
export function airlineOf(ref: Reference, flight: string | null): Airline | null {
  if (flight === null) return null;
  const f = flight.trim().toUpperCase();
  const icao = ICAO_FLIGHT.exec(f);
  if (icao !== null) return ref.airlinesByIcao.get(icao[1]!) ?? null;
  const iata = IATA_FLIGHT.exec(f);
  if (iata !== null) return ref.airlinesByIata.get(iata[1]!) ?? null;
  return null;
}

/** The ground station with this AVLC address (hex, any case), or null. */
export function groundStationOf(ref: Reference, addr: string | null): GroundStation | null {
  if (addr === null) return null;
  return ref.groundStations.get(addr.trim().toUpperCase()) ?? null;
}

const BROADCAST = 'FFFFFF';
const HEX6 = /^[0-9A-F]{6}$/;

/**
 * The VDL-M2 ground station's address in a message: the destination of a downlink, the source
 * of an uplink. Without a direction (vdlm2dec frames without a label), the one address that is
 * not the aircraft's is the ground station's: VDL-M2 links only aircraft and ground stations.
 * Other families' addresses are not VDL ground-station addresses (HFDL numbers its stations).
 */
export function groundStationAddress(m: Message): string | null {
  if (m.type !== 'VDL-M2') return null;
  if (m.direction === 'downlink') return stationAddr(m.dstAddr);
  if (m.direction === 'uplink') return stationAddr(m.srcAddr);
  const src = stationAddr(m.srcAddr);
  const dst = stationAddr(m.dstAddr);
  const aircraft = m.icao?.toUpperCase() ?? null;
  const candidates = [src, dst].filter((a) => a !== null && a !== aircraft);
  return aircraft !== null && candidates.length === 1 ? candidates[0]! : null;
}

function stationAddr(a: string | null): string | null {
  if (a === null) return null;
  const s = a.toUpperCase();
  return HEX6.test(s) && s !== BROADCAST ? s : null;
}

/** The label's name; null for unknown labels. */
export function labelName(ref: Reference, label: string | null): string | null {
  if (label === null) return null;
  return ref.labels.get(label) ?? null;
}

/** Everything the tables say about `m`; parts they say nothing about are left out, null when none. */
export function enrich(ref: Reference, m: Message): Enrichment | null {
  const out: Enrichment = {};
  let any = false;
  const airline = airlineOf(ref, m.flight);
  if (airline !== null) {
    out.airline = airline;
    any = true;
  }
  const station = groundStationOf(ref, groundStationAddress(m));
  if (station !== null) {
    out.groundStation = station;
    any = true;
  }
  const name = labelName(ref, m.label);
  if (name !== null) {
    out.labelName = name;
    any = true;
  }
  return any ? out : null;
}

function strOrNull(v: unknown): string | null {
  return typeof v === 'string' && v.trim().length > 0 ? v : null;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
