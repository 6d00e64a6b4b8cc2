/**
 * The hop from a decode worker to the writer: a decode result of 512 rows packed with msgpackr
 * (encodeDecodedBatch, the same Packr the worker uses, plus its copy into a transferable buffer)
 * and unpacked (decodeDecodedBatch, as the writer does). Rates per batch and per row.
 */
import { decodedBatchStats, decodeDecodedBatch, encodeDecodedBatch } from '../../src/decode/decoded-batch.js';
import { entry, finish, newBench } from './micro-bench.js';
import { decodedRowBatches } from './inputs.js';

const ROWS = 512;
const buffer = decodedRowBatches(ROWS, 1)[0]!;
const payload = decodeDecodedBatch(buffer);
const stats = decodedBatchStats(buffer).slice();

const bench = newBench();
bench.add('pack', () => encodeDecodedBatch(stats, payload));
bench.add('unpack', () => decodeDecodedBatch(buffer));
await bench.run();

const [pack, unpack] = bench.tasks;
finish({
  suite: 'msgpack',
  tasks: [
    entry(pack!, `batch of ${ROWS}`, 1, `pack ${ROWS} rows (batches)`),
    entry(pack!, 'row', ROWS, `pack ${ROWS} rows`),
    entry(unpack!, `batch of ${ROWS}`, 1, `unpack ${ROWS} rows (batches)`),
    entry(unpack!, 'row', ROWS, `unpack ${ROWS} rows`),
  ],
  notes: {
    'packed bytes per batch': buffer.byteLength,
    'bytes per row (row + publish JSON)': Math.round(buffer.byteLength / ROWS),
  },
});
