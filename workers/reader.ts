/** A reader pool thread (Piscina): one query task in, one reply out; see src/reads/reader-service.ts. */
import { workerData } from 'piscina';
import { prepareIntel } from '../src/decode/message-intel.js';
import { ReaderService } from '../src/reads/reader-service.js';
import type { ReaderReply, ReaderTask, ReaderWorkerData } from '../src/threads/reader-protocol.js';

// The reference tables and the label decoder, built now rather than in front of the first query.
prepareIntel();
const service = new ReaderService(workerData as ReaderWorkerData);

export default function read(task: ReaderTask): ReaderReply {
  return service.run(task);
}
