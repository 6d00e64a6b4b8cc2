/**
 * Backups and restores asked at the same time, through the running engine. A restore closes the
 * database for a while; a backup must never run under that. An unknown id is refused (404)
 * before anything changes, so a backup beside it succeeds; a restore of a real backup waits for
 * a backup in progress, and both succeed. The same over the WebSocket.
 */
import { describe, expect, it } from 'vitest';
import { startEngine, type RunningEngine } from '../../bench/lib/engine-process.js';
import { apiRequest, type Json } from '../helpers/engine-http.js';
import { accountedFor, sendTcpLines, taggedFrame } from '../helpers/traffic.js';
import { WsClient } from '../helpers/ws-client.js';

const TOKEN = 'backup-race-admin-token-0123456789';
const ENV = { ENABLE_ACARS: '1', ACARS_CONNECTIONS: 'tcp-listen://127.0.0.1:0', CONTRAIL_ADMIN_TOKEN: TOKEN, CONTRAIL_BACKUP_KEEP: '50' };
/** The restore is sent this long after the backup: from "together" to "well into the backup". */
const DELAYS_MS = [0, 1, 2, 3, 5, 8, 12, 20];

const post = (engine: RunningEngine, path: string): Promise<{ status: number; body: Json }> => apiRequest(engine, path, { method: 'POST', token: TOKEN });

/** A backup, and `delayMs` later a restore of `id`, both in flight together. */
async function together(engine: RunningEngine, id: string, delayMs: number): Promise<[{ status: number; body: Json }, { status: number; body: Json }]> {
  const backup = post(engine, '/api/v1/db/backups');
  await new Promise((r) => setTimeout(r, delayMs));
  const restore = post(engine, `/api/v1/db/restore/${encodeURIComponent(id)}`);
  return Promise.all([backup, restore]);
}

describe('a backup and a restore at the same time', () => {
  it('never fails the backup: an unknown id is 404 at once, a real restore waits its turn', { timeout: 180_000 }, async () => {
    const engine = await startEngine(ENV);
    let client: WsClient | null = null;
    try {
      // A few MB, so that a backup takes several steps of the online backup API.
      const frames = Array.from({ length: 3000 }, (_, i) => taggedFrame('RACE', 'race', i, 1500));
      await sendTcpLines(engine.port('ACARS', 'tcp-listen'), frames);
      await accountedFor(engine.httpPort, frames.length);

      for (const delay of DELAYS_MS) {
        const [backup, restore] = await together(engine, 'nope', delay);
        expect({ delay, status: restore.status, code: (restore.body.error as Json | undefined)?.code }).toEqual({ delay, status: 404, code: 'CONTRAIL_ERR_NOT_FOUND' });
        expect({ delay, status: backup.status, body: backup.body }).toMatchObject({ delay, status: 201, body: { id: expect.any(String), reason: 'api' } });
      }

      for (const delay of DELAYS_MS.slice(0, 4)) {
        const base = await post(engine, '/api/v1/db/backups');
        expect(base.status).toBe(201);
        const [backup, restore] = await together(engine, String(base.body.id), delay);
        expect({ delay, status: backup.status, body: backup.body }).toMatchObject({ delay, status: 201, body: { id: expect.any(String) } });
        expect({ delay, status: restore.status, body: restore.body }).toMatchObject({ delay, status: 200, body: { restored: { id: base.body.id }, mode: 'ready' } });
      }

      // The WebSocket's operations answer the same way.
      client = await WsClient.connect(`ws://127.0.0.1:${engine.httpPort}/ws`);
      expect(await client.request({ op: 'auth', id: 'a', token: TOKEN })).toMatchObject({ ok: true });
      for (let i = 0; i < 4; i++) {
        const backup = client.request({ op: 'db.backup', id: `b${i}` });
        await new Promise((r) => setTimeout(r, i));
        const restore = client.request({ op: 'db.restore', id: `r${i}`, backup: 'nope' });
        expect(await restore).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
        expect(await backup).toMatchObject({ ok: true, result: { id: expect.any(String) } });
      }

      // The engine is whole afterwards.
      expect((await apiRequest(engine, '/readyz')).status).toBe(200);
      client.close();
      client = null;
      expect(await engine.stop()).toBe(0);
    } finally {
      client?.close();
      await engine.stop();
      engine.cleanup();
    }
  });
});
