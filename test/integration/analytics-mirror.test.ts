/**
 * The DuckDB hot mirror in the running engine: committed rows reach it within about a second,
 * the analytics API answers from it (and says so), both paths agree on every query, and a
 * mirror that missed rows (an older copy of its file) catches up from SQLite at the next start.
 */
import { copyFileSync, existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { DuckDBInstance } from '@duckdb/node-api';
import { runContrail, startEngine, type RunningEngine } from '../../bench/lib/engine-process.js';
import { scrape, total } from '../../bench/lib/metrics-scrape.js';
import { readCorpusFrames } from '../helpers/corpus.js';
import { apiRequest, type Json } from '../helpers/engine-http.js';
import { accountedFor, sendTcpLines, waitUntil } from '../helpers/traffic.js';
import { WsClient } from '../helpers/ws-client.js';

const TOKEN = 'analytics-admin-token-0123456789';
const ENV = {
  ENABLE_ACARS: '1',
  ENABLE_VDLM: '1',
  ACARS_CONNECTIONS: 'tcp-listen://127.0.0.1:0',
  VDLM_CONNECTIONS: 'tcp-listen://127.0.0.1:0',
  CONTRAIL_ADMIN_TOKEN: TOKEN,
  // The corpus was captured in 2026-02: a window long enough to hold it.
  CONTRAIL_MIRROR_DAYS: '3660',
};

const get = (engine: RunningEngine, path: string, admin = false): Promise<{ status: number; body: Json }> => apiRequest(engine, path, admin ? { token: TOKEN } : {});

function sqliteCount(dataDir: string): number {
  const d = new Database(join(dataDir, 'contrail.sqlite'), { readonly: true });
  try {
    return d.prepare('SELECT count(*) FROM messages').pluck().get() as number;
  } finally {
    d.close();
  }
}

/**
 * Waits until every committed row is in the mirror and it answers for the corpus's range (until
 * its next pull it rightly lets SQLite answer: a copy may have changed a row it holds).
 */
async function mirrored(engine: RunningEngine, rows: number): Promise<void> {
  await waitUntil('the mirror holds every row', () => scrape(engine.httpPort), (s) => total(s, 'contrail_mirror_rows') === rows, 20_000);
  await waitUntil('the mirror answers', () => get(engine, '/api/v1/analytics/rates?from=2026-02-01T00:00:00Z&to=2026-02-03T00:00:00Z'), (r) => r.body.source === 'duckdb', 5_000);
}

describe('the DuckDB mirror in the engine', () => {
  it('follows commits, answers analytics on both paths alike, and catches up after missing rows', { timeout: 180_000 }, async () => {
    const acars = readCorpusFrames('acarshub-kabq/raw-acars-messages.jsonl');
    const vdlm = readCorpusFrames('acarshub-kabq/raw-vdlm2-messages.jsonl');
    const first = await startEngine(ENV);
    const dataDir = first.dataDir;
    const duckPath = join(dataDir, 'contrail.duckdb');
    const range = 'from=2026-02-01T00:00:00Z&to=2026-02-03T00:00:00Z';
    try {
      await sendTcpLines(first.port('ACARS', 'tcp-listen'), acars);
      await accountedFor(first.httpPort, acars.length);
      const stored = sqliteCount(dataDir);
      await mirrored(first, stored);

      // The API answers from the mirror and says so; the SQLite path gives the same answer.
      const duck = await get(first, `/api/v1/analytics/rates?${range}&resolution=1h`);
      expect(duck.status).toBe(200);
      expect(duck.body).toMatchObject({ source: 'duckdb' });
      expect(duck.body).not.toHaveProperty('fallback');
      const lite = await get(first, `/api/v1/analytics/rates?${range}&resolution=1h&source=sqlite`);
      expect(lite.body).toMatchObject({ source: 'sqlite' });
      expect(duck.body.result).toEqual(lite.body.result);
      const series = (duck.body.result as { series: { type: string; messages: number[] }[] }).series;
      expect(series.flatMap((x) => x.messages).reduce((a, b) => a + b, 0)).toBe(stored);

      // Older than the hot window: the SQLite path answers, and the reply says why.
      const old = await get(first, '/api/v1/analytics/top?from=2000-01-01T00:00:00Z&to=2000-01-02T00:00:00Z&field=flight');
      expect(old.body).toMatchObject({ source: 'sqlite', fallback: expect.stringMatching(/hot window/) });

      // Bad values are refused with a message naming them.
      const bad = await get(first, `/api/v1/analytics/rates?${range}&resolution=7m`);
      expect(bad.status).toBe(400);
      expect((bad.body.error as Json).message).toMatch(/resolution "7m": one of 1m/);
      expect((await get(first, `/api/v1/analytics/compare?${range}`)).status).toBe(401);

      const compared = await get(first, `/api/v1/analytics/compare?${range}`, true);
      expect(compared.status).toBe(200);
      expect(compared.body).toMatchObject({ differences: [], behind: null });

      // Over the WebSocket: the same answer by request and reply; errors with a code; rates on the stats topic.
      const client = await WsClient.connect(`ws://127.0.0.1:${first.httpPort}/ws`);
      const ws = await client.request({ op: 'analytics', id: 'r1', query: 'rates', from: '2026-02-01T00:00:00Z', to: '2026-02-03T00:00:00Z', resolution: '1h' });
      expect(ws).toMatchObject({ id: 'r1', ok: true, result: { source: 'duckdb', result: duck.body.result } });
      expect(await client.request({ op: 'analytics', id: 'r2', query: 'rates', resolution: '7m' })).toMatchObject({ id: 'r2', ok: false, error: { code: 'BAD_REQUEST' } });
      expect(await client.request({ op: 'analytics', id: 'r3', query: 'compare' })).toMatchObject({ id: 'r3', ok: false, error: { code: 'BAD_REQUEST' } });
      expect(await client.request({ op: 'subscribe', id: 's', topics: ['stats'] })).toMatchObject({ id: 's', ok: true });
      const stats = await client.waitForStats(15_000);
      expect(stats).toMatchObject({ rates: { source: 'duckdb', result: { step: 60 } }, mirror: { lastId: expect.any(Number) } });
      expect(((stats.rates as Json).result as { buckets: number[] }).buckets.length).toBeGreaterThanOrEqual(60);
      expect(stats).toMatchObject({ clients: { connected: 1, behind: 0 }, pipeline: { pendingBatches: expect.any(Number) } });
      // The same body on demand over HTTP.
      const onDemand = await get(first, '/api/v1/stats');
      expect(onDemand.status).toBe(200);
      expect(onDemand.body).toMatchObject({ rates: { source: 'duckdb', result: { step: 60 } }, mirror: { lastId: (stats.mirror as Json).lastId }, clients: { connected: 1 } });
      client.close();
      expect(await first.stop()).toBe(0);
    } catch (e) {
      await first.stop();
      first.cleanup();
      throw e;
    }

    // A copy of the mirror as it is now: it will miss what the next run adds.
    const older = `${duckPath}.older`;
    copyFileSync(duckPath, older);
    if (existsSync(`${duckPath}.wal`)) copyFileSync(`${duckPath}.wal`, `${older}.wal`);

    const second = await startEngine(ENV, 30_000, dataDir);
    try {
      await sendTcpLines(second.port('VDL-M2', 'tcp-listen'), vdlm);
      await accountedFor(second.httpPort, vdlm.length);
      await mirrored(second, sqliteCount(dataDir));
      expect(await second.stop()).toBe(0);
    } catch (e) {
      await second.stop();
      second.cleanup();
      throw e;
    }

    rmSync(`${duckPath}.wal`, { force: true });
    copyFileSync(older, duckPath);
    if (existsSync(`${older}.wal`)) copyFileSync(`${older}.wal`, `${duckPath}.wal`);
    const third = await startEngine(ENV, 30_000, dataDir);
    try {
      const all = sqliteCount(dataDir);
      const caughtUp = third.logs.some((l) => l.includes('mirror catching up'));
      await mirrored(third, all);
      expect(caughtUp || third.logs.some((l) => l.includes('mirror catching up'))).toBe(true);
      const compared = await get(third, `/api/v1/analytics/compare?${range}`, true);
      expect(compared.body).toMatchObject({ differences: [], behind: null });
      const top = await get(third, `/api/v1/analytics/top?${range}&field=station`);
      expect(top.body).toMatchObject({ source: 'duckdb' });
      expect((top.body.result as { top: { value: string }[] }).top.map((t) => t.value).sort()).toEqual(['CS-KABQ-ACARS', 'CS-KABQ-VDLM']);

      // contrail compare asks the running engine (it holds the DuckDB file).
      const cli = { CONTRAIL_DATA_DIR: dataDir, CONTRAIL_ADMIN_TOKEN: TOKEN, CONTRAIL_HTTP_PORT: String(third.httpPort) };
      const since = ['--since', '2026-02-01T00:00:00Z', '--until', '2026-02-03T00:00:00Z'];
      const viaEngine = await runContrail(['compare', ...since], cli);
      expect(viaEngine.stdout).toMatch(/asked the running engine/);
      expect(viaEngine.stdout).toMatch(/the same on SQLite and DuckDB/);
      expect(viaEngine.code).toBe(0);
      expect(await third.stop()).toBe(0);

      // Stopped: it reads both files itself; a mirror that lost a row is caught (exit 1).
      const viaFiles = await runContrail(['compare', '--range', '2026-02-01T00:00:00Z..2026-02-03T00:00:00Z', '--json'], cli);
      expect(viaFiles.code).toBe(0);
      expect(JSON.parse(viaFiles.stdout)).toMatchObject({ via: 'files', differences: [], behind: null, range: { from: Date.parse('2026-02-01T00:00:00Z') / 1000, to: Date.parse('2026-02-03T00:00:00Z') / 1000 } });
      const instance = await DuckDBInstance.create(duckPath);
      const conn = await instance.connect();
      await conn.run("DELETE FROM messages WHERE id = (SELECT max(id) FROM messages WHERE station_id = 'CS-KABQ-VDLM')");
      conn.closeSync();
      instance.closeSync();
      const broken = await runContrail(['compare', ...since], cli);
      expect(broken.code).toBe(1);
      expect(broken.stdout).toMatch(/differs at \$/);
      expect(broken.stdout).toMatch(/mirror behind/);
      const usage = await runContrail(['compare', '--since', 'yesterday-ish'], cli);
      expect(usage.code).toBe(2);
      expect(usage.stderr).toMatch(/--since "yesterday-ish" is not a time/);
    } finally {
      await third.stop();
      third.cleanup();
    }
  });
});
