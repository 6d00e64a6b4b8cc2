/** A decode pool thread (Piscina): one batch buffer in, one result buffer out, both transferred. */
import { Piscina, workerData } from 'piscina';
import { decodeFrames } from '../src/decode/decode-frames.js';
import type { DecodeWorkerData } from '../src/threads/protocol.js';

const ctx = workerData as DecodeWorkerData;

export default function decode(batch: ArrayBuffer): unknown {
  return Piscina.move(decodeFrames(batch, ctx));
}
