/**
 * The native UDP receiver on real sockets (127.0.0.1 and ::1): batches and their offsets,
 * arrival times, zero-length and oversized datagrams, bind errors, backpressure into the kernel's
 * buffer, closing under traffic, and start/stop cycles that leak neither descriptors nor memory.
 */
import dgram from 'node:dgram';
import { once } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import v8 from 'node:v8';
import vm from 'node:vm';
import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { collect, nativeSkipReason, nativeUdp, openFds, type Collecting } from '../helpers/native-udp.js';

async function sender(type: 'udp4' | 'udp6' = 'udp4'): Promise<{ send(b: Buffer | string, port: number): Promise<void>; close(): void }> {
  const s = dgram.createSocket(type);
  const host = type === 'udp6' ? '::1' : '127.0.0.1';
  return {
    send: (b, port) => new Promise((resolve, reject) => s.send(b, port, host, (err) => (err ? reject(err) : resolve()))),
    close: () => s.close(),
  };
}

async function arrived(c: Collecting, n: number): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (c.datagrams.length < n) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${n} datagrams (have ${c.datagrams.length})`);
    await sleep(1);
  }
}

describe.skipIf(!nativeUdp)(`native UDP receiver${nativeSkipReason ? ` (skipped: ${nativeSkipReason})` : ''}`, () => {
  it('delivers datagrams in batches, in order, each at its offset with its length', async () => {
    const c = collect({ host: '127.0.0.1' });
    const s = await sender();
    const COUNT = 3000;
    const sent: Buffer[] = [];
    for (let i = 0; i < COUNT; i++) sent.push(Buffer.from(`{"id":${i},"pad":"${'x'.repeat(i % 200)}"}`));
    await Promise.all(sent.map((b) => s.send(b, c.port)));
    await arrived(c, COUNT);
    s.close();
    await c.receiver.close();
    expect(c.datagrams.map((d) => d.bytes.toString())).toEqual(sent.map((b) => b.toString()));
    expect(c.datagrams.every((d) => d.size === d.bytes.length && !d.truncated)).toBe(true);
    expect(c.batches).toBeLessThan(COUNT); // several datagrams per call into JavaScript
    const st = c.receiver.stats();
    expect(st).toMatchObject({ datagrams: COUNT, batches: c.batches, truncated: 0, readErrors: 0 });
    expect(st.bytes).toBe(sent.reduce((n, b) => n + b.length, 0));
  });

  it('stamps each datagram with its arrival time: non-decreasing and near Date.now()', async () => {
    const c = collect({ host: '127.0.0.1' });
    const s = await sender();
    const before = Date.now();
    for (let i = 0; i < 200; i++) {
      await s.send(`{"i":${i}}`, c.port);
      if (i % 50 === 0) await sleep(5);
    }
    await arrived(c, 200);
    const after = Date.now();
    s.close();
    await c.receiver.close();
    const times = c.datagrams.map((d) => d.arrivalMs);
    for (let k = 1; k < times.length; k++) expect(times[k]!).toBeGreaterThanOrEqual(times[k - 1]!);
    expect(times[0]!).toBeGreaterThanOrEqual(before - 5);
    expect(times.at(-1)!).toBeLessThanOrEqual(after + 5);
    expect(times.some((t) => !Number.isInteger(t))).toBe(true); // sub-millisecond, from the kernel's timestamp
  });

  it('passes zero-length datagrams as length 0', async () => {
    const c = collect({ host: '127.0.0.1' });
    const s = await sender();
    await s.send(Buffer.alloc(0), c.port);
    await s.send('{"after":1}', c.port);
    await s.send(Buffer.alloc(0), c.port);
    await arrived(c, 3);
    s.close();
    await c.receiver.close();
    expect(c.datagrams.map((d) => [d.bytes.length, d.size, d.truncated])).toEqual([
      [0, 0, false],
      [11, 11, false],
      [0, 0, false],
    ]);
  });

  it('truncates a datagram larger than its slot and flags it with its real size, without touching its neighbours', async () => {
    const c = collect({ host: '127.0.0.1', slotBytes: 1024 });
    const s = await sender();
    const big = Buffer.alloc(5000);
    for (let i = 0; i < big.length; i++) big[i] = i % 251;
    await s.send('{"a":1}', c.port);
    await s.send(big, c.port);
    await s.send(Buffer.alloc(1024, 0x41), c.port); // exactly one slot: not truncated
    await s.send('{"b":2}', c.port);
    await arrived(c, 4);
    s.close();
    await c.receiver.close();
    const [a, cut, full, b] = c.datagrams;
    expect(a!.bytes.toString()).toBe('{"a":1}');
    expect(cut).toMatchObject({ size: 5000, truncated: true });
    expect(cut!.bytes.equals(big.subarray(0, 1024))).toBe(true);
    expect(full).toMatchObject({ size: 1024, truncated: false });
    expect(full!.bytes.equals(Buffer.alloc(1024, 0x41))).toBe(true);
    expect(b!.bytes.toString()).toBe('{"b":2}');
    expect(c.receiver.stats().truncated).toBe(1);
  });

  it('takes the largest UDP datagram whole in the default 64 KiB slot', async () => {
    const c = collect({ host: '127.0.0.1' });
    const s = await sender();
    const largest = Buffer.alloc(65507, 0x7a);
    await s.send(largest, c.port);
    await arrived(c, 1);
    s.close();
    await c.receiver.close();
    expect(c.datagrams[0]).toMatchObject({ size: 65507, truncated: false });
    expect(c.datagrams[0]!.bytes.equals(largest)).toBe(true);
  });

  it('binds IPv6 (::1) and reports the ephemeral port', async () => {
    const c = collect({ host: '::1' });
    expect(c.receiver.address()).toMatchObject({ address: '::1', family: 'IPv6' });
    expect(c.port).toBeGreaterThan(0);
    const s = await sender('udp6');
    await s.send('{"v6":true}', c.port);
    await arrived(c, 1);
    s.close();
    await c.receiver.close();
    expect(c.datagrams[0]!.bytes.toString()).toBe('{"v6":true}');
  });

  it('reports the receive buffer the kernel granted', async () => {
    const c = collect({ host: '127.0.0.1', recvBufferBytes: 1 << 20 });
    const a = c.receiver.address();
    await c.receiver.close();
    // Linux doubles the request for its bookkeeping; without CAP_NET_ADMIN it is capped by rmem_max.
    expect(a.recvBufferBytes).toBeGreaterThan(0);
    if (a.bufferForced) expect(a.recvBufferBytes).toBe(2 << 20);
  });

  it('fails to bind like dgram: EADDRINUSE with the code, EINVAL for a name', async () => {
    const taken = collect({ host: '127.0.0.1' });
    try {
      expect(() => collect({ host: '127.0.0.1', port: taken.port })).toThrow(expect.objectContaining({ code: 'EADDRINUSE', syscall: 'bind' }));
      expect(() => collect({ host: 'localhost' })).toThrow(expect.objectContaining({ code: 'EINVAL', syscall: 'getaddrinfo' }));
      expect(() => collect({ host: '127.0.0.1', slotBytes: 1 << 20 })).toThrow(RangeError);
    } finally {
      await taken.receiver.close();
    }
  });

  it('stops reading while JavaScript is behind, so the kernel buffer fills and counts the drops', async () => {
    // One batch in flight, the smallest buffer, and a consumer whose first batch takes until the
    // sender is done. The traffic comes from another thread, paced over a few hundred ms, so the
    // reader meets a full batch with no room to hand it on however the threads are scheduled.
    const SENT = 3000;
    const done = new Int32Array(new SharedArrayBuffer(4));
    let first = true;
    const c = collect({ host: '127.0.0.1', recvBufferBytes: 4096, maxInFlight: 1, maxBatchDatagrams: 16 }, () => {
      if (first) Atomics.wait(done, 0, 0, 10_000);
      first = false;
    });
    const flood = new Worker(
      `const { workerData: done } = require('node:worker_threads');
      const s = require('node:dgram').createSocket('udp4');
      const frame = Buffer.alloc(1000, 0x61);
      (async () => {
        for (let i = 0; i < ${SENT}; i++) {
          await new Promise((resolve, reject) => s.send(frame, ${c.port}, '127.0.0.1', (err) => (err ? reject(err) : resolve())));
          if (i % 10 === 9) await new Promise((r) => setTimeout(r, 1));
        }
        s.close();
        Atomics.store(done, 0, 1);
        Atomics.notify(done, 0);
      })();`,
      { eval: true, workerData: done },
    );
    await once(flood, 'exit');
    // SO_RXQ_OVFL rides on the datagrams queued after the drops: send a few more until it shows.
    const s = await sender();
    const frame = Buffer.alloc(1000, 0x61);
    const deadline = Date.now() + 10_000;
    let more = 0;
    while (c.receiver.stats().kernelDrops === 0 && Date.now() < deadline) {
      await s.send(frame, c.port);
      more++;
      await sleep(40);
    }
    s.close();
    await c.receiver.close();
    const st = c.receiver.stats();
    expect(st.stalls).toBeGreaterThan(0);
    expect(st.kernelDrops).toBeGreaterThan(0);
    expect(st.datagrams).toBe(c.datagrams.length);
    expect(st.datagrams).toBeLessThan(SENT + more);
  });

  it('closes while traffic flows: close() resolves after every datagram it read was delivered, and nothing after', async () => {
    const c = collect({ host: '127.0.0.1' });
    const s = await sender();
    let sending = true;
    const flood = (async () => {
      for (let i = 0; sending; i++) {
        await s.send(`{"n":${i}}`, c.port);
        if (i % 100 === 0) await new Promise((r) => setImmediate(r));
      }
    })();
    await arrived(c, 2000);
    const closing = c.receiver.close();
    expect(c.receiver.close()).toBe(closing); // idempotent
    await closing;
    const delivered = c.datagrams.length;
    expect(delivered).toBe(c.receiver.stats().datagrams);
    await sleep(50);
    sending = false;
    await flood;
    s.close();
    expect(c.datagrams.length).toBe(delivered);
  });

  // ~1,050 thread start/joins with cross-thread handoffs: seconds when idle, but far slower on a
  // starved CI machine, so more room than the default 60 s.
  it('leaks no descriptor and no memory over many start/stop cycles', { timeout: 180_000 }, async () => {
    v8.setFlagsFromString('--expose-gc');
    const gc = vm.runInNewContext('gc') as () => void;
    const s = await sender();
    const cycle = async (): Promise<void> => {
      // No linger: each cycle waits only for its datagrams, not for a batch timer.
      const c = collect({ host: '127.0.0.1', lingerUs: 0 });
      await s.send('{"cycle":1}', c.port);
      await s.send(Buffer.alloc(0), c.port);
      await arrived(c, 2);
      await c.receiver.close();
    };
    for (let i = 0; i < 50; i++) await cycle(); // warm up allocators and code
    gc();
    const fds = openFds();
    const rss = process.memoryUsage().rss;
    for (let i = 0; i < 1000; i++) await cycle();
    gc();
    await sleep(50);
    gc();
    expect(openFds()).toBe(fds);
    const grownMb = (process.memoryUsage().rss - rss) / 1024 / 1024;
    expect(grownMb, 'RSS growth over 1000 cycles, MB').toBeLessThan(8);
    s.close();
  });
});
