/**
 * The writer thread: the only SQLite writer. Handshake (open, migrate, prepare, `ready`), then
 * one transaction per batch, in the order received. An uncaught error becomes `fatal` and exit 1.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { decodedBatchFrames } from '../src/decode/decoded-batch.js';
import { migrateToLatest } from '../src/store/migrate.js';
import { BatchQueue } from '../src/store/batch-queue.js';
import { MessageWriter } from '../src/store/message-writer.js';
import { openWriterDatabase, type Db } from '../src/store/open-database.js';
import { errorCode, type FromWriter, type ToWriter, type WriterWorkerData } from '../src/threads/protocol.js';

const port = parentPort;
if (!port) throw new Error('workers/writer must run as a worker thread');
const data = workerData as WriterWorkerData;

function post(message: FromWriter, transfer: ArrayBuffer[] = []): void {
  port!.postMessage(message, transfer);
}

function fatal(e: unknown): never {
  const err = e instanceof Error ? e : new Error(String(e));
  post({ kind: 'fatal', code: errorCode(e), message: err.message, stack: err.stack });
  process.exit(1);
}

let db: Db | null = null;
try {
  db = openWriterDatabase(data.dbPath);
  const migrated = await migrateToLatest(db);
  const writer = new MessageWriter(db, data.sources);
  type Batch = Extract<ToWriter, { kind: 'batch' }>;
  const queue = new BatchQueue<Batch>({
    write: (m) => {
      const o = writer.writeBatch(m.buffer, m.journalEnd);
      post({ kind: 'committed', seq: m.seq, journalEnd: m.journalEnd, ...o }, [o.publish]);
    },
    fail: (m, e) => {
      const frames = decodedBatchFrames(m.buffer);
      post({ kind: 'failed', seq: m.seq, frames, code: errorCode(e), message: (e as Error).message });
    },
    stalled: (e) => post({ kind: 'stalled', code: errorCode(e), message: (e as Error).message }),
    resumed: () => post({ kind: 'resumed' }),
  });
  port.on('message', (m: ToWriter) => {
    switch (m.kind) {
      case 'batch':
        queue.push(m);
        break;
      case 'close': {
        queue.stop();
        db?.close();
        db = null;
        post({ kind: 'closed' });
        port.close();
        break;
      }
      default:
        fatal(new Error(`writer: unknown message kind ${String((m as { kind: unknown }).kind)}`));
    }
  });
  post({ kind: 'ready', appliedMigrations: migrated.applied, schema: migrated.current, checkpoint: writer.checkpoint });
} catch (e) {
  fatal(e);
}
