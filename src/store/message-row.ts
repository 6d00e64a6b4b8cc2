/**
 * The `messages` table's insert columns in one list, shared by the decode worker (which builds
 * rows) and the writer (which inserts them), so the two cannot drift apart.
 */
import type { Message } from '../decode/message.js';

export const MESSAGE_COLUMNS = [
  'type',
  'decoder',
  'is_acars',
  'frame_kind',
  'msg_time',
  'received_at',
  'station_id',
  'freq',
  'channel',
  'level',
  'noise',
  'error',
  'direction',
  'icao',
  'tail',
  'flight',
  'label',
  'sublabel',
  'mfi',
  'mode',
  'block_id',
  'ack',
  'msgno',
  'more',
  'text',
  'depa',
  'dsta',
  'eta',
  'gtout',
  'gtin',
  'wloff',
  'wlin',
  'lat',
  'lon',
  'alt',
  'src_addr',
  'dst_addr',
  'decoded',
  'extra',
  /** @airframes/acars-decoder's result (JSON) and its level: 'full', 'partial', or 'error' (the library threw). */
  'label_decoded',
  'decode_level',
  /** Operator's ICAO airline designator, from the flight number. */
  'airline',
  /** Ground station address (VDL-M2), for the airport lookup. */
  'gs_addr',
  /** Content hash for dedup (dedup-key.ts); null for link frames. */
  'dedup_key',
  /** Index of the frame in its batch; with the batch's journal position (added by the writer) it names the raw frame. */
  'frame_index',
] as const;

export type MessageRow = (string | number | null)[];

/** Index of a column in a MessageRow. */
export const COL = Object.fromEntries(MESSAGE_COLUMNS.map((c, i) => [c, i])) as {
  readonly [K in (typeof MESSAGE_COLUMNS)[number]]: number;
};

function json(value: Record<string, unknown> | null): string | null {
  return value === null ? null : JSON.stringify(value);
}

function flag(value: boolean | null): number | null {
  return value === null ? null : value ? 1 : 0;
}

/** What the decode worker works out beyond the normalized message. */
export interface MessageIntel {
  labelDecoded: string | null;
  decodeLevel: string | null;
  airline: string | null;
  gsAddr: string | null;
  dedupKey: number | null;
}

export const NO_INTEL: MessageIntel = { labelDecoded: null, decodeLevel: null, airline: null, gsAddr: null, dedupKey: null };

/** SQLite-ready values in MESSAGE_COLUMNS order: booleans as 0/1, payload objects as JSON text. */
export function toMessageRow(m: Message, receivedAtMs: number, frameIndex: number, intel: MessageIntel = NO_INTEL): MessageRow {
  return [
    m.type,
    m.decoder,
    m.isAcars ? 1 : 0,
    m.frameKind,
    m.time,
    Math.round(receivedAtMs),
    m.station,
    m.freq,
    m.channel,
    m.level,
    m.noise,
    m.error,
    m.direction,
    m.icao,
    m.tail,
    m.flight,
    m.label,
    m.sublabel,
    m.mfi,
    m.mode,
    m.blockId,
    m.ack,
    m.msgno,
    flag(m.more),
    m.text,
    m.depa,
    m.dsta,
    m.eta,
    m.gtout,
    m.gtin,
    m.wloff,
    m.wlin,
    m.lat,
    m.lon,
    m.alt,
    m.srcAddr,
    m.dstAddr,
    json(m.decoded),
    json(m.extra),
    intel.labelDecoded,
    intel.decodeLevel,
    intel.airline,
    intel.gsAddr,
    intel.dedupKey,
    frameIndex,
  ];
}
