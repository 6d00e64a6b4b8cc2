/**
 * A stored message as clients read it: the field names and shapes of a live message
 * (docs/protocol.md, "Published messages") wherever the database holds the data. What the row
 * does not keep is rebuilt: the label decoding's display `items` (decoding label and text again),
 * the enrichment (reference tables), the multi-part group and the alert matches (their tables).
 * Only `positionSource` is missing: whether lat/lon came from the frame or a decoding is not stored.
 */
import { enrich, type Enrichment } from '../../decode/enrichment.js';
import { decodeLabel } from '../../decode/label-decoder.js';
import type { Direction, Message } from '../../decode/message.js';
import { referenceTables } from '../../decode/message-intel.js';
import type { Db } from '../open-database.js';
import { prepared } from './prepared.js';
import type { VIEW_COLUMNS } from './search-sql.js';

export type ViewRow = Record<(typeof VIEW_COLUMNS)[number], string | number | null>;

export interface MultipartView {
  id: number;
  /** This message's sequence letter. */
  part: string;
  parts: { id: number; part: string }[];
  complete: boolean;
  /** The parts' texts joined in sequence order. */
  text: string;
}

export type MessageView = { id: number; aircraftId?: number; multipart?: MultipartView; alerts?: { term: string; field: string }[]; receivedAt: number } & Message & {
    labelDecoded?: Record<string, unknown>;
    decodeLevel?: string;
    enrichment?: Enrichment;
    /** Receptions of this message within the dedup window (1: heard once). */
    copies: number;
    /** The stations that heard it, when more than one. */
    heardBy?: string[];
  };

const str = (v: string | number | null): string | null => (v === null ? null : String(v));
const num = (v: string | number | null): number | null => (typeof v === 'number' ? v : null);
const flag = (v: string | number | null): boolean | null => (v === null ? null : v === 1);

function parsed(v: string | number | null): unknown {
  if (typeof v !== 'string') return null;
  try {
    return JSON.parse(v) as unknown;
  } catch {
    // Never written so; shown rather than hidden if it ever is.
    return { unreadable: v };
  }
}

function json(v: string | number | null): Record<string, unknown> | null {
  const o = parsed(v);
  return typeof o === 'object' && o !== null && !Array.isArray(o) ? (o as Record<string, unknown>) : null;
}

function messageOf(r: ViewRow): Message {
  return {
    type: r.type as Message['type'],
    decoder: str(r.decoder),
    isAcars: r.is_acars === 1,
    frameKind: str(r.frame_kind),
    time: r.msg_time as number,
    station: str(r.station_id),
    freq: num(r.freq),
    channel: num(r.channel),
    level: num(r.level),
    noise: num(r.noise),
    error: num(r.error),
    direction: str(r.direction) as Direction | null,
    icao: str(r.icao),
    tail: str(r.tail),
    flight: str(r.flight),
    label: str(r.label),
    sublabel: str(r.sublabel),
    mfi: str(r.mfi),
    mode: str(r.mode),
    blockId: str(r.block_id),
    ack: str(r.ack),
    msgno: str(r.msgno),
    more: flag(r.more),
    text: str(r.text),
    depa: str(r.depa),
    dsta: str(r.dsta),
    eta: str(r.eta),
    gtout: str(r.gtout),
    gtin: str(r.gtin),
    wloff: str(r.wloff),
    wlin: str(r.wlin),
    lat: num(r.lat),
    lon: num(r.lon),
    alt: num(r.alt),
    srcAddr: str(r.src_addr),
    dstAddr: str(r.dst_addr),
    decoded: json(r.decoded),
    extra: json(r.extra),
  };
}

/** The stored decoding with its display items back (decoding again is ~10 µs; the library is deterministic). */
function labelDecoded(r: ViewRow, m: Message): Record<string, unknown> | undefined {
  const stored = json(r.label_decoded);
  if (stored === null) return undefined;
  if ('error' in stored) return stored;
  const again = decodeLabel(m);
  return { ...stored, items: again.kind === 'decoded' ? again.value.items : [] };
}

function multipartViews(db: Db, rows: readonly ViewRow[]): Map<number, Omit<MultipartView, 'part'>> {
  const out = new Map<number, Omit<MultipartView, 'part'>>();
  const ids = [...new Set(rows.map((r) => r.multipart_id).filter((id): id is number => typeof id === 'number'))];
  if (ids.length === 0) return out;
  // Every group's parts at once, each group's in sequence order (LEFT JOIN: a group without its row reads as incomplete).
  const found = prepared(
    db,
    `SELECT m.multipart_id AS gid, m.id, m.msgno, m.text, g.complete FROM messages m LEFT JOIN multipart g ON g.id = m.multipart_id
     WHERE m.multipart_id IN (SELECT value FROM json_each(?)) ORDER BY m.multipart_id, m.msgno, m.id`,
  ).all(JSON.stringify(ids)) as { gid: number; id: number; msgno: string | null; text: string | null; complete: number | null }[];
  for (const p of found) {
    let group = out.get(p.gid);
    if (group === undefined) out.set(p.gid, (group = { id: p.gid, parts: [], complete: p.complete === 1, text: '' }));
    group.parts.push({ id: p.id, part: (p.msgno ?? '').slice(3) });
    group.text += p.text ?? '';
  }
  return out;
}

function alertsOf(db: Db, rows: readonly ViewRow[]): Map<number, { term: string; field: string }[]> {
  const out = new Map<number, { term: string; field: string }[]>();
  if (rows.length === 0) return out;
  const found = prepared(db, 'SELECT message_id, term, field FROM alert_matches WHERE message_id IN (SELECT value FROM json_each(?)) ORDER BY id').all(
    JSON.stringify(rows.map((r) => r.id)),
  ) as { message_id: number; term: string; field: string }[];
  for (const a of found) {
    const list = out.get(a.message_id);
    const match = { term: a.term, field: a.field };
    if (list) list.push(match);
    else out.set(a.message_id, [match]);
  }
  return out;
}

/** The views of a page of rows, in their order; a few indexed reads per page for parts and alerts. */
export function messageViews(db: Db, rows: readonly ViewRow[]): MessageView[] {
  const tables = referenceTables();
  const groups = multipartViews(db, rows);
  const alerts = alertsOf(db, rows);
  return rows.map((r) => {
    const m = messageOf(r);
    const id = r.id as number;
    const group = typeof r.multipart_id === 'number' ? groups.get(r.multipart_id) : undefined;
    const decodedLabel = labelDecoded(r, m);
    const enrichment = enrich(tables, m);
    const heardBy = parsed(r.heard_by);
    return {
      id,
      ...(typeof r.aircraft_id === 'number' ? { aircraftId: r.aircraft_id } : {}),
      ...(group ? { multipart: { id: group.id, part: (m.msgno ?? '').slice(3), parts: group.parts, complete: group.complete, text: group.text } } : {}),
      ...(alerts.has(id) ? { alerts: alerts.get(id)! } : {}),
      receivedAt: r.received_at as number,
      ...m,
      ...(decodedLabel ? { labelDecoded: decodedLabel } : {}),
      ...(r.decode_level !== null ? { decodeLevel: String(r.decode_level) } : {}),
      ...(enrichment ? { enrichment } : {}),
      copies: (r.copies as number | null) ?? 1,
      ...(Array.isArray(heardBy) ? { heardBy: heardBy as string[] } : {}),
    };
  });
}
