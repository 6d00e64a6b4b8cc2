/**
 * Both UDP receivers pass the same test: the real engine (`contrail serve`) with
 * CONTRAIL_UDP_RECEIVER forced to each, every corpus frame sent over UDP (IPv4 and IPv6), and
 * every one stored, stamped with the time it was read. The start log names the receiver once.
 */
import dgram from 'node:dgram';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CORPUS_FILES } from '../../bench/lib/corpus.js';
import { startEngine, type RunningEngine } from '../../bench/lib/engine-process.js';
import { scrape, total } from '../../bench/lib/metrics-scrape.js';
import { readCorpusFrames } from '../helpers/corpus.js';
import { nativeSkipReason } from '../helpers/native-udp.js';
import { accountedFor } from '../helpers/traffic.js';

/** Sends each frame as one datagram, paced so that neither receiver's buffer is the subject here. */
async function sendFrames(frames: string[], port: number, host: string): Promise<void> {
  const socket = dgram.createSocket(host.includes(':') ? 'udp6' : 'udp4');
  const PER_MS = 4;
  for (let i = 0; i < frames.length; i += PER_MS) {
    await Promise.all(frames.slice(i, i + PER_MS).map((f) => new Promise<void>((resolve, reject) => socket.send(f, port, host, (err) => (err ? reject(err) : resolve())))));
    await new Promise((r) => setTimeout(r, 1));
  }
  socket.close();
}

describe.each([
  ['native', nativeSkipReason],
  ['dgram', ''],
] as const)('UDP receiver %s', (receiver, skip) => {
  let engine: RunningEngine;
  let startedAt: number;

  beforeAll(async () => {
    if (skip) return;
    startedAt = Date.now();
    engine = await startEngine({
      ENABLE_ACARS: '1',
      ENABLE_VDLM: '1',
      ENABLE_HFDL: '1',
      ACARS_CONNECTIONS: 'udp://127.0.0.1:0',
      VDLM_CONNECTIONS: 'udp://[::1]:0',
      HFDL_CONNECTIONS: 'udp://127.0.0.1:0',
      CONTRAIL_UDP_RECEIVER: receiver,
      // Every frame is stored, the corpus's repeats included.
      CONTRAIL_DEDUP_WINDOW_SECONDS: '0',
    });
  });

  afterAll(async () => {
    if (!engine) return;
    await engine.stop();
    engine.cleanup();
  });

  it.skipIf(skip !== '')(`says once which receiver reads UDP, and binds each listener with it${skip ? ` (skipped: ${skip})` : ''}`, () => {
    const lines = engine.logs.filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, unknown>);
    const choice = lines.filter((l) => typeof l['msg'] === 'string' && (l['msg'] as string).startsWith('UDP receiver:'));
    expect(choice).toHaveLength(1);
    expect(choice[0]).toMatchObject({ udpReceiver: receiver, reason: `CONTRAIL_UDP_RECEIVER=${receiver}` });
    const bound = lines.filter((l) => l['msg'] === 'UDP listener bound');
    expect(bound.map((l) => l['receiver'])).toEqual([receiver, receiver, receiver]);
  });

  // Above accountedFor's own 60 s wait, so a slow run fails with its message rather than a timeout.
  it.skipIf(skip !== '')('stores every corpus frame sent over UDP, IPv4 and IPv6', { timeout: 120_000 }, async () => {
    let sent = 0;
    for (const [file, type] of CORPUS_FILES) {
      const frames = readCorpusFrames(file);
      await sendFrames(frames, engine.port(type, 'udp'), type === 'VDL-M2' ? '::1' : '127.0.0.1');
      sent += frames.length;
    }
    const m = await accountedFor(engine.httpPort, sent);
    expect(total(m, 'contrail_frames_received_total', 'transport="udp"')).toBe(sent);
    expect(total(m, 'contrail_messages_stored_total')).toBe(sent);
    expect(total(m, 'contrail_frames_rejected_total')).toBe(0);
    expect(total(m, 'contrail_udp_kernel_drops_total')).toBe(0);
    const after = await scrape(engine.httpPort);
    expect(total(after, 'contrail_bytes_received_total', 'transport="udp"')).toBeGreaterThan(sent * 100);

    const db = new Database(join(engine.dataDir, 'contrail.sqlite'), { readonly: true });
    try {
      const row = db.prepare('SELECT count(*) AS n, min(received_at) AS first, max(received_at) AS last FROM messages').get() as { n: number; first: number; last: number };
      expect(row.n).toBe(sent);
      expect(row.first).toBeGreaterThanOrEqual(startedAt);
      expect(row.last).toBeLessThanOrEqual(Date.now());
    } finally {
      db.close();
    }
  });
});

