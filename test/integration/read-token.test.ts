/**
 * A read token, through the engine: with CONTRAIL_READ_TOKEN set, the JSON API's reads and the
 * WebSocket need it (or the admin token); health, readiness and metrics stay open; admin writes
 * still need the admin token; neither token appears in the engine's logs.
 */
import { describe, expect, it } from 'vitest';
import { runContrail, startEngine } from '../../bench/lib/engine-process.js';
import { scrape, total } from '../../bench/lib/metrics-scrape.js';
import { waitUntil } from '../helpers/traffic.js';
import { tryOpen } from '../helpers/ws-client.js';

const READ = 'read-token-0123456789abcdef';
const ADMIN = 'admin-token-0123456789abcdef';

describe('a read token', () => {
  it('guards reads over HTTP and the WebSocket, and is never logged', { timeout: 60_000 }, async () => {
    const engine = await startEngine({ ENABLE_ACARS: '1', ACARS_CONNECTIONS: 'tcp-listen://127.0.0.1:0', CONTRAIL_READ_TOKEN: READ, CONTRAIL_ADMIN_TOKEN: ADMIN });
    try {
      const base = `http://127.0.0.1:${engine.httpPort}`;
      const get = (path: string, token?: string): Promise<number> => fetch(`${base}${path}`, token ? { headers: { authorization: `Bearer ${token}` } } : {}).then((r) => r.status);
      // The analytics answer once the mirror has caught up (503 until then).
      await waitUntil('analytics ready', () => get('/api/v1/analytics/rates', READ), (status) => status === 200, 20_000);
      for (const path of ['/api/v1/messages?limit=5', '/api/v1/search?text=hello', '/api/v1/analytics/rates', '/api/v1/alerts/terms', '/api/v1/db/status']) {
        expect(await get(path), path).toBe(401);
        expect(await get(path, 'wrong-token-0123456789abcdef'), path).toBe(401);
        expect(await get(path, READ), path).toBe(200);
        expect(await get(path, ADMIN), path).toBe(200);
      }
      expect(await get('/healthz')).toBe(200);
      expect(await get('/readyz')).toBe(200);
      expect(await get('/metrics')).toBe(200);
      // A read token is not an admin token.
      const write = await fetch(`${base}/api/v1/alerts/terms`, { method: 'POST', headers: { authorization: `Bearer ${READ}` }, body: JSON.stringify({ term: 'X' }) });
      expect(write.status).toBe(401);

      const ws = `ws://127.0.0.1:${engine.httpPort}/ws`;
      expect(await tryOpen(ws)).toMatch(/401/);
      expect(await tryOpen(ws, { protocols: ['contrail.token.wrong-token-0123456789'] })).toMatch(/401/);
      expect(await tryOpen(ws, { protocols: [`contrail.token.${READ}`] })).toBe(`open contrail.token.${READ}`);
      expect(await tryOpen(ws, { headers: { authorization: `Bearer ${ADMIN}` } })).toBe('open ');
      expect(total(await scrape(engine.httpPort), 'contrail_ws_refused_total', 'reason="token"')).toBe(2);

      expect(await engine.stop()).toBe(0);
      const logs = engine.logs.join('\n');
      expect(logs).not.toContain(READ);
      expect(logs).not.toContain(ADMIN);
    } finally {
      await engine.stop();
      engine.cleanup();
    }
  });

  it('refuses a read token that a browser could not offer, without echoing it', async () => {
    const { loadConfig } = await import('../../src/config/load-config.js');
    expect(() => loadConfig({ CONTRAIL_READ_TOKEN: 'short' }, '/')).toThrow(/CONTRAIL_READ_TOKEN: must be at least 16 characters/);
    let message = '';
    try {
      loadConfig({ CONTRAIL_READ_TOKEN: 'has spaces and / slashes 123456' }, '/');
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toMatch(/CONTRAIL_READ_TOKEN/);
    expect(message).not.toContain('slashes');
    const shown = await runContrail(['config'], { CONTRAIL_READ_TOKEN: READ, CONTRAIL_ADMIN_TOKEN: ADMIN });
    expect(shown.code).toBe(0);
    expect(shown.stdout).toMatch(/"readToken": "\(set\)"/);
    expect(shown.stdout + shown.stderr).not.toContain(READ);
  });
});
