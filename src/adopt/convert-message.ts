/**
 * One ACARS Hub message row (any generation; messages_saved rows too) into one Contrail
 * `messages` row. Pure. A row without a usable time or family is refused with a reason; a field
 * that does not parse becomes NULL and its stored text goes to extra.acarshub, so nothing is lost.
 */
import { cleanLabel, cleanTail, directionFromBlock } from '../decode/fields.js';
import type { DecoderType } from '../decode/message.js';
import { MESSAGE_COLUMNS } from '../store/message-row.js';
import {
  familyFromFrequency,
  legacyAck,
  legacyAddress,
  legacyErrorCount,
  legacyFrequency,
  legacyIcao,
  legacyInteger,
  legacyNumber,
  legacyText,
  legacyTime,
  legacyType,
} from './legacy-values.js';

export type LegacyRow = Record<string, unknown>;

type MessageColumn = (typeof MESSAGE_COLUMNS)[number];
export type AdoptedMessage = Record<MessageColumn | 'id', string | number | null>;

export interface ConvertContext {
  /** The database predates ACARS Hub's ICAO hex conversion (revision 3168c906fb9e). */
  icaoDecimal: boolean;
  /** The row's columns that have no Contrail column (see extraColumns): kept in extra.acarshub. */
  extraColumns: readonly string[];
}

/** What a conversion did beyond copying, counted for the report. */
export interface ConvertNotes {
  typeInferred: boolean;
  icaoFromDecimal: boolean;
  freqScaled: boolean;
  /** Fields whose stored text did not parse and was kept in extra.acarshub instead. */
  unparsed: string[];
}

export type ConvertResult =
  | { ok: true; message: AdoptedMessage; notes: ConvertNotes }
  | { ok: false; reason: 'invalid-id' | 'invalid-time' | 'unknown-type'; detail: string; typeHint: string | null };

/** Columns every generation's message rows may have and this module maps; any other column goes to extra. */
const MAPPED: ReadonlySet<string> = new Set([
  'id', 'message_type', 'msg_time', 'station_id', 'toaddr', 'fromaddr', 'depa', 'dsta', 'eta', 'gtout', 'gtin', 'wloff',
  'wlin', 'lat', 'lon', 'alt', 'msg_text', 'tail', 'flight', 'icao', 'freq', 'ack', 'mode', 'label', 'block_id', 'msgno',
  'error', 'libacars', 'level',
]);

/** The columns of a legacy message table that have no Contrail column (uid, aircraft_id, is_response, ...). */
export function extraColumns(columns: readonly string[]): string[] {
  return columns.filter((c) => !MAPPED.has(c));
}

/** Every column, in table order; a literal (not a spread) because it is built once per row. */
function emptyMessage(): AdoptedMessage {
  return {
    id: null, type: null, decoder: null, is_acars: null, frame_kind: null, msg_time: null, received_at: null, station_id: null,
    freq: null, channel: null, level: null, noise: null, error: null, direction: null, icao: null, tail: null, flight: null,
    label: null, sublabel: null, mfi: null, mode: null, block_id: null, ack: null, msgno: null, more: null, text: null,
    depa: null, dsta: null, eta: null, gtout: null, gtin: null, wloff: null, wlin: null, lat: null, lon: null, alt: null,
    src_addr: null, dst_addr: null, decoded: null, extra: null, label_decoded: null, decode_level: null, airline: null, gs_addr: null,
    dedup_key: null, frame_index: null,
  };
}

const show = (v: unknown): string => (typeof v === 'string' ? JSON.stringify(v) : String(v));

function decideType(row: LegacyRow, hasAddresses: boolean): { type: DecoderType; inferred: boolean } | string {
  const stated = row.message_type;
  const known = legacyType(stated);
  if (known !== null) return { type: known, inferred: false };
  const inferred = familyFromFrequency(row.freq, hasAddresses);
  if (inferred !== null) return { type: inferred, inferred: true };
  const what = stated === undefined ? 'no message_type column' : `message_type ${show(stated)} is none of ACARS, VDL-M2, HFDL, IMS-L, IRDM`;
  return `${what}, and the frequency ${show(row.freq ?? null)} fits no single decoder's band`;
}

export function convertMessage(row: LegacyRow, ctx: ConvertContext): ConvertResult {
  const typeHint = legacyText(row.message_type);
  const id = legacyInteger(row.id);
  if (id === null || id <= 0) return { ok: false, reason: 'invalid-id', detail: `id ${show(row.id)} is not a positive integer`, typeHint };
  const time = legacyTime(row.msg_time);
  if (time === null) {
    return { ok: false, reason: 'invalid-time', detail: `msg_time ${show(row.msg_time)} is not a time in epoch seconds`, typeHint };
  }
  const hasAddresses = legacyText(row.toaddr) !== null || legacyText(row.fromaddr) !== null;
  const decided = decideType(row, hasAddresses);
  if (typeof decided === 'string') return { ok: false, reason: 'unknown-type', detail: decided, typeHint };
  const { type } = decided;

  const legacy: Record<string, unknown> = {};
  const notes: ConvertNotes = { typeInferred: decided.inferred, icaoFromDecimal: false, freqScaled: false, unparsed: [] };
  if (decided.inferred) {
    legacy.type_inferred_from = 'freq';
    if (typeHint !== null) legacy.message_type = typeHint;
  }
  // A value that is there but does not convert is kept as stored, under its legacy name.
  const keep = <T>(name: string, value: T | null): T | null => {
    if (value === null && legacyText(row[name]) !== null) {
      legacy[name] = row[name];
      notes.unparsed.push(name);
    }
    return value;
  };

  const m = emptyMessage();
  m.id = id;
  m.type = type;
  m.msg_time = time;
  // ACARS Hub kept no arrival time; the decoder's time is the closest there is.
  m.received_at = Math.round(time * 1000);
  m.station_id = legacyText(row.station_id);

  const freq = legacyFrequency(row.freq, type);
  m.freq = keep('freq', freq?.mhz ?? null);
  notes.freqScaled = freq?.scaled ?? false;
  m.level = keep('level', legacyNumber(row.level));
  m.error = keep('error', legacyErrorCount(row.error));
  const icao = legacyIcao(row.icao, ctx.icaoDecimal);
  m.icao = keep('icao', icao?.icao ?? null);
  notes.icaoFromDecimal = icao?.fromDecimal ?? false;

  const tail = cleanTail(legacyText(row.tail));
  const label = cleanLabel(legacyText(row.label));
  const blockId = legacyText(row.block_id);
  const text = legacyText(row.msg_text);
  m.tail = tail;
  m.flight = legacyText(row.flight);
  m.label = label;
  m.mode = legacyText(row.mode);
  m.block_id = blockId;
  m.ack = legacyAck(row.ack);
  m.msgno = legacyText(row.msgno);
  m.text = text;
  m.is_acars = label !== null || text !== null ? 1 : 0;
  m.direction = directionFromBlock(blockId, label);

  m.depa = legacyText(row.depa);
  m.dsta = legacyText(row.dsta);
  m.eta = legacyText(row.eta);
  m.gtout = legacyText(row.gtout);
  m.gtin = legacyText(row.gtin);
  m.wloff = legacyText(row.wloff);
  m.wlin = legacyText(row.wlin);
  m.lat = keep('lat', legacyNumber(row.lat));
  m.lon = keep('lon', legacyNumber(row.lon));
  m.alt = keep('alt', legacyNumber(row.alt));
  m.src_addr = legacyAddress(row.fromaddr, type);
  m.dst_addr = legacyAddress(row.toaddr, type);

  const libacars = legacyText(row.libacars);
  if (libacars !== null) {
    const parsed = parseJson(libacars);
    // Valid JSON text is spliced in as it is: parsing only checks it.
    if (parsed !== null && typeof parsed === 'object') m.decoded = `{"libacars":${libacars}}`;
    else keep('libacars', null);
  }

  // Columns without a Contrail column (uid, aircraft_id, is_response, is_onground, and any a
  // fork added) stay reachable under extra.acarshub.
  for (const k of ctx.extraColumns) {
    if (!(k in legacy) && legacyText(row[k]) !== null) legacy[k] = row[k];
  }
  if (Object.keys(legacy).length > 0) m.extra = JSON.stringify({ acarshub: legacy });
  return { ok: true, message: m, notes };
}

function parseJson(s: string): unknown {
  try {
    return JSON.parse(s) as unknown;
  } catch {
    return null;
  }
}
