/**
 * The journal at engine level: segments rotate, committed ones past retention are deleted,
 * and TCP sources are really paused while the writer is behind, and resumed.
 */
import { readdirSync } from 'node:fs';
import net from 'node:net';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startEngine } from '../../bench/lib/engine-process.js';
import { scrape, total } from '../../bench/lib/metrics-scrape.js';
import { taggedFrame, waitUntil } from '../helpers/traffic.js';

const FRAMES = 30_000;

describe('journal retention and TCP backpressure', () => {
  it('rotates 1 MiB segments, deletes the committed ones, and pauses then resumes TCP', { timeout: 120_000 }, async () => {
    const engine = await startEngine({
      ENABLE_ACARS: '1',
      ACARS_CONNECTIONS: 'tcp-listen://127.0.0.1:0',
      CONTRAIL_JOURNAL_SEGMENT_BYTES: '1048576',
      CONTRAIL_JOURNAL_RETENTION_HOURS: '0',
      CONTRAIL_MAX_PENDING_BATCHES: '1',
      CONTRAIL_BATCH_MAX_FRAMES: '64',
    });
    try {
      const socket = net.connect(engine.port('ACARS', 'tcp-listen'), '127.0.0.1');
      await new Promise((r) => socket.once('connect', r));
      const lines: string[] = [];
      for (let id = 0; id < FRAMES; id++) lines.push(taggedFrame('RET', 'RETID', id, 300));
      socket.end(`${lines.join('\n')}\n`);
      const s = await waitUntil('every frame stored', () => scrape(engine.httpPort), (m) => total(m, 'contrail_messages_stored_total') >= FRAMES, 60_000);
      expect(total(s, 'contrail_messages_stored_total')).toBe(FRAMES);
      expect(total(s, 'contrail_frames_lost_total')).toBe(0);
      // The writer fell behind a stream sent all at once: TCP was paused (and resumed, since all arrived).
      expect(total(s, 'contrail_source_pauses_total')).toBeGreaterThan(0);
      expect(total(s, 'contrail_sources_paused')).toBe(0);
      // ~11 MB of frames in 1 MiB segments; with retention 0, committed segments are deleted
      // (within about a second of the checkpoint passing them), all but the one being written.
      expect(total(s, 'contrail_journal_bytes_total')).toBeGreaterThan(8 * 1048576);
      const segments = (): string[] => readdirSync(join(engine.dataDir, 'journal')).filter((n) => n.endsWith('.seg'));
      const until = Date.now() + 10_000;
      while (segments().length > 1 && Date.now() < until) await new Promise((r) => setTimeout(r, 200));
      expect(segments()).toHaveLength(1);
      expect(engine.logs.some((l) => l.includes('deleted checkpointed segments'))).toBe(true);
      expect(await engine.stop()).toBe(0);
    } finally {
      await engine.stop();
      engine.cleanup();
    }
  });
});
