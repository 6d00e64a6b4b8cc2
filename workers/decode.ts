/** A decode pool thread (Piscina): one batch buffer in, one result buffer out, both transferred. */
import { Piscina, workerData } from 'piscina';
import { compileMatcher, type AlertMatcher } from '../src/alerts/alert-matcher.js';
import { enableLinearRegex } from '../src/alerts/linear-regex.js';
import { decodeFrames } from '../src/decode/decode-frames.js';
import { prepareIntel } from '../src/decode/message-intel.js';
import type { DecodeTask, DecodeWorkerData } from '../src/threads/protocol.js';

const data = workerData as DecodeWorkerData;
// Regex alert terms run on V8's linear-time engine: a pattern cannot stall this thread.
enableLinearRegex();
prepareIntel();
let version = -1;
let matcher: AlertMatcher | null = null;

export default function decode(task: DecodeTask): unknown {
  if (task.alerts.version !== version) {
    version = task.alerts.version;
    matcher = compileMatcher(task.alerts.terms, task.alerts.ignore);
  }
  return Piscina.move(decodeFrames(task.batch, { ...data, matcher }));
}
