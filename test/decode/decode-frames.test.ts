/** A decode task on a real batch: rows, stats, rejects, and the non-ACARS switch. */
import { describe, expect, it } from 'vitest';
import { decodeFrames } from '../../src/decode/decode-frames.js';
import { summarizeStats } from '../../src/decode/decode-stats.js';
import { decodeDecodedBatch, decodedBatchStats } from '../../src/decode/decoded-batch.js';
import { FrameBatchBuilder } from '../../src/ingest/frame-batch.js';
import { COL } from '../../src/store/message-row.js';
import { readCorpusFrames } from '../helpers/corpus.js';

function run(frames: string[], storeNonAcars: boolean): ArrayBuffer {
  const b = new FrameBatchBuilder(frames.length + 1);
  for (const f of frames) b.add(Buffer.from(f), 0, 1_700_000_000_000, null);
  b.add(Buffer.from('{"text":"cut'), 0, 1_700_000_000_000, 'truncated');
  return decodeFrames(b.take().buffer, { sourceTypes: ['VDL-M2'], storeNonAcars });
}

describe('decodeFrames', () => {
  const vdl = readCorpusFrames('acarshub-kabq/raw-vdlm2-messages.jsonl');

  it('keeps link frames, marked, by default', () => {
    const out = run(vdl, true);
    const { rows, json, rejects } = decodeDecodedBatch(out);
    expect(rows).toHaveLength(vdl.length);
    expect(json).toHaveLength(vdl.length);
    expect(rows.filter((r) => r[COL.is_acars] === 0)).toHaveLength(190);
    expect(rejects.map((r) => r[2])).toEqual(['truncated']);
    expect(summarizeStats(decodedBatchStats(out))).toMatchObject({ frames: vdl.length + 1, accepted: { 'VDL-M2': vdl.length }, rejected: [{ hint: 'VDL-M2', reason: 'truncated', count: 1 }] });
  });

  it('drops the link frames ACARS Hub calls empty, counted, when told to', () => {
    const out = run(vdl, false);
    const { rows } = decodeDecodedBatch(out);
    // The 209 ACARS frames and the 17 XID frames, which carry a destination airport.
    expect(rows).toHaveLength(226);
    expect(rows.filter((r) => r[COL.is_acars] === 0).map((r) => r[COL.frame_kind])).toEqual(Array(17).fill('avlc:XID'));
    expect(summarizeStats(decodedBatchStats(out))).toMatchObject({ accepted: { 'VDL-M2': 226 }, droppedNonAcars: { 'VDL-M2': 173 } });
  });
});
