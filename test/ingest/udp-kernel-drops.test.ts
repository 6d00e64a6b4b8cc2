import dgram from 'node:dgram';
import { describe, expect, it } from 'vitest';
import { parseUdpDrops, readUdpDrops } from '../../src/ingest/udp-kernel-drops.js';
import { startEngine } from '../../bench/lib/engine-process.js';
import { total } from '../../bench/lib/metrics-scrape.js';
import { nativeSkipReason } from '../helpers/native-udp.js';
import { datagramsSettled, taggedFrame } from '../helpers/traffic.js';

const PROC = `   sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref pointer drops
  118: 0100007F:15B6 00000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 51233 2 0000000000000000 17
  290: 00000000:15BB 00000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 51236 2 0000000000000000 0
  301: 0100007F:9C40 00000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 51300 2 0000000000000000 99
`;

describe('kernel UDP drops', () => {
  it('reads the drops column of our ports only', () => {
    expect(parseUdpDrops(PROC, new Set([5558, 5563]))).toEqual(
      new Map([
        [5558, 17],
        [5563, 0],
      ]),
    );
  });

});

describe.each([
  ['native', nativeSkipReason],
  ['dgram', ''],
])('kernel UDP drops with the %s receiver', (receiver, skip) => {
  it.skipIf(skip !== '')(`accounts for every datagram: read by the engine, or counted as dropped by the kernel${skip ? ` (skipped: ${skip})` : ''}`, { timeout: 60_000 }, async () => {
    const engine = await startEngine({ ENABLE_ACARS: '1', ACARS_CONNECTIONS: 'udp://127.0.0.1:0', CONTRAIL_UDP_RECV_BUFFER_BYTES: '65536', CONTRAIL_UDP_RECEIVER: receiver });
    try {
      const port = engine.port('ACARS', 'udp');
      const socket = dgram.createSocket('udp4');
      const frame = Buffer.from(taggedFrame('DROPS', 'DROPID', 0, 900));
      const SENT = 40_000;
      // As fast as the sender goes, into the smallest buffer allowed: the kernel must drop some.
      let acked = 0;
      for (let k = 0; k < SENT; k++) socket.send(frame, port, '127.0.0.1', () => acked++);
      while (acked < SENT) await new Promise((r) => setTimeout(r, 5));
      socket.close();
      // Datagrams already taken from the socket may still be queued for a starved main thread:
      // wait for the count to reach SENT instead of guessing how long that takes.
      const s = await datagramsSettled(engine.httpPort, SENT, 20_000);
      const received = total(s, 'contrail_frames_received_total');
      const dropped = total(s, 'contrail_udp_kernel_drops_total');
      expect(dropped).toBeGreaterThan(0);
      expect(received + dropped).toBe(SENT);
      // The kernel's own count, read directly, agrees.
      expect(readUdpDrops(new Set([port])).get(port)).toBe(dropped);
    } finally {
      await engine.stop();
      engine.cleanup();
    }
  });
});
