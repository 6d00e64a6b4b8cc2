/**
 * The analytics questions, one interface with two implementations (SQLite, DuckDB mirror) that
 * must give the same answers, provably (`contrail compare`). Times are epoch seconds (message
 * time, `msg_time`); ranges are half-open [from, to).
 */

export const RESOLUTIONS = { '1m': 60, '5m': 300, '15m': 900, '1h': 3600, '6h': 21_600, '1d': 86_400 } as const;
export type Resolution = keyof typeof RESOLUTIONS;

export const TOP_FIELDS = ['flight', 'tail', 'label', 'station', 'airline'] as const;
export type TopField = (typeof TOP_FIELDS)[number];

export interface Range {
  from: number;
  to: number;
}

/** Messages and messages with errors per decoder per bucket; every bucket of the range present (zero-filled). */
export interface RatesResult {
  step: number;
  /** Bucket starts, aligned to `step` (UTC), from the bucket holding `from` to the one holding `to - ε`. */
  buckets: number[];
  /** Per decoder type seen in the range (or asked for): one count per bucket. */
  series: { type: string; messages: number[]; errors: number[] }[];
}

export interface SignalResult {
  /** Per decoder type with levels in the range. */
  decoders: {
    type: string;
    count: number;
    /** 1 dB buckets: [floor(level), count], ascending. */
    histogram: [number, number][];
    /** Nearest-rank percentiles of the levels (dBFS/dBm as the decoder reports them); p10 is the noise floor. */
    p10: number;
    p50: number;
    p90: number;
  }[];
}

export interface FrequencyResult {
  decoders: { type: string; freqs: { freq: number; messages: number }[] }[];
}

export interface TopResult {
  field: TopField;
  /** Most messages first, then by value ascending; at most `limit`. */
  top: { value: string; messages: number }[];
}

export interface TimelineResult {
  aircraftId: number;
  /** Oldest first; gap: seconds since the aircraft's previous message in the range (null for the first). */
  messages: { id: number; time: number; type: string; label: string | null; gap: number | null }[];
}

export interface AlertHitsResult {
  step: number;
  buckets: number[];
  /** Per term with matches in the range: matches per bucket (by message time of the match). */
  terms: { term: string; hits: number[] }[];
}

export interface Analytics {
  rates(range: Range, resolution: Resolution): Promise<RatesResult>;
  signal(range: Range): Promise<SignalResult>;
  frequencies(range: Range): Promise<FrequencyResult>;
  top(range: Range, field: TopField, limit: number): Promise<TopResult>;
  timeline(range: Range, aircraftId: number): Promise<TimelineResult>;
  alertHits(range: Range, resolution: Resolution): Promise<AlertHitsResult>;
}
