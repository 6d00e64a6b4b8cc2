// Drives the AddressSanitizer build of the addon (path in argv[2]) through the paths where a
// buffer could be overrun or freed twice: datagrams larger than their slot, exactly one slot,
// zero-length, the largest UDP datagram, batches that grow their buffer, closing under traffic,
// start/stop cycles, and exiting with a receiver still open. Run by native/test/asan.sh.
import dgram from 'node:dgram';
import { createRequire } from 'node:module';
import { setTimeout as sleep } from 'node:timers/promises';

const { UdpReceiver } = createRequire(import.meta.url)(process.argv[2]);
const socket = dgram.createSocket('udp4');
const send = (bytes, port) => new Promise((resolve, reject) => socket.send(bytes, port, '127.0.0.1', (err) => (err ? reject(err) : resolve())));

/** A receiver that reads every byte JavaScript is given (so ASan sees any bad offset) and counts datagrams. */
function open(options) {
  const seen = { datagrams: 0, bytes: 0 };
  const receiver = new UdpReceiver({ host: '127.0.0.1', port: 0, ...options }, (batch) => {
    const [count, metaOffset] = new Uint32Array(batch, 0, 2);
    const words = new Uint32Array(batch, metaOffset, count * 6);
    for (let k = 0; k < count; k++) {
      const bytes = new Uint8Array(batch, words[k * 6 + 2], words[k * 6 + 3]);
      let sum = 0;
      for (const b of bytes) sum += b;
      seen.bytes += bytes.length + (sum & 0);
      seen.datagrams++;
    }
  });
  return { receiver, port: receiver.address().port, seen };
}

async function until(seen, n) {
  const deadline = Date.now() + 10_000;
  while (seen.datagrams < n) {
    if (Date.now() > deadline) throw new Error(`only ${seen.datagrams} of ${n} datagrams arrived`);
    await sleep(1);
  }
}

// Small slots and small batches: truncation, one-slot datagrams, buffer growth, many batches.
{
  const r = open({ slotBytes: 512, maxBatchDatagrams: 7, maxBatchBytes: 2000, datagramsPerRead: 3 });
  const sizes = [0, 1, 511, 512, 513, 4000, 65507, 100, 0, 512];
  let sent = 0;
  for (let round = 0; round < 50; round++) {
    for (const n of sizes) {
      await send(Buffer.alloc(n, round & 0xff), r.port);
      sent++;
    }
  }
  await until(r.seen, sent);
  await r.receiver.close();
  if (r.receiver.stats().truncated !== 50 * 3) throw new Error(`expected 150 truncated, got ${r.receiver.stats().truncated}`);
}

// Default 64 KiB slots: the largest datagram whole, mixed with tiny ones.
{
  const r = open({});
  for (let i = 0; i < 20; i++) {
    await send(Buffer.alloc(65507, i), r.port);
    await send(Buffer.alloc(0), r.port);
    await send('{"ok":true}', r.port);
  }
  await until(r.seen, 60);
  await r.receiver.close();
}

// Closing while a flood is arriving, with batches still queued for JavaScript.
{
  const r = open({ maxInFlight: 2 });
  let flooding = true;
  const flood = (async () => {
    for (let i = 0; flooding; i++) {
      socket.send('{"flood":1}', r.port, '127.0.0.1');
      if (i % 200 === 0) await new Promise((resolve) => setImmediate(resolve));
    }
  })();
  await until(r.seen, 2000);
  await r.receiver.close();
  flooding = false;
  await flood;
}

// Start/stop cycles.
for (let i = 0; i < 100; i++) {
  const r = open({});
  await send(Buffer.alloc(i * 10, 1), r.port);
  await until(r.seen, 1);
  await r.receiver.close();
}

// Exit with a receiver open and datagrams queued: the environment cleanup must stop its thread.
const last = open({});
for (let i = 0; i < 500; i++) socket.send('{"left":1}', last.port, '127.0.0.1');
await sleep(20);
console.log('asan exercise: done');
process.exit(0);
