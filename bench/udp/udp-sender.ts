/**
 * Offers the corpus frames to one UDP port at a fixed rate from a process of its own, one frame
 * per datagram, paced per millisecond; loopback only, stops by itself. Prints one result line.
 * Usage: node udp-sender.js --port P --rate R --seconds S
 */
import dgram from 'node:dgram';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { loadCorpus } from '../lib/corpus.js';
import { emitResult } from '../lib/result.js';

export interface SenderResult {
  sent: number;
  seconds: number;
  offeredPerSec: number;
  cpuMs: number;
  /** Sends the kernel refused (counted, not retried). */
  sendErrors: number;
}

const { values } = parseArgs({ options: { port: { type: 'string' }, rate: { type: 'string' }, seconds: { type: 'string', default: '3' } } });
const port = Number(values.port);
const rate = Number(values.rate);
const seconds = Number(values.seconds);
// Whole frames as the decoders send them; the largest HFDL frames (~7 KB) included.
const frames = loadCorpus().map((f) => Buffer.from(f.text));

const socket = dgram.createSocket('udp4');
await new Promise<void>((resolve) => socket.connect(port, '127.0.0.1', resolve));
let sendErrors = 0;
let pending = 0;
const done = (err: Error | null): void => {
  pending--;
  if (err) sendErrors++;
};
const cpu0 = process.cpuUsage();
const start = performance.now();
const end = start + seconds * 1000;
let sent = 0;
while (performance.now() < end) {
  const due = Math.floor(((performance.now() - start) / 1000) * rate) - sent;
  for (let k = 0; k < due; k++) {
    pending++;
    socket.send(frames[sent++ % frames.length]!, done);
  }
  await sleep(1);
}
while (pending > 0) await sleep(1);
const elapsed = (performance.now() - start) / 1000;
const cpu = process.cpuUsage(cpu0);
socket.close();
const result: SenderResult = { sent, seconds: elapsed, offeredPerSec: Math.round(sent / elapsed), cpuMs: Math.round((cpu.user + cpu.system) / 1000), sendErrors };
emitResult(result);
