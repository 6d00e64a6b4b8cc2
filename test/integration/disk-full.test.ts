/**
 * Disk full, for real: the data dir is on a small tmpfs the test mounts itself, nearly filled
 * by a ballast file. Ingest over TCP must pause with the reason in /healthz and the metrics,
 * lose and corrupt nothing, and resume by itself when the ballast is removed.
 * Needs permission to mount (root); skipped, saying so, where that is not allowed.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { startEngine } from '../../bench/lib/engine-process.js';
import { scrape, total } from '../../bench/lib/metrics-scrape.js';
import { taggedFrame, taggedId, waitUntil } from '../helpers/traffic.js';

const FRAMES = 40_000;

function mountTmpfs(dir: string, size: string): boolean {
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', dir], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

const mountDir = mkdtempSync(join(tmpdir(), 'contrail-small-fs-'));
const mounted = mountTmpfs(mountDir, '48m');
if (!mounted) console.warn('disk-full test skipped: this machine does not allow mounting a tmpfs');

describe.runIf(mounted)('storage full', () => {
  afterAll(() => {
    try {
      execFileSync('umount', [mountDir], { stdio: 'ignore' });
    } catch {
      /* already gone */
    }
    rmSync(mountDir, { recursive: true, force: true });
  });

  it('pauses ingest while the disk is full, says why, and resumes with nothing lost', { timeout: 120_000 }, async () => {
    const ballast = join(mountDir, 'ballast');
    writeFileSync(ballast, Buffer.alloc(42 * 1024 * 1024));
    const engine = await startEngine(
      { ENABLE_ACARS: '1', ACARS_CONNECTIONS: 'tcp-listen://127.0.0.1:0', CONTRAIL_JOURNAL_SEGMENT_BYTES: '1048576' },
      60_000,
      join(mountDir, 'data'),
    );
    try {
      const socket = net.connect(engine.port('ACARS', 'tcp-listen'), '127.0.0.1');
      await new Promise((r) => socket.once('connect', r));
      // Written all at once: TCP backpressure holds what the paused engine does not read.
      for (let id = 0; id < FRAMES; id += 1000) {
        const lines: string[] = [];
        for (let k = id; k < id + 1000; k++) lines.push(taggedFrame('FULL', 'FULLID', k, 200));
        socket.write(`${lines.join('\n')}\n`);
      }
      const health = await waitUntil(
        'a degraded /healthz',
        async () => (await (await fetch(`http://127.0.0.1:${engine.httpPort}/healthz`)).json()) as { status: string; storage: Record<string, string> },
        (h) => h.status === 'degraded',
        60_000,
      );
      expect(Object.values(health.storage).join(' ')).toMatch(/ENOSPC|SQLITE_FULL/);
      const during = await scrape(engine.httpPort);
      expect(total(during, 'contrail_storage_blocked')).toBeGreaterThanOrEqual(1);
      expect(engine.logs.some((l) => l.includes('"level":50') && l.includes('ingest paused'))).toBe(true);

      unlinkSync(ballast); // space returns
      const after = await waitUntil(
        `all ${FRAMES} frames stored`,
        () => scrape(engine.httpPort),
        (s) => total(s, 'contrail_messages_stored_total') >= FRAMES,
        90_000,
      ).catch(async (e: Error) => {
        const h = await (await fetch(`http://127.0.0.1:${engine.httpPort}/healthz`)).text();
        const s = await scrape(engine.httpPort);
        throw new Error(`${e.message.slice(0, 60)}; stored ${total(s, 'contrail_messages_stored_total')}; health ${h}; log:\n${engine.logs.slice(-12).join('\n')}`);
      });
      expect(total(after, 'contrail_messages_stored_total')).toBe(FRAMES);
      expect(total(after, 'contrail_frames_lost_total')).toBe(0);
      expect(total(after, 'contrail_storage_blocked')).toBe(0);
      const healthAfter = (await (await fetch(`http://127.0.0.1:${engine.httpPort}/healthz`)).json()) as { status: string };
      expect(healthAfter.status).toBe('ok');
      socket.destroy();
      expect(await engine.stop()).toBe(0);

      const db = new Database(join(mountDir, 'data', 'contrail.sqlite'), { readonly: true });
      expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
      const ids = db.prepare("SELECT text FROM messages WHERE station_id = 'FULL' ORDER BY id").pluck().all() as string[];
      db.close();
      expect(ids.map(taggedId)).toEqual([...Array(FRAMES).keys()]);
    } finally {
      await engine.stop();
    }
  });
});
