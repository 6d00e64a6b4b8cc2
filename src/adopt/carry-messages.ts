/**
 * Legacy messages into Contrail's messages table, ids kept (alert matches and anything users
 * noted down keep pointing at the same message), in chunks of one transaction each. The
 * full-text index is built once at the end (see adopt-database.ts), not per chunk.
 */
import Database from 'better-sqlite3';
import { MESSAGE_COLUMNS } from '../store/message-row.js';
import type { Db } from '../store/open-database.js';
import { newTally, type TableTally } from './adopt-report.js';
import type { AdoptContext } from './adopt-context.js';
import { convertMessage, extraColumns, type AdoptedMessage, type ConvertContext, type ConvertNotes, type LegacyRow } from './convert-message.js';

export interface ConversionCounts {
  typeInferred: number;
  icaoFromDecimal: number;
  freqScaled: number;
  /** Per legacy field: values that did not parse, kept in extra.acarshub. */
  unparsed: Record<string, number>;
}

export interface MessagesCarried {
  tally: TableTally;
  /** Legacy ids refused, so the alert matches pointing at them are refused with a clear reason. */
  rejectedIds: Set<number>;
  /** The highest legacy id (written or refused): messages created from messages_saved rows are numbered after it. */
  maxId: number;
  counts: ConversionCounts;
}

/**
 * Inserts one adopted message; values bound by position, which better-sqlite3 binds faster than
 * names. A failure names the message (its legacy id) and keeps SQLite's error as the cause.
 */
export function prepareInsertMessage(db: Db): (m: AdoptedMessage) => void {
  const columns = ['id', ...MESSAGE_COLUMNS] as const;
  const statement = db.prepare(`INSERT INTO messages (${columns.join(', ')}) VALUES (${columns.map(() => '?').join(', ')})`);
  const values: (string | number | null)[] = new Array<string | number | null>(columns.length).fill(null);
  return (m) => {
    for (let i = 0; i < columns.length; i++) values[i] = m[columns[i]!];
    try {
      statement.run(values);
    } catch (e) {
      throw new Error(`message ${String(m.id)} could not be written: ${(e as Error).message}`, { cause: e });
    }
  };
}

/** SQLite result codes a row's own values cause (a constraint, a type, a size), as opposed to the database failing. */
const ROW_FAULT = /^SQLITE_(CONSTRAINT|MISMATCH|TOOBIG)/;

/**
 * Why SQLite refused a message for its values, or null when the failure is the database's (disk
 * full, I/O), which must stop the adoption. A refused INSERT is undone alone (SQLite's default
 * ABORT), so the rows around it in the same transaction stay.
 */
function rowFault(e: unknown): string | null {
  const cause = e instanceof Error ? e.cause : undefined;
  return cause instanceof Database.SqliteError && ROW_FAULT.test(cause.code) ? cause.message : null;
}

/**
 * A page of rows as objects. better-sqlite3 builds row objects natively at about half the speed
 * of arrays turned into objects here, and messages are the bulk of an adoption.
 */
export function rowPages(db: Db, sql: string): (...params: unknown[]) => LegacyRow[] {
  const statement = db.prepare(sql).raw(true);
  const names = statement.columns().map((c) => c.name);
  return (...params) =>
    (statement.all(...params) as unknown[][]).map((values) => {
      const row: LegacyRow = {};
      for (let i = 0; i < names.length; i++) row[names[i]!] = values[i];
      return row;
    });
}

export function newConversionCounts(): ConversionCounts {
  return { typeInferred: 0, icaoFromDecimal: 0, freqScaled: 0, unparsed: {} };
}

export function countNotes(counts: ConversionCounts, notes: ConvertNotes): void {
  if (notes.typeInferred) counts.typeInferred++;
  if (notes.icaoFromDecimal) counts.icaoFromDecimal++;
  if (notes.freqScaled) counts.freqScaled++;
  for (const f of notes.unparsed) counts.unparsed[f] = (counts.unparsed[f] ?? 0) + 1;
}

const many = (n: number, one: string, more = `${one}s`): string => `${n} ${n === 1 ? one : more}`;

/** The report's notes on what conversion did, in numbers. */
export function conversionNotes(c: ConversionCounts, hasMessageType: boolean): string[] {
  const notes: string[] = [];
  if (c.typeInferred > 0) {
    const why = hasMessageType ? 'their message_type is none Contrail knows' : 'this generation has no message_type column';
    notes.push(`${many(c.typeInferred, 'message')} got the type their frequency belongs to (${why}); extra.acarshub.type_inferred_from says so`);
  }
  if (c.icaoFromDecimal > 0) notes.push(`${many(c.icaoFromDecimal, 'ICAO address', 'ICAO addresses')} stored as decimal numbers became 6-digit hex`);
  if (c.freqScaled > 0) notes.push(`${many(c.freqScaled, 'frequency', 'frequencies')} stored without a decimal point (e.g. "1290000" for 129.0 MHz) were read by their band`);
  for (const [field, n] of Object.entries(c.unparsed)) {
    notes.push(`${many(n, 'message')} had ${/^[aeiou]/.test(field) ? 'an' : 'a'} ${field} that is no valid value: NULL in the column, the stored text in extra.acarshub.${field}`);
  }
  return notes;
}

export async function carryMessages(ctx: AdoptContext): Promise<MessagesCarried> {
  const { legacy, target, rejects } = ctx;
  const tally = newTally('messages', 'messages');
  const rejectedIds = new Set<number>();
  const counts = newConversionCounts();
  const convertCtx: ConvertContext = { icaoDecimal: ctx.shape.icaoDecimal, extraColumns: extraColumns(ctx.shape.messageColumns) };
  const total = legacy.prepare('SELECT count(*) FROM messages').pluck().get() as number;
  const page = rowPages(legacy, 'SELECT * FROM messages WHERE id > ? ORDER BY id LIMIT ?');
  const insert = prepareInsertMessage(target);
  const write = (m: AdoptedMessage): string | null => {
    try {
      insert(m);
      return null;
    } catch (e) {
      const fault = rowFault(e);
      if (fault === null) throw e;
      return fault;
    }
  };
  let maxId = 0;

  const writeChunk = target.transaction((rows: LegacyRow[]) => {
    for (const row of rows) {
      tally.before++;
      if (typeof row.id === 'number' && row.id > maxId) maxId = row.id;
      const r = convertMessage(row, convertCtx);
      // Conversion makes every value fit the schema; a row SQLite still refuses is rejected with
      // SQLite's reason rather than stopping the adoption.
      const refused = r.ok ? write(r.message) : null;
      if (r.ok && refused === null) {
        countNotes(counts, r.notes);
        tally.after++;
      } else {
        if (r.ok) rejects.reject('messages', 'write-refused', `SQLite refused message ${String(r.message.id)}: ${refused}`, row, r.message.type as string);
        else rejects.reject('messages', r.reason, r.detail, row, r.typeHint);
        if (typeof row.id === 'number') rejectedIds.add(row.id);
        tally.rejected++;
      }
    }
  });

  ctx.progress('messages', 0, total);
  let last = Number.MIN_SAFE_INTEGER;
  for (;;) {
    const rows = page(last, ctx.chunkRows);
    if (rows.length === 0) break;
    writeChunk(rows);
    last = rows[rows.length - 1]!.id as number;
    ctx.progress('messages', tally.before, total);
    await ctx.pause();
  }
  return { tally, rejectedIds, maxId, counts };
}
