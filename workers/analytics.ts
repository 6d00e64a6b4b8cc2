/**
 * The analytics thread: owns the DuckDB mirror and answers analytics requests. Handshake
 * (catch-up, `ready`), then commit reports and requests. An uncaught error becomes `fatal` and
 * exit 1.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { AnalyticsService } from '../src/analytics/analytics-service.js';
import type { AnalyticsWorkerData, FromAnalytics, ToAnalytics } from '../src/threads/analytics-protocol.js';
import { errorCode, fatal } from '../src/threads/protocol.js';

const port = parentPort;
if (!port) throw new Error('workers/analytics must run as a worker thread');

const post = (m: FromAnalytics): void => port!.postMessage(m);

const service = new AnalyticsService(workerData as AnalyticsWorkerData, post);
// Reports that arrive during the catch-up are held and handled once it is done.
let started = false;
const early: ToAnalytics[] = [];

function handle(m: ToAnalytics): void {
  switch (m.kind) {
    case 'committed':
      service.committed(m.lastId, m.updatedIds, m.at);
      break;
    case 'matches-changed':
      service.matchesChanged();
      break;
    case 'reopen':
      service.reopen().catch((e: unknown) => fatal(post, e));
      break;
    case 'detach':
      service.detach().catch((e: unknown) => fatal(post, e));
      break;
    case 'request':
      service.answer(m.request).then(
        (value) => post({ kind: 'reply', id: m.id, ok: true, value }),
        (e: unknown) => post({ kind: 'reply', id: m.id, ok: false, code: errorCode(e), message: (e as Error).message }),
      );
      break;
    case 'close':
      service.close().then(() => {
        post({ kind: 'closed' });
        port!.close();
      }, (e: unknown) => fatal(post, e));
      break;
    default:
      fatal(post, new Error(`analytics: unknown message kind ${String((m as { kind: unknown }).kind)}`));
  }
}

port.on('message', (m: ToAnalytics) => {
  if (started) handle(m);
  else early.push(m);
});
try {
  await service.start();
  started = true;
  for (const m of early.splice(0)) handle(m);
} catch (e) {
  fatal(post, e);
}
