/**
 * A UDP burst far beyond what a deliberately small pipeline can take: batches wait in the
 * journal instead of being dropped, and everything the engine read is stored, in order.
 */
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { startEngine } from '../../bench/lib/engine-process.js';
import { scrape, total } from '../../bench/lib/metrics-scrape.js';
import { floodUdp, taggedFrame, taggedId, waitUntil } from '../helpers/traffic.js';

const FRAMES = 30_000;
const RATE = 15_000;


describe('journal: burst absorption', () => {
  it('holds batches in the journal while the pipeline is full and stores them all, in order', { timeout: 120_000 }, async () => {
    const engine = await startEngine({
      ENABLE_ACARS: '1',
      ACARS_CONNECTIONS: 'udp://127.0.0.1:0',
      // One batch in flight, small batches: a modest burst overflows the pipeline.
      CONTRAIL_MAX_PENDING_BATCHES: '1',
      CONTRAIL_BATCH_MAX_FRAMES: '16',
      CONTRAIL_DECODE_THREADS: '1',
    });
    try {
      const port = engine.port('ACARS', 'udp');
      await floodUdp(port, FRAMES, RATE, (id) => taggedFrame('BURST', 'BURSTID', id));

      const s = await waitUntil(
        'everything read to be stored',
        () => scrape(engine.httpPort),
        (m) => total(m, 'contrail_messages_stored_total') >= total(m, 'contrail_frames_received_total'),
        90_000,
      );
      const received = total(s, 'contrail_frames_received_total');
      expect(total(s, 'contrail_journal_deferred_batches_total')).toBeGreaterThan(0);
      expect(total(s, 'contrail_frames_lost_total')).toBe(0);
      expect(total(s, 'contrail_messages_stored_total')).toBe(received);
      expect(received).toBeGreaterThan(FRAMES * 0.9); // loopback UDP at this rate loses little or nothing in the kernel
      expect(total(s, 'contrail_journal_backlog_batches')).toBe(0);
      expect(await engine.stop()).toBe(0);

      const db = new Database(join(engine.dataDir, 'contrail.sqlite'), { readonly: true });
      const ids = (db.prepare("SELECT text FROM messages WHERE station_id = 'BURST' ORDER BY id").pluck().all() as string[]).map(taggedId);
      db.close();
      expect(ids).toHaveLength(received);
      // Stored in the order they were read (loopback keeps datagram order).
      expect(ids.every((v, k) => k === 0 || v > ids[k - 1]!)).toBe(true);
    } finally {
      await engine.stop();
      engine.cleanup();
    }
  });
});
