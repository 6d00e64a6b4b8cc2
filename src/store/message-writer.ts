/**
 * Writes one decoded batch in one transaction: the messages and their full-text index, the
 * per-decoder level and frequency histograms, the per-minute counters and the rejects. Every
 * statement is prepared once. Histogram and counter updates are summed per batch first, so a
 * batch costs one upsert per distinct key, not one per message.
 */
import type { Statement } from 'better-sqlite3';
import { decodeDecodedBatch, type RejectRow } from '../decode/decoded-batch.js';
import { DECODER_TYPES, isDecoderType, type DecoderType } from '../decode/message.js';
import { TABLE_SUFFIX } from './decoder-tables.js';
import { COL, MESSAGE_COLUMNS, type MessageRow } from './message-row.js';
import { prepareIndexMessages } from './fts-index.js';
import type { Db } from './open-database.js';
import { encodePublishBatch } from './publish-batch.js';

export interface SourceLabel {
  descriptor: string;
  type: DecoderType | null;
}

export interface WriteOutcome {
  stored: number;
  storedByType: Partial<Record<DecoderType, number>>;
  rejects: number;
  firstId: number | null;
  lastId: number | null;
  /** Earliest received_at (epoch ms) among the batch's rows: how old the batch is at commit. */
  oldestReceivedAt: number | null;
  /** The batch was at or below the journal checkpoint (a replay of committed frames): nothing written. */
  skipped: boolean;
  /** encodePublishBatch() of the stored messages' WebSocket payloads. */
  publish: ArrayBuffer;
}

type Tally = Map<number, number>;

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
  readonly #transaction: (rows: MessageRow[], json: string[], rejects: RejectRow[], journalEnd: number | null) => WriteOutcome;

  constructor(db: Db, sources: readonly SourceLabel[]) {
    this.#sources = sources;
    const cols = [...MESSAGE_COLUMNS, 'journal_end'].join(', ');
    const params = [...MESSAGE_COLUMNS, 'journal_end'].map(() => '?').join(', ');
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
      `INSERT INTO counts_minute (minute, type, messages, errors, non_acars) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (minute, type) DO UPDATE SET messages = messages + excluded.messages,
         errors = errors + excluded.errors, non_acars = non_acars + excluded.non_acars`,
    );
    this.#indexMessages = prepareIndexMessages(db);
    this.#setCheckpoint = db.prepare('UPDATE journal_checkpoint SET position = ?, updated_at = ? WHERE id = 1');
    this.#checkpoint = (db.prepare('SELECT position FROM journal_checkpoint WHERE id = 1').pluck().get() as number | undefined) ?? 0;
    this.#transaction = db.transaction((rows, json, rejects, journalEnd) => {
      const out = this.#write(rows, json, rejects, journalEnd);
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
      return { stored: 0, storedByType: {}, rejects: 0, firstId: null, lastId: null, oldestReceivedAt: null, skipped: true, publish: encodePublishBatch([], []) };
    }
    const { rows, json, rejects } = decodeDecodedBatch(decoded);
    const out = this.#transaction(rows, json, rejects, journalEnd);
    if (journalEnd !== null) this.#checkpoint = journalEnd;
    return out;
  }

  #write(rows: MessageRow[], json: string[], rejects: RejectRow[], journalEnd: number | null): WriteOutcome {
    const levels = new Map<DecoderType, Tally>();
    const freqs = new Map<DecoderType, Tally>();
    // key: minute * 8 + type index -> [messages, errors, nonAcars]
    const minutes = new Map<number, [number, number, number]>();
    const payloads: string[] = new Array(rows.length);
    const typeIndexes: number[] = new Array(rows.length);
    const storedByType: Partial<Record<DecoderType, number>> = {};
    let firstId: number | null = null;
    let lastId: number | null = null;
    let oldestReceivedAt: number | null = null;

    for (let k = 0; k < rows.length; k++) {
      const row = rows[k]!;
      row.push(journalEnd); // the rows are this batch's own unpacked arrays
      const id = Number(this.#insertMessage.run(row).lastInsertRowid);
      firstId ??= id;
      lastId = id;
      const receivedAt = row[COL.received_at] as number;
      if (oldestReceivedAt === null || receivedAt < oldestReceivedAt) oldestReceivedAt = receivedAt;
      const type = row[COL.type];
      if (!isDecoderType(type)) throw new TypeError(`row ${k} has no valid type: ${String(type)}`);
      const t = DECODER_TYPES.indexOf(type);
      storedByType[type] = (storedByType[type] ?? 0) + 1;
      typeIndexes[k] = t;
      payloads[k] = `{"topic":"messages","data":{"id":${id},${json[k]!.slice(1)}}`;

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
      const minute = Math.floor((row[COL.msg_time] as number) / 60) * 60;
      const key = minute * 8 + t;
      let c = minutes.get(key);
      if (!c) minutes.set(key, (c = [0, 0, 0]));
      c[0]++;
      const error = row[COL.error];
      if (typeof error === 'number' && error > 0) c[1]++;
      if (row[COL.is_acars] === 0) c[2]++;
    }
    // One statement indexes the whole batch: far cheaper than a trigger firing per row.
    if (firstId !== null && lastId !== null) this.#indexMessages.run(firstId, lastId);
    for (const [type, m] of levels) for (const [level, n] of m) this.#upsertLevel[type].run(level, n);
    for (const [type, m] of freqs) for (const [freq, n] of m) this.#upsertFreq[type].run(freq, n);
    for (const [key, [messages, errors, nonAcars]] of minutes) {
      const t = key % 8;
      this.#upsertMinute.run((key - t) / 8, DECODER_TYPES[t], messages, errors, nonAcars);
    }
    for (const [receivedAt, sourceIndex, reason, detail, size, raw] of rejects) {
      const source = this.#sources[sourceIndex];
      this.#insertReject.run(Math.round(receivedAt), source?.descriptor ?? `source#${sourceIndex}`, source?.type ?? null, reason, detail || null, size, raw);
    }
    return {
      stored: rows.length,
      storedByType,
      rejects: rejects.length,
      firstId,
      lastId,
      oldestReceivedAt,
      skipped: false,
      publish: encodePublishBatch(payloads, typeIndexes),
    };
  }
}
