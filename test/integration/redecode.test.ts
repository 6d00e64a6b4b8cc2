/**
 * `contrail redecode` rebuilds stored messages from the journal's raw frames while the engine
 * keeps ingesting: rows an older decoder got wrong are rewritten, the full-text index follows,
 * and the traffic arriving meanwhile is stored as usual.
 */
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { corpusDir, readCorpusFrames } from '../helpers/corpus.js';
import { runContrail, startEngine } from '../../bench/lib/engine-process.js';
import { scrape, total } from '../../bench/lib/metrics-scrape.js';
import { parseSince } from '../../src/cli/redecode-command.js';
import { waitUntil } from '../helpers/traffic.js';

async function storedAtLeast(httpPort: number, n: number): Promise<void> {
  await waitUntil(`${n} messages stored`, () => scrape(httpPort), (m) => total(m, 'contrail_messages_stored_total') >= n);
}

describe('contrail redecode', () => {
  it('parses --since', () => {
    expect(parseSince('all')).toBe(0);
    expect(parseSince('2h', 10_000_000)).toBe(10_000_000 - 7_200_000);
    expect(parseSince('2026-02-01T00:00:00Z')).toBe(Date.UTC(2026, 1, 1));
    expect(() => parseSince('yesterday')).toThrow(/--since "yesterday"/);
  });

  it('rewrites stored messages from their raw frames while ingest goes on', { timeout: 120_000 }, async () => {
    const connections = { ACARS_CONNECTIONS: 'tcp-listen://127.0.0.1:0', HFDL_CONNECTIONS: 'udp://127.0.0.1:0' };
    const engine = await startEngine({ ENABLE_ACARS: '1', ENABLE_HFDL: '1', CONTRAIL_DEDUP_WINDOW_SECONDS: '0', ...connections });
    try {
      const acars = readCorpusFrames('acarshub-kabq/raw-acars-messages.jsonl');
      const sent = await runContrail(['replay', join(corpusDir, 'acarshub-kabq/raw-acars-messages.jsonl'), '--to', `tcp://127.0.0.1:${engine.port('ACARS', 'tcp-listen')}`, '--no-progress']);
      expect(sent.code, sent.stderr).toBe(0);
      await storedAtLeast(engine.httpPort, acars.length);

      // What an older, worse decoder might have stored.
      const dbPath = join(engine.dataDir, 'contrail.sqlite');
      const rw = new Database(dbPath);
      rw.pragma('busy_timeout = 5000');
      const vandalized = rw.prepare("UPDATE messages SET text = 'garbled', tail = NULL, freq = 0 WHERE type = 'ACARS'").run().changes;
      rw.close();
      expect(vandalized).toBe(acars.length);

      // More traffic while the redecode runs.
      const hfdl = readCorpusFrames('acarshub-kabq/raw-hfdl-messages.jsonl');
      const meanwhile = runContrail(['replay', join(corpusDir, 'acarshub-kabq/raw-hfdl-messages.jsonl'), '--to', `udp://127.0.0.1:${engine.port('HFDL', 'udp')}`, '--rate', '2000', '--no-progress']);
      const run = await runContrail(['redecode', '--since', '1h', '--json', '--no-progress'], { CONTRAIL_DATA_DIR: engine.dataDir, ENABLE_ACARS: '1', ENABLE_HFDL: '1', ...connections });
      expect(run.code, run.stderr).toBe(0);
      const summary = JSON.parse(run.stdout) as { updated: number; notFound: number; frames: number };
      expect(summary.updated).toBeGreaterThanOrEqual(acars.length);
      expect((await meanwhile).code).toBe(0);
      await storedAtLeast(engine.httpPort, acars.length + hfdl.length);

      const db = new Database(dbPath, { readonly: true });
      expect(db.prepare("SELECT count(*) FROM messages WHERE text = 'garbled' OR freq = 0").pluck().get()).toBe(0);
      expect(db.prepare("SELECT count(*) FROM messages WHERE type = 'HFDL'").pluck().get()).toBe(hfdl.length);
      // The index follows the rewritten rows: the vandalized word is gone, a real one is back.
      expect(db.prepare("SELECT count(*) FROM messages_fts WHERE messages_fts MATCH 'garbled'").pluck().get()).toBe(0);
      expect(db.prepare("SELECT count(*) FROM messages_fts WHERE messages_fts MATCH 'tail:N8560Z'").pluck().get()).toBeGreaterThan(0);
      db.close();
      const check = new Database(dbPath);
      check.exec("INSERT INTO messages_fts (messages_fts, rank) VALUES ('integrity-check', 1)");
      check.close();
      expect(await engine.stop()).toBe(0);
    } finally {
      await engine.stop();
      engine.cleanup();
    }
  });
});
