/**
 * Writes one decoded batch in one transaction: the messages and their full-text index, the
 * per-decoder level and frequency histograms, the per-minute counters and the rejects. Every
 * statement is prepared once. Histogram and counter updates are summed per batch first, so a
 * batch costs one upsert per distinct key, not one per message.
 */
import type { Statement } from 'better-sqlite3';
import { decodeDecodedBatch, type AlertRow, type RejectRow } from '../decode/decoded-batch.js';
import { DECODER_TYPES, isDecoderType, type DecoderType } from '../decode/message.js';
import { TABLE_SUFFIX } from './decoder-tables.js';
import { COL, MESSAGE_COLUMNS, type MessageRow } from './message-row.js';
import { prepareIndexMessages } from './fts-index.js';
import type { Db } from './open-database.js';
import { AircraftTracker } from './intel/aircraft-tracker.js';
import { betterCopy, DedupWindow, type Kept } from './intel/dedup-window.js';
import { IntelStatements, RECEPTION_COLUMNS } from './intel/intel-statements.js';
import { joinedText, MultipartAssembler, type Group } from './intel/multipart.js';
import { ALERT_FLAG, encodeMeta, encodePublishBatch } from './publish-batch.js';

export interface SourceLabel {
  descriptor: string;
  type: DecoderType | null;
}

export interface IntelOptions {
  /** Copies of a message within this many seconds (message time) are stored once; 0: no dedup. */
  dedupWindowS: number;
  /** Parts of a long message are joined within this many seconds of the last part. */
  multipartWindowS: number;
}

export const DEFAULT_INTEL: IntelOptions = { dedupWindowS: 5, multipartWindowS: 120 };

export interface WriteOutcome {
  stored: number;
  storedByType: Partial<Record<DecoderType, number>>;
  /** Copies of messages already stored (not stored again), per decoder type. */
  duplicatesByType: Partial<Record<DecoderType, number>>;
  /** Alert matches stored, per term. */
  alertHits: Record<string, number>;
  rejects: number;
  firstId: number | null;
  lastId: number | null;
  /** Earlier messages this batch's copies updated (copies, maybe their reception): mirrors re-read them. */
  updatedIds: number[];
  /** Earliest received_at (epoch ms) among the batch's rows: how old the batch is at commit. */
  oldestReceivedAt: number | null;
  /** The batch was at or below the journal checkpoint (a replay of committed frames): nothing written. */
  skipped: boolean;
  /** encodePublishBatch() of the stored messages' WebSocket payloads. */
  publish: ArrayBuffer;
}

type Tally = Map<number, number>;

const str = (row: MessageRow, col: number): string | null => row[col] as string | null;
const num = (row: MessageRow, col: number): number | null => row[col] as number | null;

function bump(map: Tally, key: number, by = 1): void {
  map.set(key, (map.get(key) ?? 0) + by);
}

export class MessageWriter {
  readonly #sources: readonly SourceLabel[];
  readonly #insertMessage: Statement;
  readonly #insertReject: Statement;
  readonly #upsertLevel: Record<DecoderType, Statement>;
  readonly #upsertFreq: Record<DecoderType, Statement>;
  readonly #upsertMinute: Statement;
  readonly #indexMessages: Statement<[number, number]>;
  readonly #setCheckpoint: Statement<[number, number]>;
  #checkpoint: number;
  readonly #transaction: (rows: MessageRow[], json: string[], rejects: RejectRow[], alerts: AlertRow[], journalEnd: number | null) => WriteOutcome;
  readonly #intel: IntelStatements;
  readonly #options: IntelOptions;
  readonly #dedup: DedupWindow;
  readonly #multipart: MultipartAssembler;
  readonly #aircraft: AircraftTracker;

  constructor(db: Db, sources: readonly SourceLabel[], options: IntelOptions = DEFAULT_INTEL) {
    this.#sources = sources;
    this.#options = options;
    this.#intel = new IntelStatements(db);
    this.#dedup = new DedupWindow(options.dedupWindowS);
    this.#multipart = new MultipartAssembler(options.multipartWindowS);
    this.#aircraft = new AircraftTracker(this.#intel);
    this.#loadIntel();
    const cols = [...MESSAGE_COLUMNS, 'journal_end', 'aircraft_id'].join(', ');
    const params = [...MESSAGE_COLUMNS, 'journal_end', 'aircraft_id'].map(() => '?').join(', ');
    this.#insertMessage = db.prepare(`INSERT INTO messages (${cols}) VALUES (${params})`);
    this.#insertReject = db.prepare(
      'INSERT INTO rejects (received_at, source, type_hint, reason, detail, size, raw) VALUES (?, ?, ?, ?, ?, ?, ?)',
    );
    const perType = (sql: (suffix: string) => string): Record<DecoderType, Statement> =>
      Object.fromEntries(DECODER_TYPES.map((t) => [t, db.prepare(sql(TABLE_SUFFIX[t]))])) as Record<DecoderType, Statement>;
    this.#upsertLevel = perType(
      (s) => `INSERT INTO level_${s} (level, count) VALUES (?, ?) ON CONFLICT (level) DO UPDATE SET count = count + excluded.count`,
    );
    this.#upsertFreq = perType(
      (s) => `INSERT INTO freqs_${s} (freq, count) VALUES (?, ?) ON CONFLICT (freq) DO UPDATE SET count = count + excluded.count`,
    );
    this.#upsertMinute = db.prepare(
      `INSERT INTO counts_minute (minute, type, messages, errors, non_acars, duplicates) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (minute, type) DO UPDATE SET messages = messages + excluded.messages,
         errors = errors + excluded.errors, non_acars = non_acars + excluded.non_acars, duplicates = duplicates + excluded.duplicates`,
    );
    this.#indexMessages = prepareIndexMessages(db);
    this.#setCheckpoint = db.prepare('UPDATE journal_checkpoint SET position = ?, updated_at = ? WHERE id = 1');
    this.#checkpoint = (db.prepare('SELECT position FROM journal_checkpoint WHERE id = 1').pluck().get() as number | undefined) ?? 0;
    this.#transaction = db.transaction((rows, json, rejects, alerts, journalEnd) => {
      const out = this.#write(rows, json, rejects, alerts, journalEnd);
      if (journalEnd !== null) this.#setCheckpoint.run(journalEnd, Date.now());
      return out;
    });
  }

  /** Journal position up to which every batch is committed. */
  get checkpoint(): number {
    return this.#checkpoint;
  }

  /**
   * Writes a buffer produced by a decode task, with the journal position of the batch's end
   * (null for batches that were never journaled). Throws (and rolls back) on any SQLite error.
   * A batch ending at or below the checkpoint is already stored: it is recognized by its
   * position, not its content, and skipped.
   */
  writeBatch(decoded: ArrayBuffer, journalEnd: number | null = null): WriteOutcome {
    if (journalEnd !== null && journalEnd <= this.#checkpoint) {
      return { stored: 0, storedByType: {}, duplicatesByType: {}, alertHits: {}, rejects: 0, firstId: null, lastId: null, updatedIds: [], oldestReceivedAt: null, skipped: true, publish: encodePublishBatch([], []) };
    }
    const { rows, json, rejects, alerts } = decodeDecodedBatch(decoded);
    let out: WriteOutcome;
    try {
      out = this.#transaction(rows, json, rejects, alerts ?? [], journalEnd);
    } catch (e) {
      // The rows are gone with the transaction: what the in-memory state says about them too.
      this.#loadIntel();
      throw e;
    }
    if (journalEnd !== null) this.#checkpoint = journalEnd;
    return out;
  }

  /** Rebuilds the dedup window, the open multi-part groups and the aircraft cache from the database. */
  #loadIntel(): void {
    // A rolled-back batch's rows are remembered here too: without clearing, its retry would find
    // every row as a copy of itself and store none of them.
    this.#dedup.clear();
    this.#aircraft.clear();
    this.#multipart.clear();
    for (const g of this.#intel.openGroups(this.#options.multipartWindowS)) this.#multipart.restore(g);
    if (this.#dedup.enabled) for (const { key, kept } of this.#intel.recentKept(this.#options.dedupWindowS)) this.#dedup.remember(key, kept);
  }

  /** Inserts or updates the group's row (its joined text is built by readers, and for live clients). */
  #storeGroup(g: Group): void {
    const complete = g.complete ? 1 : 0;
    if (g.id === 0) {
      g.id = Number(this.#intel.insertGroup.run(g.type, g.label, g.base, g.icao, g.tail, g.flight, g.firstTime, g.lastTime, g.parts.size, complete).lastInsertRowid);
      for (const p of g.parts.values()) this.#intel.setMultipart.run(g.id, p.id);
    } else {
      this.#intel.updateGroup.run(g.lastTime, g.parts.size, complete, g.id);
    }
  }

  /** Signal levels and frequencies count every reception, copies included: they describe the receivers. */
  #tallyReception(row: MessageRow, type: DecoderType, levels: Map<DecoderType, Tally>, freqs: Map<DecoderType, Tally>): void {
    const level = row[COL.level];
    if (typeof level === 'number') {
      let m = levels.get(type);
      if (!m) levels.set(type, (m = new Map()));
      bump(m, Math.round(level * 10) / 10);
    }
    const freq = row[COL.freq];
    if (typeof freq === 'number') {
      let m = freqs.get(type);
      if (!m) freqs.set(type, (m = new Map()));
      bump(m, freq);
    }
  }

  /**
   * A copy of a kept message: counted on it; its reception replaces the kept one's when better.
   * Returns true when that took the kept message from "with errors" to "without".
   */
  #copy(kept: Kept, row: MessageRow, journalEnd: number | null): boolean {
    kept.copies++;
    const station = row[COL.station_id] as string | null;
    if (station !== null && !kept.stations.includes(station)) kept.stations.push(station);
    this.#intel.setCopies.run(kept.copies, kept.stations.length > 1 ? JSON.stringify(kept.stations) : null, kept.id);
    const copy = { error: num(row, COL.error), level: num(row, COL.level) };
    if (!betterCopy(kept, copy)) return false;
    const cleared = (kept.error ?? 0) > 0 && (copy.error ?? 0) === 0;
    kept.error = copy.error;
    kept.level = copy.level;
    const values = RECEPTION_COLUMNS.map((c) => (c === 'journal_end' ? journalEnd : row[COL[c]] ?? null));
    this.#intel.takeReception.run(...values, kept.id);
    return cleared;
  }

  #write(rows: MessageRow[], json: string[], rejects: RejectRow[], alerts: AlertRow[], journalEnd: number | null): WriteOutcome {
    const levels = new Map<DecoderType, Tally>();
    const freqs = new Map<DecoderType, Tally>();
    // key: minute * 8 + type index -> [messages, errors, nonAcars, duplicates]
    const minutes = new Map<number, [number, number, number, number]>();
    /** The counters of the minute `time` falls in, for type index `t`. */
    const counters = (time: number, t: number): [number, number, number, number] => {
      const key = Math.floor(time / 60) * 60 * 8 + t;
      let c = minutes.get(key);
      if (!c) minutes.set(key, (c = [0, 0, 0, 0]));
      return c;
    };
    const payloads: string[] = [];
    const typeIndexes: number[] = [];
    const metas: string[] = [];
    const storedByType: Partial<Record<DecoderType, number>> = {};
    const duplicatesByType: Partial<Record<DecoderType, number>> = {};
    const alertHits: Record<string, number> = {};
    /** Kept messages a copy counted on (their copies, maybe their reception, changed). */
    const reception = new Set<number>();
    const alertsByRow = new Map<number, AlertRow[]>();
    for (const a of alerts) {
      const list = alertsByRow.get(a[0]);
      if (list) list.push(a);
      else alertsByRow.set(a[0], [a]);
    }
    let latestArrival = -Infinity;
    let firstId: number | null = null;
    let lastId: number | null = null;
    let oldestReceivedAt: number | null = null;

    for (let k = 0; k < rows.length; k++) {
      const row = rows[k]!;
      const receivedAt = row[COL.received_at] as number;
      if (oldestReceivedAt === null || receivedAt < oldestReceivedAt) oldestReceivedAt = receivedAt;
      if (receivedAt > latestArrival) latestArrival = receivedAt;
      const type = row[COL.type];
      if (!isDecoderType(type)) throw new TypeError(`row ${k} has no valid type: ${String(type)}`);
      const t = DECODER_TYPES.indexOf(type);
      const time = row[COL.msg_time] as number;
      const c = counters(time, t);
      this.#tallyReception(row, type, levels, freqs);

      const key = row[COL.dedup_key] as number | null;
      const kept = key !== null && this.#dedup.enabled ? this.#dedup.find(key, time) : null;
      if (kept !== null) {
        if (this.#copy(kept, row, journalEnd)) {
          // The kept message no longer counts as an error, in the minute it was counted in.
          counters(kept.time, t)[1]--;
        }
        reception.add(kept.id);
        duplicatesByType[type] = (duplicatesByType[type] ?? 0) + 1;
        c[3]++;
        continue;
      }

      const aircraft = this.#aircraft.see({ type, time, icao: str(row, COL.icao), tail: str(row, COL.tail), flight: str(row, COL.flight), lat: num(row, COL.lat), lon: num(row, COL.lon), alt: num(row, COL.alt) });
      row.push(journalEnd, aircraft?.id ?? null); // the rows are this batch's own unpacked arrays
      const id = Number(this.#insertMessage.run(row).lastInsertRowid);
      firstId ??= id;
      lastId = id;
      storedByType[type] = (storedByType[type] ?? 0) + 1;
      if (key !== null && this.#dedup.enabled) {
        const station = str(row, COL.station_id);
        this.#dedup.remember(key, { id, time, arrived: receivedAt, error: num(row, COL.error), level: num(row, COL.level), copies: 1, stations: station === null ? [] : [station] });
      }

      let extra = aircraft ? `"aircraftId":${aircraft.id},` : '';
      const part = this.#multipart.offer({ id, type, label: str(row, COL.label), msgno: str(row, COL.msgno), icao: str(row, COL.icao), tail: str(row, COL.tail), flight: str(row, COL.flight), more: num(row, COL.more), text: str(row, COL.text), time, arrived: receivedAt });
      if (part.kind !== 'single') {
        const g = part.group;
        this.#storeGroup(g);
        if (part.kind === 'joined') this.#intel.setMultipart.run(g.id, id);
        const parts = [...g.parts.keys()].sort().map((l) => ({ id: g.parts.get(l)!.id, part: l }));
        extra += `"multipart":${JSON.stringify({ id: g.id, part: str(row, COL.msgno)!.slice(3), parts, complete: g.complete, text: joinedText(g) })},`;
      }
      const matches = alertsByRow.get(k);
      let matchJson = '';
      if (matches) {
        for (const [, term, field] of matches) {
          this.#intel.insertMatch.run(id, term, field, time);
          alertHits[term] = (alertHits[term] ?? 0) + 1;
        }
        matchJson = JSON.stringify(matches.map(([, term, field]) => ({ term, field })));
        extra += `"alerts":${matchJson},`;
      }
      const data = `{"id":${id},${extra}${json[k]!.slice(1)}`;
      payloads.push(`{"topic":"messages","data":${data}}`);
      typeIndexes.push(t);
      metas.push(encodeMeta(str(row, COL.label), str(row, COL.flight), str(row, COL.tail), str(row, COL.icao), str(row, COL.station_id)));
      if (matches) {
        payloads.push(`{"topic":"alerts","data":{"matches":${matchJson},"message":${data}}}`);
        typeIndexes.push(t | ALERT_FLAG);
        metas.push('');
      }
      c[0]++;
      const error = row[COL.error];
      if (typeof error === 'number' && error > 0) c[1]++;
      if (row[COL.is_acars] === 0) c[2]++;
    }
    // One statement indexes the whole batch: far cheaper than a trigger firing per row.
    if (firstId !== null && lastId !== null) this.#indexMessages.run(firstId, lastId);
    for (const [type, m] of levels) for (const [level, n] of m) this.#upsertLevel[type].run(level, n);
    for (const [type, m] of freqs) for (const [freq, n] of m) this.#upsertFreq[type].run(freq, n);
    for (const [key, [messages, errors, nonAcars, duplicates]] of minutes) {
      const t = key % 8;
      this.#upsertMinute.run((key - t) / 8, DECODER_TYPES[t], messages, errors, nonAcars, duplicates);
    }
    for (const a of this.#aircraft.drain()) this.#intel.writeAircraft(a);
    if (latestArrival > -Infinity) for (const g of this.#multipart.expire(latestArrival)) this.#storeGroup(g);
    for (const [term, n] of Object.entries(alertHits)) this.#intel.addHits.run(n, term);
    for (const [receivedAt, sourceIndex, reason, detail, size, raw] of rejects) {
      const source = this.#sources[sourceIndex];
      this.#insertReject.run(Math.round(receivedAt), source?.descriptor ?? `source#${sourceIndex}`, source?.type ?? null, reason, detail || null, size, raw);
    }
    return {
      stored: rows.length - Object.values(duplicatesByType).reduce((a, b) => a + b, 0),
      storedByType,
      duplicatesByType,
      alertHits,
      rejects: rejects.length,
      firstId,
      lastId,
      oldestReceivedAt,
      updatedIds: [...reception],
      skipped: false,
      publish: encodePublishBatch(payloads, typeIndexes, metas),
    };
  }
}
