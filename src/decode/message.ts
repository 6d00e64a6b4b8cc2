/**
 * The one normalized message every decoder family is turned into. Field order here is the
 * column order of the `messages` table. `null` always means "the frame did not say".
 */

export const DECODER_TYPES = ['ACARS', 'VDL-M2', 'HFDL', 'IMS-L', 'IRDM'] as const;
export type DecoderType = (typeof DECODER_TYPES)[number];

export function isDecoderType(value: unknown): value is DecoderType {
  return typeof value === 'string' && (DECODER_TYPES as readonly string[]).includes(value);
}

export type Direction = 'uplink' | 'downlink';

export interface Message {
  /** Stored type string, as ACARS Hub stores it. Decided by the frame's shape, not its port. */
  type: DecoderType;
  /** Decoder program and version as it announced itself, e.g. "dumpvdl2 2.5.1-dirty". */
  decoder: string | null;
  /** False for frames with no ACARS content (VDL-M2 S/U/XID, HFDL squitters and logons, IMS-L system units). */
  isAcars: boolean;
  /** What kind of link frame this is, e.g. "avlc:S", "avlc:XID", "hfdl:spdu", "hfdl:lpdu:Logon confirm", "imsl:T-channel". Null for ACARS content. */
  frameKind: string | null;
  /** Epoch seconds with the sub-second part the decoder gave. */
  time: number;
  station: string | null;
  /** Frequency in MHz for every family. */
  freq: number | null;
  channel: number | null;
  /** Signal level in dB (dBFS for SDR decoders). */
  level: number | null;
  noise: number | null;
  /** Number of errors the decoder reported (corrected or not). */
  error: number | null;
  direction: Direction | null;
  /** Aircraft ICAO 24-bit address: 6 upper-case hex digits. Set on uplinks too when the frame has it. */
  icao: string | null;
  /** Registration without leading dot. */
  tail: string | null;
  flight: string | null;
  /** ACARS label; `_\x7f` is normalized to `_d`. */
  label: string | null;
  sublabel: string | null;
  mfi: string | null;
  mode: string | null;
  blockId: string | null;
  /** Acknowledgement character; NAK is `!` (acarsdec writes NAK as `false`). */
  ack: string | null;
  /** Message number with its sequence letter, e.g. "D09A". */
  msgno: string | null;
  /** Multi-part flag: true = more blocks follow, false = last block, null = unknown. */
  more: boolean | null;
  text: string | null;
  depa: string | null;
  dsta: string | null;
  eta: string | null;
  gtout: string | null;
  gtin: string | null;
  wloff: string | null;
  wlin: string | null;
  lat: number | null;
  lon: number | null;
  /** Altitude in feet. */
  alt: number | null;
  /** Link-layer source and destination addresses as the decoder printed them (hex or numeric id). */
  srcAddr: string | null;
  dstAddr: string | null;
  /** The decoder's own decoded payloads, keyed by their name: arinc622, media-adv, miam, ohma, libacars, x25. */
  decoded: Record<string, unknown> | null;
  /** Everything else the decoder sent that has no column, so nothing is thrown away unseen. */
  extra: Record<string, unknown> | null;
}

/** Why a frame was not turned into a message. Every reject is counted by reason and kept with its raw bytes. */
export const REJECT_REASONS = [
  'truncated', // the framer saw an object start but it never closed before a newline, a new object or the end of a datagram
  'oversize', // the object grew past the configured maximum frame size
  'garbage', // bytes outside any JSON object
  'invalid-utf8',
  'invalid-json',
  'not-object', // valid JSON, but not an object
  'unknown-format', // an object no family recognizes
  'invalid-field', // a recognized family, but a required field has an impossible value
] as const;
export type RejectReason = (typeof REJECT_REASONS)[number];

export type NormalizeResult =
  | { ok: true; message: Message; /** the listener's type disagreed with the frame's shape */ typeMismatch: boolean }
  | { ok: false; reason: RejectReason; detail: string };
