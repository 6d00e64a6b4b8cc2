/**
 * The publish suite's subscribers, in their own process so their reading does not share the
 * publisher's event loop: N real WebSocket clients (the `ws` package) that count messages
 * without parsing them. Driven over IPC (publish-protocol.ts); exits when told to or when the
 * parent goes away.
 *
 * Usage (by publish.js only): node publish-clients.js <port> <clients>
 */
import WebSocket from 'ws';
import type { FromClients, ToClients } from './publish-protocol.js';

/** Counts are final once nothing arrived for this long. */
const QUIET_MS = 300;
/** Upper bound on waiting for the backlog to drain before reporting anyway. */
const REPORT_LIMIT_MS = 20_000;
const CONNECT_LIMIT_MS = 20_000;

const port = Number(process.argv[2]);
const clientCount = Number(process.argv[3]);

function send(m: FromClients): void {
  process.send?.(m);
}

function fail(message: string): never {
  send({ kind: 'error', message });
  process.exit(1);
}

if (!process.send) fail('publish-clients must be started with an IPC channel');
if (!Number.isInteger(port) || port <= 0 || !Number.isInteger(clientCount) || clientCount <= 0) fail(`bad arguments: ${process.argv.slice(2).join(' ')}`);

const counts = new Uint32Array(clientCount);
let lastArrival = Date.now();
let closedEarly = 0;
let exiting = false;
const sockets: WebSocket[] = [];

function connect(i: number): Promise<void> {
  // Loopback only; no UTF-8 validation or compression: the clients measure the server, not themselves.
  const ws = new WebSocket(`ws://127.0.0.1:${port}/`, { skipUTF8Validation: true, perMessageDeflate: false });
  sockets.push(ws);
  ws.on('message', () => {
    counts[i]!++;
    lastArrival = Date.now();
  });
  ws.on('close', () => {
    if (!exiting) closedEarly++;
  });
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
}

async function report(): Promise<void> {
  const start = Date.now();
  while (Date.now() - lastArrival < QUIET_MS && Date.now() - start < REPORT_LIMIT_MS) {
    await new Promise((r) => setTimeout(r, 50));
  }
  let received = 0;
  let min = Infinity;
  let max = 0;
  for (const c of counts) {
    received += c;
    min = Math.min(min, c);
    max = Math.max(max, c);
  }
  send({ kind: 'counts', received, minPerClient: min, maxPerClient: max, closedEarly });
}

function exit(): void {
  exiting = true;
  for (const ws of sockets) ws.close();
  // Give the close handshakes a moment, then leave whatever is still open.
  setTimeout(() => process.exit(0), 500).unref();
  let open = sockets.length;
  for (const ws of sockets) {
    if (ws.readyState === WebSocket.CLOSED) open--;
    else ws.once('close', () => --open === 0 && process.exit(0));
  }
  if (open === 0) process.exit(0);
}

process.on('message', (m: ToClients) => {
  switch (m.kind) {
    case 'report':
      void report();
      break;
    case 'exit':
      exit();
      break;
    default:
      fail(`unknown message ${JSON.stringify(m)}`);
  }
});
// The parent died or closed the channel: nobody will read the counts.
process.on('disconnect', () => process.exit(0));

const timer = setTimeout(() => fail(`clients not connected within ${CONNECT_LIMIT_MS} ms`), CONNECT_LIMIT_MS);
try {
  await Promise.all(Array.from({ length: clientCount }, (_, i) => connect(i)));
} catch (e) {
  fail(`connect failed: ${e instanceof Error ? e.message : String(e)}`);
}
clearTimeout(timer);
send({ kind: 'ready', clients: clientCount });
