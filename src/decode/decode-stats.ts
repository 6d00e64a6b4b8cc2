/**
 * Counters a decode task reports with its result, as a fixed block of u32 words at the head of
 * the result buffer: the main thread reads them for metrics without unpacking the rows.
 */
import { DECODER_TYPES, REJECT_REASONS, type DecoderType, type RejectReason } from './message.js';

const T = DECODER_TYPES.length;
const R = REJECT_REASONS.length;
/** Reject counters are kept per listener type, plus one slot for "no type". */
const HINTS = T + 1;

const ACCEPTED = 0;
const REJECTED = ACCEPTED + T;
const MISMATCH = REJECTED + HINTS * R;
const DROPPED_NON_ACARS = MISMATCH + 1;
const FRAMES = DROPPED_NON_ACARS + T;
export const STATS_WORDS = FRAMES + 1;
export const STATS_BYTES = STATS_WORDS * 4;

export class DecodeStats {
  readonly words: Uint32Array;
  constructor(words: Uint32Array = new Uint32Array(STATS_WORDS)) {
    this.words = words;
  }
  frame(): void {
    this.words[FRAMES]!++;
  }
  accepted(type: DecoderType): void {
    this.words[ACCEPTED + DECODER_TYPES.indexOf(type)]!++;
  }
  rejected(hint: DecoderType | null, reason: RejectReason): void {
    const h = hint === null ? T : DECODER_TYPES.indexOf(hint);
    this.words[REJECTED + h * R + REJECT_REASONS.indexOf(reason)]!++;
  }
  mismatch(): void {
    this.words[MISMATCH]!++;
  }
  droppedNonAcars(type: DecoderType): void {
    this.words[DROPPED_NON_ACARS + DECODER_TYPES.indexOf(type)]!++;
  }
}

export interface DecodeStatsSummary {
  frames: number;
  accepted: Partial<Record<DecoderType, number>>;
  /** Keyed by listener type ("none" when unknown), then reason; only non-zero counts. */
  rejected: { hint: DecoderType | 'none'; reason: RejectReason; count: number }[];
  typeMismatches: number;
  droppedNonAcars: Partial<Record<DecoderType, number>>;
}

export function summarizeStats(words: Uint32Array): DecodeStatsSummary {
  const accepted: Partial<Record<DecoderType, number>> = {};
  const droppedNonAcars: Partial<Record<DecoderType, number>> = {};
  DECODER_TYPES.forEach((t, i) => {
    if (words[ACCEPTED + i]) accepted[t] = words[ACCEPTED + i]!;
    if (words[DROPPED_NON_ACARS + i]) droppedNonAcars[t] = words[DROPPED_NON_ACARS + i]!;
  });
  const rejected: DecodeStatsSummary['rejected'] = [];
  for (let h = 0; h < HINTS; h++) {
    for (let r = 0; r < R; r++) {
      const count = words[REJECTED + h * R + r]!;
      if (count) rejected.push({ hint: DECODER_TYPES[h] ?? 'none', reason: REJECT_REASONS[r]!, count });
    }
  }
  return { frames: words[FRAMES]!, accepted, rejected, typeMismatches: words[MISMATCH]!, droppedNonAcars };
}
