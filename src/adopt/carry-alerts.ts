/**
 * Alert hits into alert_matches, pointing at the adopted messages (whose ids were kept).
 *
 * - 171fe2c07bd9 .. 96f36b89016d: alert_matches(message_uid, ...), linked through messages.uid.
 * - 803398f85958 on: alert_matches(message_id, ...), the id itself.
 * - Before 171fe2c07bd9: messages_saved, a full copy of the message plus term and type_of_match
 *   per hit. Each copy is linked to the message it copies, found by its content; ACARS Hub kept
 *   alert hits longer than messages, so when the message was pruned the copy becomes the message
 *   (once, however many terms it matched).
 */
import type { Statement } from 'better-sqlite3';
import { newTally, type TableTally } from './adopt-report.js';
import { countRows, type AdoptContext } from './adopt-context.js';
import { countNotes, prepareInsertMessage, type MessagesCarried } from './carry-messages.js';
import { convertMessage, extraColumns, type LegacyRow } from './convert-message.js';
import { legacyInteger, legacyNumber, legacyText } from './legacy-values.js';

/** The reference alert_matches rows carry to their message, read by the join below. */
const REF = 'adopt_message_ref';

interface Match {
  id: number | null;
  messageId: number;
  term: string;
  field: string;
  matchedAt: number;
}

type Refusal = { reason: string; detail: string };

function matchFields(term: unknown, field: unknown, at: unknown): Refusal | Omit<Match, 'id' | 'messageId'> {
  const t = legacyText(term)?.trim();
  if (!t) return { reason: 'empty-term', detail: `term ${JSON.stringify(term ?? null)} is empty` };
  const f = legacyText(field)?.trim().toLowerCase();
  if (!f) return { reason: 'unknown-field', detail: `match type ${JSON.stringify(field ?? null)} names no message field` };
  const matchedAt = legacyNumber(at);
  if (matchedAt === null) return { reason: 'invalid-time', detail: `match time ${JSON.stringify(at ?? null)} is not epoch seconds` };
  return { term: t, field: f, matchedAt };
}

function prepareInsertMatch(ctx: AdoptContext): Statement<[number | null, number, string, string, number]> {
  return ctx.target.prepare('INSERT INTO alert_matches (id, message_id, term, field, matched_at) VALUES (?, ?, ?, ?, ?)');
}

/** Runs `select` (rows of `table` after a given id, in id order) page by page, one write transaction per page. */
async function inChunks(ctx: AdoptContext, table: string, select: string, each: (row: LegacyRow) => void): Promise<void> {
  const page = ctx.legacy.prepare(`${select} LIMIT ?`);
  const total = countRows(ctx.legacy, table);
  const step = 'alert matches';
  const write = ctx.target.transaction((rows: LegacyRow[]) => {
    for (const r of rows) each(r);
  });
  let last = Number.MIN_SAFE_INTEGER;
  let done = 0;
  ctx.progress(step, 0, total);
  for (;;) {
    const rows = page.all(last, ctx.chunkRows) as LegacyRow[];
    if (rows.length === 0) break;
    write(rows);
    done += rows.length;
    last = rows[rows.length - 1]!.id as number;
    ctx.progress(step, done, total);
    await ctx.pause();
  }
}

async function carryAlertMatches(ctx: AdoptContext, messages: MessagesCarried, byUid: boolean): Promise<TableTally[]> {
  const tally = newTally('alert_matches', 'alert_matches');
  const insert = prepareInsertMatch(ctx);
  const exists = ctx.target.prepare('SELECT 1 FROM messages WHERE id = ?').pluck();
  const uidColumn = ctx.shape.messageColumns.includes('uid');
  const select = !byUid
    ? 'SELECT * FROM alert_matches WHERE id > ? ORDER BY id'
    : uidColumn
      ? `SELECT a.*, m.id AS ${REF} FROM alert_matches a LEFT JOIN messages m ON m.uid = a.message_uid WHERE a.id > ? ORDER BY a.id`
      : `SELECT a.*, NULL AS ${REF} FROM alert_matches a WHERE a.id > ? ORDER BY a.id`;

  await inChunks(ctx, 'alert_matches', select, (joined) => {
    tally.before++;
    const { [REF]: ref, ...row } = joined;
    const refuse = (reason: string, detail: string): void => {
      ctx.rejects.reject('alert_matches', reason, detail, row);
      tally.rejected++;
    };
    const messageId = byUid ? legacyInteger(ref) : legacyInteger(row.message_id);
    if (messageId === null) {
      refuse('message-not-found', byUid ? `no message has uid ${JSON.stringify(row.message_uid ?? null)}` : `message_id ${JSON.stringify(row.message_id ?? null)} is not a message id`);
      return;
    }
    if (messages.rejectedIds.has(messageId)) {
      refuse('message-rejected', `its message ${messageId} was rejected (see rejects from adopt:messages)`);
      return;
    }
    if (exists.get(messageId) === undefined) {
      refuse('message-not-found', `no message with id ${messageId}`);
      return;
    }
    const f = matchFields(row.term, row.match_type, row.matched_at);
    if ('reason' in f) {
      refuse(f.reason, f.detail);
      return;
    }
    insert.run(legacyInteger(row.id), messageId, f.term, f.field, f.matchedAt);
    tally.after++;
  });
  return [tally];
}

/** Columns a messages_saved copy must share with its message to be that message. */
const LINK_COLUMNS = ['message_type', 'msg_time', 'station_id', 'msg_text', 'tail', 'flight', 'icao', 'freq', 'label', 'block_id', 'msgno', 'ack'];

async function carrySavedMessages(ctx: AdoptContext, messages: MessagesCarried): Promise<TableTally[]> {
  const toMessages = newTally('messages_saved', 'messages');
  const toMatches = newTally('messages_saved', 'alert_matches');
  const link = LINK_COLUMNS.filter((c) => ctx.shape.messageColumns.includes(c) && ctx.shape.savedColumns.includes(c));
  // The adoption's own copy: an index there makes each lookup by time cheap, and the original is untouched.
  ctx.legacy.exec('CREATE INDEX IF NOT EXISTS adopt_link_msg_time ON messages (msg_time)');
  const candidates = ctx.legacy.prepare(`SELECT id, ${link.join(', ')} FROM messages WHERE msg_time = ? ORDER BY id`);
  const insertMessage = prepareInsertMessage(ctx.target);
  const insertMatch = prepareInsertMatch(ctx);
  const created = new Map<string, number>();
  const savedExtra = extraColumns(ctx.shape.savedColumns).filter((c) => c !== 'term' && c !== 'type_of_match');
  const convertCtx = { icaoDecimal: ctx.shape.icaoDecimal, extraColumns: [...savedExtra, 'messages_saved_id'] };
  let nextId = messages.maxId;

  await inChunks(ctx, 'messages_saved', 'SELECT * FROM messages_saved WHERE id > ? ORDER BY id', (row) => {
    toMessages.before++;
    toMatches.before++;
    const refuse = (reason: string, detail: string): void => {
      ctx.rejects.reject('messages_saved', reason, detail, row, legacyText(row.message_type));
      toMessages.rejected++;
      toMatches.rejected++;
    };
    const f = matchFields(row.term, row.type_of_match, row.msg_time);
    if ('reason' in f) {
      refuse(f.reason, f.detail);
      return;
    }
    const same = (candidate: LegacyRow): boolean => link.every((c) => candidate[c] === row[c]);
    const found = (candidates.all(row.msg_time) as LegacyRow[]).find(same);
    let messageId: number;
    if (found !== undefined) {
      messageId = found.id as number;
      if (messages.rejectedIds.has(messageId)) {
        refuse('message-rejected', `the message it copies (${messageId}) was rejected (see rejects from adopt:messages)`);
        return;
      }
      toMessages.merged++;
    } else {
      const key = JSON.stringify(link.map((c) => row[c]));
      const earlier = created.get(key);
      if (earlier !== undefined) {
        messageId = earlier;
        toMessages.merged++;
      } else {
        const { id: savedId, term: _term, type_of_match: _type, ...content } = row;
        const converted = convertMessage({ ...content, id: nextId + 1, messages_saved_id: savedId }, convertCtx);
        if (!converted.ok) {
          refuse(converted.reason, converted.detail);
          return;
        }
        messageId = ++nextId;
        insertMessage(converted.message);
        countNotes(messages.counts, converted.notes);
        created.set(key, messageId);
        toMessages.after++;
      }
    }
    insertMatch.run(legacyInteger(row.id), messageId, f.term, f.field, f.matchedAt);
    toMatches.after++;
  });
  return [toMessages, toMatches];
}

export async function carryAlerts(ctx: AdoptContext, messages: MessagesCarried): Promise<TableTally[]> {
  switch (ctx.shape.alerts) {
    case 'alert_matches_id':
      return carryAlertMatches(ctx, messages, false);
    case 'alert_matches_uid':
      return carryAlertMatches(ctx, messages, true);
    case 'messages_saved':
      return carrySavedMessages(ctx, messages);
    case null:
      return [];
    default:
      throw new Error(`unhandled alert source ${String(ctx.shape.alerts satisfies never)}`);
  }
}
