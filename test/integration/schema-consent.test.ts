/**
 * Production never migrates silently: an engine on a database with pending migrations keeps
 * accepting frames (they wait in the journal), writes nothing, says so in /healthz, and migrates
 * on consent (admin API or `contrail db migrate --yes` from another process) while WebSocket
 * clients watch the progress; then it catches up. Backups and restores through the admin API.
 */
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { MIGRATIONS } from '../../migrations/index.js';
import { runContrail, startEngine, type RunningEngine } from '../../bench/lib/engine-process.js';
import { scrape, total } from '../../bench/lib/metrics-scrape.js';
import { corpusDir, readCorpusFrames } from '../helpers/corpus.js';
import { oldDatabase } from '../helpers/engine-db.js';
import { apiRequest, type Json } from '../helpers/engine-http.js';
import { waitUntil } from '../helpers/traffic.js';
import { WsClient } from '../helpers/ws-client.js';

const NAMES = Object.keys(MIGRATIONS).sort();
const OLD = '0004_frame_ref';
const TOKEN = 'test-admin-token-0123456789';
const ACARS_FILE = join(corpusDir, 'acarshub-kabq/raw-acars-messages.jsonl');
const ACARS_FRAMES = readCorpusFrames('acarshub-kabq/raw-acars-messages.jsonl').length;
const HFDL_FILE = join(corpusDir, 'acarshub-kabq/raw-hfdl-messages.jsonl');
const HFDL_FRAMES = readCorpusFrames('acarshub-kabq/raw-hfdl-messages.jsonl').length;
// Every frame sent is counted stored: dedup off (tested in dedup.test.ts).
const LISTEN = { CONTRAIL_DEDUP_WINDOW_SECONDS: '0', ENABLE_ACARS: '1', ENABLE_HFDL: '1', ACARS_CONNECTIONS: 'tcp-listen://127.0.0.1:0', HFDL_CONNECTIONS: 'tcp-listen://127.0.0.1:0' };

function stored(engine: RunningEngine): number {
  const db = new Database(join(engine.dataDir, 'contrail.sqlite'), { readonly: true });
  try {
    return db.prepare('SELECT count(*) FROM messages').pluck().get() as number;
  } finally {
    db.close();
  }
}

const http = (engine: RunningEngine, method: string, path: string, token?: string): Promise<{ status: number; body: Json }> =>
  apiRequest(engine, path, { method, ...(token !== undefined ? { token } : {}) });

async function replay(engine: RunningEngine, file: string, type: string): Promise<void> {
  const r = await runContrail(['replay', file, '--to', `tcp://127.0.0.1:${engine.port(type, 'tcp-listen')}`, '--no-progress']);
  expect(r.code, r.stderr).toBe(0);
}

async function received(engine: RunningEngine, n: number): Promise<void> {
  await waitUntil(`${n} frames received`, () => scrape(engine.httpPort), (m) => total(m, 'contrail_frames_received_total') >= n);
}

async function storedAtLeast(engine: RunningEngine, n: number): Promise<void> {
  await waitUntil(`${n} messages stored`, () => scrape(engine.httpPort), (m) => total(m, 'contrail_messages_stored_total') >= n);
}

describe('schema updates need consent', () => {
  it('waits, keeps ingesting into the journal, migrates on the admin API with progress to clients, then catches up', { timeout: 120_000 }, async () => {
    const engine = await startEngine({ ...LISTEN, CONTRAIL_ADMIN_TOKEN: TOKEN }, 30_000, await oldDatabase('contrail-consent-', OLD));
    try {
      const health = (await http(engine, 'GET', '/healthz')).body;
      expect(health).toMatchObject({ ok: true, status: 'schema update pending', schema: { current: OLD, pending: NAMES.filter((n) => n > OLD) } });
      expect(engine.logs.join('\n')).toMatch(/schema update pending/);
      // Alive, not ready: /readyz says what it waits for.
      const notReady = await fetch(`http://127.0.0.1:${engine.httpPort}/readyz`);
      expect(notReady.status).toBe(503);
      expect(((await notReady.json()) as { waiting: string[] }).waiting.join(' ')).toMatch(/schema update pending/);

      const client = await WsClient.connect(`ws://127.0.0.1:${engine.httpPort}/ws`);
      await client.request({ op: 'subscribe', topics: ['messages', 'database'], id: 1 });
      await replay(engine, ACARS_FILE, 'ACARS');
      await received(engine, ACARS_FRAMES);
      // Accepted, journaled, and not written: the schema is not there yet.
      expect(stored(engine)).toBe(0);
      const status = (await http(engine, 'GET', '/api/v1/db/status')).body;
      expect(status).toMatchObject({ current: OLD, updatePending: true, mode: 'pending' });

      expect((await http(engine, 'POST', '/api/v1/db/migrate')).status).toBe(401);
      expect((await http(engine, 'POST', '/api/v1/db/migrate', 'wrong-token-wrong-token-00')).status).toBe(401);
      const started = await http(engine, 'POST', '/api/v1/db/migrate', TOKEN);
      expect(started.status).toBe(202);

      await client.waitForEvent((e) => e.step === 'done');
      const steps = client.events.filter((e) => e.event === 'db-migration').map((e) => e.step);
      expect(steps).toContain('backup');
      expect(steps.filter((s) => s === 'done')).toEqual(['done']);
      for (const n of NAMES.filter((x) => x > OLD)) expect(steps).toContain(n);
      const progress = client.events.find((e) => e.step === NAMES.at(-1));
      expect(progress).toMatchObject({ percent: expect.any(Number), elapsedMs: expect.any(Number) });

      await storedAtLeast(engine, ACARS_FRAMES);
      await client.waitForCount(ACARS_FRAMES);
      expect(stored(engine)).toBe(ACARS_FRAMES);
      expect((await http(engine, 'GET', '/healthz')).body).toMatchObject({ status: 'ok', schema: { current: NAMES.at(-1), pending: [] } });
      const ready = await fetch(`http://127.0.0.1:${engine.httpPort}/readyz`);
      expect(ready.status).toBe(200);
      expect(await ready.json()).toMatchObject({ ok: true, waiting: [] });
      const backups = (await http(engine, 'GET', '/api/v1/db/backups')).body as unknown as Json[];
      expect(backups[0]).toMatchObject({ reason: 'pre-migrate', schema: OLD });
      client.close();
      expect(await engine.stop()).toBe(0);
    } finally {
      await engine.stop();
      engine.cleanup();
    }
  });

  it('picks up `contrail db migrate --yes` run from another process, and refuses what it must not do', { timeout: 120_000 }, async () => {
    const engine = await startEngine(LISTEN, 30_000, await oldDatabase('contrail-consent-', OLD));
    const cli = (args: string[]): ReturnType<typeof runContrail> => runContrail(['db', ...args], { CONTRAIL_DATA_DIR: engine.dataDir, ...LISTEN });
    try {
      await replay(engine, HFDL_FILE, 'HFDL');
      await received(engine, HFDL_FRAMES);
      // No token configured: the admin API's writes are off.
      expect((await http(engine, 'POST', '/api/v1/db/migrate', TOKEN)).status).toBe(403);
      const noConsent = await cli(['migrate']);
      expect(noConsent.code).toBe(2);
      expect(noConsent.stderr).toMatch(/not migrating without consent: run contrail db migrate --yes/);
      const rollback = await cli(['rollback', '--to', '3', '--yes']);
      expect(rollback.code).toBe(1);
      expect(rollback.stderr).toMatch(/cannot roll back the schema while the engine runs on this database: pid \d+/);

      const migrated = await cli(['migrate', '--yes', '--json', '--no-progress']);
      expect(migrated.code, migrated.stderr).toBe(0);
      expect((JSON.parse(migrated.stdout) as Json).current).toBe(NAMES.at(-1));
      await waitUntil('the engine to see the schema', () => http(engine, 'GET', '/healthz'), (r) => r.body.status === 'ok');
      await storedAtLeast(engine, HFDL_FRAMES);
      expect(stored(engine)).toBe(HFDL_FRAMES);
      expect(await engine.stop()).toBe(0);
    } finally {
      await engine.stop();
      engine.cleanup();
    }
  });

  it('migrates at start in development, after a backup', { timeout: 60_000 }, async () => {
    const engine = await startEngine({ ...LISTEN, NODE_ENV: 'development' }, 30_000, await oldDatabase('contrail-consent-', OLD));
    try {
      expect((await http(engine, 'GET', '/healthz')).body).toMatchObject({ status: 'ok', schema: { current: NAMES.at(-1) } });
      const backups = (await http(engine, 'GET', '/api/v1/db/backups')).body as unknown as Json[];
      expect(backups.map((b) => b.reason)).toEqual(['pre-migrate']);
    } finally {
      await engine.stop();
      engine.cleanup();
    }
  });

  it('backs up and restores through the admin API: the backup plus what the journal received since', { timeout: 120_000 }, async () => {
    const engine = await startEngine({ ...LISTEN, CONTRAIL_ADMIN_TOKEN: TOKEN });
    try {
      await replay(engine, ACARS_FILE, 'ACARS');
      await storedAtLeast(engine, ACARS_FRAMES);
      const backup = await http(engine, 'POST', '/api/v1/db/backups', TOKEN);
      expect(backup.status).toBe(201);
      const id = backup.body.id as string;

      await replay(engine, HFDL_FILE, 'HFDL');
      await storedAtLeast(engine, ACARS_FRAMES + HFDL_FRAMES);
      // Lose data the way a bad manual fix would; the restore brings it all back.
      const rw = new Database(join(engine.dataDir, 'contrail.sqlite'));
      rw.pragma('busy_timeout = 5000');
      rw.exec("DELETE FROM messages WHERE type = 'ACARS'");
      rw.close();
      expect(stored(engine)).toBe(HFDL_FRAMES);

      expect((await http(engine, 'POST', '/api/v1/db/restore/no-such-backup', TOKEN)).status).toBe(404);
      const restored = await http(engine, 'POST', `/api/v1/db/restore/${id}`, TOKEN);
      expect(restored.status, JSON.stringify(restored.body)).toBe(200);
      await waitUntil('the journal replayed', async () => stored(engine), (n) => n === ACARS_FRAMES + HFDL_FRAMES);
      const db = new Database(join(engine.dataDir, 'contrail.sqlite'), { readonly: true });
      expect(db.prepare("SELECT count(*) FROM messages WHERE type = 'ACARS'").pluck().get()).toBe(ACARS_FRAMES);
      expect(db.prepare("SELECT count(*) FROM messages WHERE type = 'HFDL'").pluck().get()).toBe(HFDL_FRAMES);
      db.close();
      const backups = (await http(engine, 'GET', '/api/v1/db/backups')).body as unknown as Json[];
      expect(backups.map((b) => b.reason).sort()).toEqual(['api', 'pre-restore']);

      // Ingest goes on after a restore.
      await replay(engine, ACARS_FILE, 'ACARS');
      await waitUntil('new frames stored', async () => stored(engine), (n) => n === 2 * ACARS_FRAMES + HFDL_FRAMES);
      expect(await engine.stop()).toBe(0);
    } finally {
      await engine.stop();
      engine.cleanup();
    }
  });
});
