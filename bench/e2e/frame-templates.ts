/**
 * Corpus frames turned into templates whose time and station can be rewritten at send time by
 * joining byte slices, not by re-serializing JSON: the load generator must stay cheap, because
 * it shares the machine with the engine it measures. Time becomes the send time (so a client
 * can compute latency from the message itself) and station ids are multiplied to simulate
 * many receivers hearing the same traffic.
 */
import type { DecoderType } from '../../src/decode/message.js';
import type { CorpusFrame } from '../lib/corpus.js';

// Placeholders are whole JSON strings: a quoted token cannot occur inside message text, and the
// quotes are replaced too, so numbers render as JSON numbers.
const STATION = '@@STATION@@';
const SEC = '@@SEC@@';
const USEC = '@@USEC@@';
const EPOCH = '@@EPOCH@@';
const TOKEN = /("@@SEC@@"|"@@USEC@@"|"@@EPOCH@@"|@@STATION@@)/;

export interface FrameTemplate {
  hint: DecoderType;
  /** Byte slices between the placeholders. */
  parts: Buffer[];
  /** What goes between parts[i] and parts[i+1]. */
  slots: ('station' | 'sec' | 'usec' | 'epoch')[];
}

type Obj = Record<string, unknown>;

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Puts placeholders into the time and station fields of the frame's family. */
function placehold(frame: Obj): boolean {
  for (const key of ['vdl2', 'hfdl']) {
    const inner = frame[key];
    if (isObj(inner)) {
      inner.t = { sec: SEC, usec: USEC };
      inner.station = STATION;
      return true;
    }
  }
  if ('timestamp' in frame || 'station_id' in frame || 'label' in frame) {
    frame.timestamp = EPOCH;
    frame.station_id = STATION;
    return true;
  }
  return false;
}

export function buildTemplates(corpus: readonly CorpusFrame[]): FrameTemplate[] {
  const out: FrameTemplate[] = [];
  for (const f of corpus) {
    const frame = JSON.parse(f.text) as unknown;
    if (!isObj(frame) || !placehold(frame)) continue;
    const json = JSON.stringify(frame);
    const tokens = json.split(TOKEN);
    const parts: Buffer[] = [];
    const slots: FrameTemplate['slots'] = [];
    for (let i = 0; i < tokens.length; i++) {
      if (i % 2 === 0) parts.push(Buffer.from(tokens[i]!));
      else slots.push(tokens[i] === STATION ? 'station' : tokens[i] === `"${SEC}"` ? 'sec' : tokens[i] === `"${USEC}"` ? 'usec' : 'epoch');
    }
    out.push({ hint: f.hint, parts, slots });
  }
  return out;
}

/** The frame with this send time (epoch microseconds) and station id. */
export function render(t: FrameTemplate, nowUs: number, station: string): Buffer {
  const sec = Math.floor(nowUs / 1e6);
  const usec = Math.floor(nowUs - sec * 1e6);
  const pieces: Buffer[] = [t.parts[0]!];
  for (let i = 0; i < t.slots.length; i++) {
    const slot = t.slots[i]!;
    const value = slot === 'station' ? station : slot === 'sec' ? String(sec) : slot === 'usec' ? String(usec) : `${sec}.${String(usec).padStart(6, '0')}`;
    pieces.push(Buffer.from(value), t.parts[i + 1]!);
  }
  return Buffer.concat(pieces);
}
