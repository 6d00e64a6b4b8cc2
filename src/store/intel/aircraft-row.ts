/** An `aircraft` table row and the record it is in memory: one mapping for the writer and the reads. */
import type { Aircraft } from './aircraft-tracker.js';

export interface AircraftRow {
  id: number;
  icao: string | null;
  tail: string | null;
  flight: string | null;
  first_seen: number;
  last_seen: number;
  last_type: string;
  messages: number;
  lat: number | null;
  lon: number | null;
  alt: number | null;
  position_time: number | null;
}

export function aircraftFromRow(r: AircraftRow | undefined): Aircraft | null {
  if (r === undefined) return null;
  return {
    id: r.id, icao: r.icao, tail: r.tail, flight: r.flight, firstSeen: r.first_seen, lastSeen: r.last_seen, lastType: r.last_type,
    messages: r.messages, lat: r.lat, lon: r.lon, alt: r.alt, positionTime: r.position_time,
  };
}
