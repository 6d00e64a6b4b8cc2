/**
 * Limits against abuse on the WebSocket, through the engine: connections past the maximum are
 * refused at the upgrade, and requests past a client's rate get a RATE_LIMITED reply (still one
 * reply per request, the connection kept).
 */
import { describe, expect, it } from 'vitest';
import { startEngine } from '../../bench/lib/engine-process.js';
import { scrape, total } from '../../bench/lib/metrics-scrape.js';
import { type Json } from '../helpers/engine-http.js';
import { waitUntil } from '../helpers/traffic.js';
import { tryOpen, WsClient } from '../helpers/ws-client.js';


describe('WebSocket limits', () => {
  it('refuses connections past the maximum and requests past the rate', { timeout: 60_000 }, async () => {
    const rate = 5;
    const burst = 2 * rate;
    const engine = await startEngine({ ENABLE_ACARS: '1', ACARS_CONNECTIONS: 'tcp-listen://127.0.0.1:0', CONTRAIL_WS_MAX_CLIENTS: '3', CONTRAIL_WS_REQUESTS_PER_SECOND: String(rate) });
    try {
      const url = `ws://127.0.0.1:${engine.httpPort}/ws`;
      const clients = [await WsClient.connect(url), await WsClient.connect(url), await WsClient.connect(url)];
      expect(await tryOpen(url)).toMatch(/503/);
      expect(total(await scrape(engine.httpPort), 'contrail_ws_refused_total', 'reason="max-clients"')).toBe(1);

      // 30 requests at once: the burst (2 x rate) runs, the rest are refused, each with its own reply.
      // The budget refills while a slow machine works through them: at most `rate` a second of the span.
      const client = clients[0]!;
      const t0 = performance.now();
      const replies = await Promise.all(Array.from({ length: 30 }, (_, i) => client.request({ op: 'ping', id: i + 1 })));
      const spanSeconds = (performance.now() - t0) / 1000;
      expect(replies.map((r) => r.id)).toEqual(Array.from({ length: 30 }, (_, i) => i + 1));
      const limited = replies.filter((r) => r.ok === false);
      const ok = replies.filter((r) => r.ok === true).length;
      expect(ok).toBeGreaterThanOrEqual(burst);
      expect(ok, `${ok} served in ${spanSeconds.toFixed(3)} s`).toBeLessThanOrEqual(burst + Math.ceil(spanSeconds * rate) + 1);
      expect(limited.length).toBeGreaterThan(0);
      expect(limited.every((r) => (r.error as Json).code === 'RATE_LIMITED')).toBe(true);
      expect(total(await scrape(engine.httpPort), 'contrail_ws_rate_limited_total')).toBe(limited.length);
      // The budget refills: a second later the client is served again.
      await new Promise((r) => setTimeout(r, 1100));
      expect(await client.request({ op: 'ping', id: 'again' })).toMatchObject({ id: 'again', ok: true });

      // A freed slot takes a new client.
      clients[2]!.close();
      await clients[2]!.waitForClose();
      await waitUntil('the engine to count 2 clients', () => scrape(engine.httpPort), (m) => total(m, 'contrail_ws_clients') === 2, 10_000);
      const next = await WsClient.connect(url);
      expect(await next.request({ op: 'ping', id: 'new' })).toMatchObject({ ok: true });
      next.close();
      for (const c of clients.slice(0, 2)) c.close();
      expect(await engine.stop()).toBe(0);
    } finally {
      await engine.stop();
      engine.cleanup();
    }
  });
});
