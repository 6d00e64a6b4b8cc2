/**
 * Analytics across an API restore in the running engine: after `POST /api/v1/db/restore/:id`
 * the analytics thread reads the restored file (not the replaced one it had open) and rebuilds
 * the DuckDB mirror from it, with progress on the `database` topic; frames received afterwards
 * reach both analytics paths, and the mirror's lastId and lag follow the database again.
 */
import { describe, expect, it } from 'vitest';
import { startEngine, type RunningEngine } from '../../bench/lib/engine-process.js';
import { scrape, total } from '../../bench/lib/metrics-scrape.js';
import { withEngineDb } from '../helpers/engine-db.js';
import { apiRequest, type Json } from '../helpers/engine-http.js';
import { sendTcpLines, taggedFrame, waitUntil } from '../helpers/traffic.js';
import { WsClient } from '../helpers/ws-client.js';

const TOKEN = 'restore-analytics-admin-token-0123';
const ENV = { ENABLE_ACARS: '1', ACARS_CONNECTIONS: 'tcp-listen://127.0.0.1:0', CONTRAIL_ADMIN_TOKEN: TOKEN };

/** Frames with message times of now (inside the mirror's 7-day window), one station per phase. */
const frames = (station: string, count: number): string[] => Array.from({ length: count }, (_, i) => taggedFrame(station, station.toLowerCase(), i));

/** What SQLite holds now, read beside the engine: per station, and the newest id. */
function stored(engine: RunningEngine): { byStation: Record<string, number>; maxId: number; count: number } {
  return withEngineDb(engine, (d) => {
    const rows = d.prepare('SELECT station_id AS station, count(*) AS n FROM messages GROUP BY station_id').all() as { station: string; n: number }[];
    const { maxId, count } = d.prepare('SELECT max(id) AS maxId, count(*) AS count FROM messages').get() as { maxId: number; count: number };
    return { byStation: Object.fromEntries(rows.map((r) => [r.station, r.n])), maxId, count };
  });
}

const topStations = (engine: RunningEngine, source?: 'sqlite'): Promise<{ status: number; body: Json }> =>
  apiRequest(engine, `/api/v1/analytics/top?from=2h&field=station&limit=50${source ? `&source=${source}` : ''}`);

function byStation(body: Json): Record<string, number> {
  return Object.fromEntries((body.result as { top: { value: string; messages: number }[] }).top.map((t) => [t.value, t.messages]));
}

/** Until SQLite holds `count` messages. */
function storedCount(engine: RunningEngine, count: number): Promise<unknown> {
  return waitUntil(`${count} messages stored`, () => Promise.resolve(stored(engine).count), (n) => n === count, 30_000);
}

/** Until the mirror answers the last two hours itself (no fallback) with exactly what SQLite holds. */
function mirrorMatches(engine: RunningEngine, expected: Record<string, number>): Promise<{ status: number; body: Json }> {
  return waitUntil(
    `the mirror to answer ${JSON.stringify(expected)}`,
    () => topStations(engine),
    (r) => r.body.source === 'duckdb' && r.body.fallback === undefined && JSON.stringify(byStation(r.body)) === JSON.stringify(expected),
    20_000,
  );
}

describe('analytics after an API restore', () => {
  it('read the restored database and rebuild the mirror from it; new frames reach both paths', { timeout: 120_000 }, async () => {
    const engine = await startEngine(ENV);
    const port = engine.port('ACARS', 'tcp-listen');
    let client: WsClient | null = null;
    try {
      await sendTcpLines(port, frames('PHASE-A', 200));
      await storedCount(engine, 200);
      await mirrorMatches(engine, { 'PHASE-A': 200 });

      const backup = await apiRequest(engine, '/api/v1/db/backups', { method: 'POST', token: TOKEN });
      expect(backup.status).toBe(201);

      // Received after the backup: the restore replays them from the journal.
      await sendTcpLines(port, frames('PHASE-B', 100));
      await storedCount(engine, 300);
      await mirrorMatches(engine, { 'PHASE-A': 200, 'PHASE-B': 100 });

      client = await WsClient.connect(`ws://127.0.0.1:${engine.httpPort}/ws`);
      expect(await client.request({ op: 'subscribe', id: 's', topics: ['database'] })).toMatchObject({ ok: true });
      const restored = await apiRequest(engine, `/api/v1/db/restore/${String(backup.body.id)}`, { method: 'POST', token: TOKEN });
      expect(restored.status).toBe(200);
      expect(restored.body).toMatchObject({ restored: { id: backup.body.id }, mode: 'ready' });
      // The mirror is rebuilt from the restored file, with progress like at start.
      const rebuilt = await client.waitForEvent((e) => e.event === 'mirror-catch-up' && e.done === true, 30_000);
      expect(rebuilt).toMatchObject({ percent: 100 });

      // New frames, after the restore: in the restored file, and in analytics on both paths.
      await sendTcpLines(port, frames('PHASE-C', 50));
      await storedCount(engine, 350);
      const db = stored(engine);
      expect(db.byStation).toEqual({ 'PHASE-A': 200, 'PHASE-B': 100, 'PHASE-C': 50 });
      const duck = await mirrorMatches(engine, db.byStation);
      expect(duck.status).toBe(200);
      const lite = await topStations(engine, 'sqlite');
      expect(lite.body).toMatchObject({ source: 'sqlite' });
      expect(byStation(lite.body)).toEqual(db.byStation);
      const compared = await apiRequest(engine, '/api/v1/analytics/compare?from=2h', { token: TOKEN });
      expect(compared.body).toMatchObject({ differences: [], behind: null });

      // The mirror follows the restored database: its newest id, its row count, no growing lag.
      const stats = await waitUntil(
        'the mirror state to follow the restored database',
        () => apiRequest(engine, '/api/v1/stats'),
        (r) => {
          const m = r.body.mirror as { lastId: number; rows: number; lagMs: number };
          return m.lastId === db.maxId && m.rows === db.count && m.lagMs < 1000;
        },
        15_000,
      );
      expect(stats.body.rates).toMatchObject({ source: 'duckdb' });
      const ready = await apiRequest(engine, '/readyz');
      expect(ready.body).toMatchObject({ ok: true, analytics: { mirror: { lastId: db.maxId, rows: db.count } } });
      const metrics = await waitUntil('mirror lag under a second', () => scrape(engine.httpPort), (s) => total(s, 'contrail_mirror_lag_seconds') < 1, 15_000);
      expect(total(metrics, 'contrail_mirror_rows')).toBe(db.count);

      client.close();
      client = null;
      expect(await engine.stop()).toBe(0);
      expect(engine.logs.filter((l) => /"level":(50|60)/.test(l))).toEqual([]);
    } finally {
      client?.close();
      await engine.stop();
      engine.cleanup();
    }
  });
});
