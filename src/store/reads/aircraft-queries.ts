/**
 * An aircraft and its recent messages: the record the writer keeps (aircraft-tracker.ts) found
 * by id, ICAO address, registration or flight, with its last position and its newest messages
 * (the partial index messages_aircraft makes this a range read). Runs in a reader thread.
 */
import { ContrailError } from '../../errors.js';
import type { Db } from '../open-database.js';
import { aircraftFromRow, type AircraftRow } from '../intel/aircraft-row.js';
import type { Aircraft } from '../intel/aircraft-tracker.js';
import { prepared } from './prepared.js';

export interface AircraftQuery {
  id?: number;
  icao?: string;
  tail?: string;
  flight?: string;
  /** Newest messages to return, 1-500 (default 50). */
  limit?: number;
}

export type AircraftView = Omit<Aircraft, 'lat' | 'lon' | 'alt' | 'positionTime'> & {
  lastPosition: { lat: number; lon: number; alt: number | null; time: number } | null;
};

const MESSAGE_FIELDS =
  'id, type, msg_time AS time, station_id AS station, freq, level, error, direction, icao, tail, flight, label, msgno, text, lat, lon, alt, decode_level AS decodeLevel, copies, multipart_id AS multipartId';

/** Reads a query from URL parameters or a WebSocket request; throws a usage error naming what is wrong. */
/** `idKey`: where the aircraft's id is (the WebSocket's `aircraft`: its `id` is the request's). */
export function parseAircraftQuery(input: Record<string, unknown>, idKey = 'id'): AircraftQuery {
  const q: AircraftQuery = {};
  const str = (k: 'icao' | 'tail' | 'flight'): void => {
    const v = input[k];
    if (v === undefined || v === null || v === '') return;
    if (typeof v !== 'string' || v.length > 16) throw new ContrailError('CONTRAIL_ERR_BAD_REQUEST', `${k} must be a string of at most 16 characters`);
    q[k] = k === 'icao' ? v.toUpperCase() : v.toUpperCase().replace(/^\./, '');
  };
  str('icao');
  str('tail');
  str('flight');
  const rawId = input[idKey];
  if (rawId !== undefined && rawId !== null && rawId !== '') {
    const id = Number(rawId);
    if (!Number.isInteger(id) || id < 1) throw new ContrailError('CONTRAIL_ERR_BAD_REQUEST', `${idKey} must be a positive integer`);
    q.id = id;
  }
  if (input.limit !== undefined && input.limit !== null && input.limit !== '') {
    const limit = Number(input.limit);
    if (!Number.isInteger(limit) || limit < 1 || limit > 500) throw new ContrailError('CONTRAIL_ERR_BAD_REQUEST', 'limit must be an integer from 1 to 500');
    q.limit = limit;
  }
  if (q.id === undefined && q.icao === undefined && q.tail === undefined && q.flight === undefined) {
    throw new ContrailError('CONTRAIL_ERR_BAD_REQUEST', `name the aircraft: ${idKey}, icao, tail or flight`);
  }
  return q;
}

/** The aircraft and its newest messages, or null when no aircraft matches. */
export function aircraftLookup(db: Db, q: AircraftQuery): { aircraft: AircraftView; recent: Record<string, unknown>[] } | null {
  const where = q.id !== undefined ? ['id = ?', q.id] : q.icao !== undefined ? ['icao = ?', q.icao] : q.tail !== undefined ? ['tail = ?', q.tail] : ['flight = ?', q.flight];
  const a = aircraftFromRow(prepared(db, `SELECT * FROM aircraft WHERE ${where[0]} ORDER BY last_seen DESC LIMIT 1`).get(where[1]) as AircraftRow | undefined);
  if (!a) return null;
  const { lat, lon, alt, positionTime, ...rest } = a;
  const aircraft: AircraftView = { ...rest, lastPosition: lat !== null && lon !== null && positionTime !== null ? { lat, lon, alt, time: positionTime } : null };
  const recent = prepared(db, `SELECT ${MESSAGE_FIELDS} FROM messages WHERE aircraft_id = ? ORDER BY id DESC LIMIT ?`).all(a.id, q.limit ?? 50) as Record<string, unknown>[];
  return { aircraft, recent };
}
