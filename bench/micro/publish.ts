/**
 * WebSocket fan-out with uWebSockets.js: an in-process app on 127.0.0.1 (port 0), 100 real `ws`
 * clients in a child process (publish-clients.ts) subscribed to one topic, and app.publish of a
 * real ~1 KB message payload as the writer produces it.
 *
 * One op is a burst of publishes followed by one event-loop turn: uWS queues published messages
 * and writes them to the sockets when the loop comes round, so a turn must be inside the timing.
 * At the end the clients report what they received; uWS skips a client whose send buffer is over
 * maxBackpressure, so received / (publishes x subscribers) can be below 1, and that is measured.
 */
import { fork } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { us_listen_socket } from 'uWebSockets.js';
import { loadUws } from '../../src/serve/uws.js';
import { requireNativeUws } from '../lib/uws-native.js';
import { entry, finish, newBench } from './micro-bench.js';
import { decodedRowBatches } from './inputs.js';
import { decodeDecodedBatch } from '../../src/decode/decoded-batch.js';
import type { FromClients, ToClients } from './publish-protocol.js';

const CLIENTS = 100;
const BURST = 100;
const TOPIC = 'messages';
const WAIT_LIMIT_MS = 30_000;

requireNativeUws();
const { uws } = loadUws();

/** The stored message whose live payload is closest to 1 KB, wrapped as the writer wraps it. */
function realPayload(): Buffer {
  const { json } = decodeDecodedBatch(decodedRowBatches(512, 1)[0]!);
  const wrap = (j: string, id: number): string => `{"topic":"messages","data":{"id":${id},${j.slice(1)}}`;
  let best = wrap(json[0]!, 1);
  for (const j of json) {
    const p = wrap(j, 1);
    if (Math.abs(p.length - 1024) < Math.abs(best.length - 1024)) best = p;
  }
  return Buffer.from(best);
}

/** Resolves when `ready()` holds, polling; rejects after `limitMs` so nothing waits forever. */
async function until(ready: () => boolean, what: string, limitMs = WAIT_LIMIT_MS): Promise<void> {
  const start = Date.now();
  while (!ready()) {
    if (Date.now() - start > limitMs) throw new Error(`publish bench: timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

const payload = realPayload();
let serverOpen = 0;
const app = uws.App().ws('/*', {
  // The live server's limits, so skipping behaves as in production.
  maxPayloadLength: 16 * 1024,
  maxBackpressure: 4 * 1024 * 1024,
  idleTimeout: 120,
  open: (ws) => {
    ws.subscribe(TOPIC);
    serverOpen++;
  },
  close: () => {
    serverOpen--;
  },
});

const listenSocket = await new Promise<us_listen_socket>((resolve, reject) => {
  app.listen('127.0.0.1', 0, (token) => (token ? resolve(token) : reject(new Error('publish bench: cannot listen on 127.0.0.1'))));
});
const port = uws.us_socket_local_port(listenSocket as unknown as Parameters<typeof uws.us_socket_local_port>[0]);

const here = dirname(fileURLToPath(import.meta.url));
const child = fork(join(here, 'publish-clients.js'), [String(port), String(CLIENTS)], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
let childExited = false;
child.once('exit', () => (childExited = true));
let ready = false;
let counts: Extract<FromClients, { kind: 'counts' }> | null = null;
let childError: string | null = null;
child.on('message', (m: FromClients) => {
  if (m.kind === 'ready') ready = true;
  else if (m.kind === 'counts') counts = m;
  else if (m.kind === 'error') childError = m.message;
});
const tell = (m: ToClients): void => {
  if (child.connected) child.send(m);
};

try {
  await until(() => (ready && serverOpen === CLIENTS) || childError !== null || childExited, `${CLIENTS} clients to connect`);
  if (!ready) throw new Error(`publish bench: client process failed: ${childError ?? 'exited early'}`);

  let published = 0;
  const bench = newBench();
  bench.add(`publish ${payload.length} B to ${CLIENTS}, burst of ${BURST}`, async () => {
    for (let i = 0; i < BURST; i++) app.publish(TOPIC, payload, false);
    published += BURST;
    await new Promise((r) => setImmediate(r));
  });
  await bench.run();

  tell({ kind: 'report' });
  await until(() => counts !== null || childError !== null || childExited, 'the clients to report');
  const c = counts as Extract<FromClients, { kind: 'counts' }> | null;
  if (!c) throw new Error(`publish bench: no counts from the client process: ${childError ?? 'exited'}`);

  const task = bench.tasks[0]!;
  const expected = published * CLIENTS;
  finish({
    suite: 'publish',
    tasks: [
      entry(task, 'publish', BURST, `publish ${payload.length} B (publishes)`),
      entry(task, 'delivery', BURST * CLIENTS, `publish ${payload.length} B to ${CLIENTS} (deliveries)`),
    ],
    notes: {
      subscribers: CLIENTS,
      'payload bytes': payload.length,
      'publishes (warmup included)': published,
      'deliveries expected': expected,
      'deliveries received': c.received,
      'received / expected': Number((c.received / expected).toFixed(4)),
      'per client min..max': `${c.minPerClient}..${c.maxPerClient}`,
      'clients closed early': c.closedEarly,
    },
  });
} finally {
  tell({ kind: 'exit' });
  await until(() => childExited, 'the client process to exit', 5_000).catch(() => child.kill());
  uws.us_listen_socket_close(listenSocket);
}
