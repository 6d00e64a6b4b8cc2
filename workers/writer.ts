/**
 * The writer thread: the only SQLite writer. Handshake (open, migrate or wait for consent,
 * `ready`), then one transaction per batch, in the order received, and the admin requests.
 * An uncaught error becomes `fatal` and exit 1.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { WriterService } from '../src/store/writer-service.js';
import { fatal, type FromWriter, type ToWriter, type WriterWorkerData } from '../src/threads/protocol.js';

const port = parentPort;
if (!port) throw new Error('workers/writer must run as a worker thread');

function post(message: FromWriter, transfer: ArrayBuffer[] = []): void {
  port!.postMessage(message, transfer);
}

const service = new WriterService(workerData as WriterWorkerData, post);
try {
  port.on('message', (m: ToWriter) => {
    switch (m.kind) {
      case 'batch':
        service.batch(m);
        break;
      case 'request':
        void service.request(m.id, m.request);
        break;
      case 'close':
        service.close();
        post({ kind: 'closed' });
        port.close();
        break;
      default:
        fatal(post, new Error(`writer: unknown message kind ${String((m as { kind: unknown }).kind)}`));
    }
  });
  await service.start();
} catch (e) {
  fatal(post, e);
}
