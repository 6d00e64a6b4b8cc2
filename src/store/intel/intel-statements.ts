/**
 * The writer's prepared statements for dedup, multi-part joining, aircraft and alert matches,
 * and the reads that rebuild its in-memory state at start (or after a rolled-back batch).
 */
import type { Statement } from 'better-sqlite3';
import type { Db } from '../open-database.js';
import { aircraftFromRow, type AircraftRow } from './aircraft-row.js';
import type { Aircraft, AircraftStore } from './aircraft-tracker.js';
import { groupKey, type Group } from './multipart.js';
import type { Kept } from './dedup-window.js';

/**
 * Reception columns a better copy takes over. Not its time: the message keeps the time it was
 * first heard, so the minute it is counted in (counts_minute) and the minute analytics find it
 * in stay the same.
 */
export const RECEPTION_COLUMNS = ['station_id', 'freq', 'channel', 'level', 'noise', 'error', 'decoder', 'journal_end', 'frame_index'] as const;

export class IntelStatements implements AircraftStore {
  readonly setCopies: Statement<[number, string | null, number]>;
  readonly takeReception: Statement;
  readonly insertGroup: Statement;
  readonly updateGroup: Statement<[number, number, number, number]>;
  readonly setMultipart: Statement<[number, number]>;
  readonly updateAircraft: Statement;
  readonly insertMatch: Statement<[number, string, string, number]>;
  readonly addHits: Statement<[number, string]>;
  readonly #byIcao: Statement<[string]>;
  readonly #byTail: Statement<[string]>;
  readonly #byFlight: Statement<[string, number]>;
  readonly #insertAircraft: Statement;
  readonly #db: Db;

  constructor(db: Db) {
    this.#db = db;
    this.setCopies = db.prepare('UPDATE messages SET copies = ?, heard_by = ? WHERE id = ?');
    this.takeReception = db.prepare(`UPDATE messages SET ${RECEPTION_COLUMNS.map((c) => `${c} = ?`).join(', ')} WHERE id = ?`);
    this.insertGroup = db.prepare(
      'INSERT INTO multipart (type, label, msgno_base, icao, tail, flight, first_time, last_time, parts, complete) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
    );
    this.updateGroup = db.prepare('UPDATE multipart SET last_time = ?, parts = ?, complete = ? WHERE id = ?');
    this.setMultipart = db.prepare('UPDATE messages SET multipart_id = ? WHERE id = ?');
    this.updateAircraft = db.prepare(
      `UPDATE aircraft SET icao = ?, tail = ?, flight = ?, first_seen = ?, last_seen = ?, last_type = ?, messages = ?,
       lat = ?, lon = ?, alt = ?, position_time = ? WHERE id = ?`,
    );
    this.insertMatch = db.prepare('INSERT INTO alert_matches (message_id, term, field, matched_at) VALUES (?, ?, ?, ?)');
    this.addHits = db.prepare('UPDATE alert_terms SET hits = hits + ? WHERE term = ?');
    this.#byIcao = db.prepare('SELECT * FROM aircraft WHERE icao = ?');
    this.#byTail = db.prepare('SELECT * FROM aircraft WHERE tail = ? ORDER BY last_seen DESC LIMIT 1');
    this.#byFlight = db.prepare('SELECT * FROM aircraft WHERE flight = ? AND last_seen >= ? ORDER BY last_seen DESC LIMIT 1');
    this.#insertAircraft = db.prepare(
      `INSERT INTO aircraft (icao, tail, flight, first_seen, last_seen, last_type, messages, lat, lon, alt, position_time)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
  }

  byIcao(icao: string): Aircraft | null {
    return aircraftFromRow(this.#byIcao.get(icao) as AircraftRow | undefined);
  }

  byTail(tail: string): Aircraft | null {
    return aircraftFromRow(this.#byTail.get(tail) as AircraftRow | undefined);
  }

  byFlight(flight: string, since: number): Aircraft | null {
    return aircraftFromRow(this.#byFlight.get(flight, since) as AircraftRow | undefined);
  }

  insert(a: Omit<Aircraft, 'id'>): number {
    return Number(this.#insertAircraft.run(a.icao, a.tail, a.flight, a.firstSeen, a.lastSeen, a.lastType, a.messages, a.lat, a.lon, a.alt, a.positionTime).lastInsertRowid);
  }

  writeAircraft(a: Aircraft): void {
    this.updateAircraft.run(a.icao, a.tail, a.flight, a.firstSeen, a.lastSeen, a.lastType, a.messages, a.lat, a.lon, a.alt, a.positionTime, a.id);
  }

  /**
   * The kept messages that arrived in the last `windowS` seconds before the newest row, with a
   * dedup key, newest last, read backwards from the newest row so a large table costs only the
   * window's rows.
   */
  recentKept(windowS: number): { key: number; kept: Kept }[] {
    const out: { key: number; kept: Kept }[] = [];
    let newest: number | null = null;
    const rows = this.#db
      .prepare('SELECT id, dedup_key, msg_time, received_at, error, level, copies, heard_by, station_id FROM messages ORDER BY id DESC')
      .iterate() as IterableIterator<{ id: number; dedup_key: number | null; msg_time: number; received_at: number; error: number | null; level: number | null; copies: number; heard_by: string | null; station_id: string | null }>;
    for (const r of rows) {
      newest ??= r.received_at;
      if (r.received_at < newest - Math.max(10_000, 2000 * windowS)) break;
      if (r.dedup_key === null) continue;
      const stations = r.heard_by !== null ? (JSON.parse(r.heard_by) as string[]) : r.station_id !== null ? [r.station_id] : [];
      out.push({ key: r.dedup_key, kept: { id: r.id, time: r.msg_time, arrived: r.received_at, error: r.error, level: r.level, copies: r.copies, stations } });
    }
    return out.reverse();
  }

  /**
   * Groups still open (not complete, heard within the window of the newest group), oldest
   * arrival first, each with the arrival of its newest part.
   */
  openGroups(windowS: number): Group[] {
    const groups = this.#db
      .prepare('SELECT * FROM multipart WHERE complete = 0 AND last_time >= (SELECT max(last_time) FROM multipart) - ?')
      .all(windowS) as { id: number; type: string; label: string | null; msgno_base: string; icao: string | null; tail: string | null; flight: string | null; first_time: number; last_time: number }[];
    const parts = this.#db.prepare('SELECT id, msgno, more, text, received_at FROM messages WHERE multipart_id = ? ORDER BY msgno');
    return groups
      .map((g) => {
        const fields = { type: g.type, label: g.label, base: g.msgno_base, icao: g.icao, tail: g.tail, flight: g.flight };
        const group: Group = { id: g.id, key: groupKey(fields) ?? '', ...fields, firstTime: g.first_time, lastTime: g.last_time, lastArrived: 0, parts: new Map(), complete: false };
        for (const p of parts.all(g.id) as { id: number; msgno: string; more: number | null; text: string | null; received_at: number }[]) {
          const letter = p.msgno.slice(3, 4);
          if (!group.parts.has(letter)) group.parts.set(letter, { id: p.id, letter, more: p.more, text: p.text });
          group.lastArrived = Math.max(group.lastArrived, p.received_at);
        }
        return group;
      })
      .sort((a, b) => a.lastArrived - b.lastArrived);
  }
}
