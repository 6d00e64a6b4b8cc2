/**
 * JsonFramer over the real captures, the two ways frames arrive: one TCP-like stream cut into
 * 64 KiB reads, and one datagram per frame (push + end) as UDP and ZMQ deliver them.
 * One op is a pass over the whole corpus; rates are per frame (and MB/s for the stream).
 */
import { JsonFramer, type FrameSink } from '../../src/ingest/json-framer.js';
import { loadCorpus } from '../lib/corpus.js';
import { entry, finish, newBench } from './micro-bench.js';
import { toBytes } from './inputs.js';

/** The engine's default CONTRAIL_MAX_FRAME_BYTES. */
const MAX_FRAME_BYTES = 64 * 1024;
const CHUNK = 64 * 1024;

const corpus = loadCorpus();
const datagrams = toBytes(corpus);
// Newline-separated, as decoders and acars_router write a stream.
const stream = new TextEncoder().encode(corpus.map((f) => f.text).join('\n') + '\n');
const chunks: Uint8Array[] = [];
for (let o = 0; o < stream.length; o += CHUNK) chunks.push(stream.subarray(o, o + CHUNK));

let frames = 0;
let rejects = 0;
const sink: FrameSink = {
  // Touch the frame so the work cannot be skipped; a real sink copies it into a batch.
  frame: (bytes) => {
    frames += bytes.length > 0 ? 1 : 0;
  },
  reject: () => {
    rejects++;
  },
};

const bench = newBench();
bench.add('stream, 64 KiB chunks', () => {
  const framer = new JsonFramer(MAX_FRAME_BYTES, sink);
  for (const c of chunks) framer.push(c);
  framer.end();
});
const datagramFramer = new JsonFramer(MAX_FRAME_BYTES, sink);
bench.add('datagram per frame', () => {
  for (const d of datagrams) {
    datagramFramer.push(d);
    datagramFramer.end();
  }
});
await bench.run();

const [streamTask, datagramTask] = bench.tasks;
const n = corpus.length;
const mb = stream.length / 1e6;
finish({
  suite: 'framing',
  tasks: [
    entry(streamTask!, 'frame', n),
    entry(streamTask!, 'MB', mb, 'stream, 64 KiB chunks (MB)'),
    entry(datagramTask!, 'frame', n),
    entry(datagramTask!, 'MB', mb, 'datagram per frame (MB)'),
  ],
  notes: {
    'corpus frames per pass': n,
    'corpus bytes per pass': stream.length,
    'mean frame bytes': Math.round(stream.length / n),
    // Any reject would mean the framer mis-cut real frames: a correctness problem, not a speed one.
    'rejects seen (should be 0)': rejects,
  },
});
