/**
 * SIGTERM: drain and exit 0 within the configured time. With a backlog too large for the time
 * allowed, the engine still exits on time and the next start commits the rest from the journal.
 */
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { startEngine } from '../../bench/lib/engine-process.js';
import { total } from '../../bench/lib/metrics-scrape.js';
import { datagramsSettled, floodUdp, taggedFrame, taggedId } from '../helpers/traffic.js';

const SHUTDOWN_BOUND_MS = 300;

function storedIds(dataDir: string): number[] {
  const db = new Database(join(dataDir, 'contrail.sqlite'), { readonly: true });
  const ids = (db.prepare("SELECT text FROM messages WHERE station_id = 'STOP' ORDER BY id").pluck().all() as string[]).map(taggedId);
  db.close();
  return ids;
}

describe('shutdown', () => {
  it('leaves what it cannot commit in time to the journal, exits 0 on time, and the next start commits it', { timeout: 120_000 }, async () => {
    // A slow pipeline (one tiny batch in flight) and a backlog it cannot finish in 300 ms.
    const env = { ENABLE_ACARS: '1', ACARS_CONNECTIONS: 'udp://127.0.0.1:0', CONTRAIL_MAX_PENDING_BATCHES: '1', CONTRAIL_BATCH_MAX_FRAMES: '4', CONTRAIL_DECODE_THREADS: '1', CONTRAIL_SHUTDOWN_TIMEOUT_MS: String(SHUTDOWN_BOUND_MS) };
    const first = await startEngine(env);
    const sent = 20_000;
    await floodUdp(first.port('ACARS', 'udp'), sent, 20_000, (id) => taggedFrame('STOP', 'STOPID', id));
    // Datagrams may still sit in the socket buffer or be on their way to the main thread: wait
    // until each one is read or counted as a kernel drop, so `received` is final.
    const settled = await datagramsSettled(first.httpPort, sent);
    const received = total(settled, 'contrail_frames_received_total');
    const t0 = Date.now();
    expect(await first.stop()).toBe(0);
    // The bound is 300 ms; the margin is for closing workers and the database on a busy machine.
    expect(Date.now() - t0).toBeLessThan(SHUTDOWN_BOUND_MS + 7000);
    expect(first.logs.some((l) => l.includes('did not drain in time'))).toBe(true);
    const afterFirst = storedIds(first.dataDir).length;
    expect(afterFirst).toBeLessThan(received);

    const second = await startEngine({ ...env, CONTRAIL_SHUTDOWN_TIMEOUT_MS: '10000' }, 60_000, first.dataDir);
    expect(second.logs.some((l) => l.includes('journal replay: done'))).toBe(true);
    expect(await second.stop()).toBe(0);
    const ids = storedIds(first.dataDir);
    expect(ids).toHaveLength(received);
    expect(new Set(ids).size).toBe(received);
    expect(ids.every((v, k) => k === 0 || v > ids[k - 1]!)).toBe(true);
    first.cleanup();
  });
});
