/**
 * The running engine prunes by age in the background: corpus traffic (captured months ago) is
 * deleted once it is older than DB_SAVE_DAYS, fresh traffic stays, and the work shows in the
 * Prometheus metrics.
 */
import net from 'node:net';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { runContrail, startEngine } from '../../bench/lib/engine-process.js';
import { scrape, total } from '../../bench/lib/metrics-scrape.js';
import { corpusDir, readCorpusFrames } from '../helpers/corpus.js';
import { taggedFrame, taggedId, waitUntil } from '../helpers/traffic.js';

const FILE = 'acarshub-kabq/raw-acars-messages.jsonl';
const CORPUS_FRAMES = readCorpusFrames(FILE).length;
const FRESH = 200;

function storedRows(dataDir: string): { total: number; texts: string[]; oldest: number } {
  const db = new Database(join(dataDir, 'contrail.sqlite'), { readonly: true });
  try {
    const texts = db.prepare("SELECT text FROM messages WHERE text LIKE 'FRESH %'").pluck().all() as string[];
    const count = db.prepare('SELECT count(*) FROM messages').pluck().get() as number;
    const oldest = (db.prepare('SELECT min(msg_time) FROM messages').pluck().get() as number | null) ?? 0;
    return { total: count, texts, oldest };
  } finally {
    db.close();
  }
}

describe('background maintenance in the engine', () => {
  it('prunes messages past DB_SAVE_DAYS, keeps the fresh ones, and counts it in /metrics', { timeout: 90_000 }, async () => {
    const engine = await startEngine({ ENABLE_ACARS: '1', ACARS_CONNECTIONS: 'tcp-listen://127.0.0.1:0', DB_SAVE_DAYS: '30', DB_ALERT_SAVE_DAYS: '30', CONTRAIL_PRUNE_CHECK_SECONDS: '1', CONTRAIL_DEDUP_WINDOW_SECONDS: '0' });
    try {
      const port = engine.port('ACARS', 'tcp-listen');
      const replay = await runContrail(['replay', join(corpusDir, FILE), '--to', `tcp://127.0.0.1:${port}`, '--no-progress']);
      expect(replay.code, replay.stderr).toBe(0);
      const socket = net.connect(port, '127.0.0.1');
      await new Promise((r) => socket.once('connect', r));
      socket.end(Array.from({ length: FRESH }, (_, i) => `${taggedFrame('FRESH-TEST', 'FRESH', i)}\n`).join(''));

      // Everything arrives; the corpus part (all of it older than 30 days) goes on the next check.
      const m = await waitUntil(
        'the corpus messages pruned by age',
        () => scrape(engine.httpPort),
        (s) => total(s, 'contrail_frames_received_total') >= CORPUS_FRAMES + FRESH && total(s, 'contrail_maintenance_pruned_messages_total', 'reason="age"') >= CORPUS_FRAMES,
        60_000,
      );
      expect(total(m, 'contrail_maintenance_pruned_messages_total', 'reason="size"')).toBe(0);
      expect(total(m, 'contrail_maintenance_slices_total', 'job="prune-age"')).toBeGreaterThan(0);

      const rows = await waitUntil('only fresh messages left', async () => storedRows(engine.dataDir), (r) => r.total === FRESH);
      expect(rows.texts.map(taggedId).sort((a, b) => a - b)).toEqual(Array.from({ length: FRESH }, (_, i) => i));
      expect(rows.oldest).toBeGreaterThan(Date.now() / 1000 - 3600);
      expect(engine.logs.join('\n')).toMatch(/maintenance: pruned by age: \d+ messages/);
      expect(await engine.stop()).toBe(0);
    } finally {
      await engine.stop();
      engine.cleanup();
    }
  });
});
