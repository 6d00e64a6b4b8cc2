/**
 * The HTTP/WebSocket port is the engine's own: uWS listens with SO_REUSEPORT unless told not to,
 * and a second engine on the same port would start and take half the connections.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runContrail, startEngine } from '../../bench/lib/engine-process.js';
import { freePort } from '../helpers/free-port.js';

describe('HTTP port', () => {
  it('refuses to start a second engine on a port another engine holds, naming it', { timeout: 60_000 }, async () => {
    const first = await startEngine({ ENABLE_ACARS: '1', ACARS_CONNECTIONS: 'udp://127.0.0.1:0', CONTRAIL_HTTP_PORT: String(await freePort()) });
    const dataDir = mkdtempSync(join(tmpdir(), 'contrail-port-'));
    try {
      const { code, stdout } = await runContrail(['serve'], {
        CONTRAIL_DATA_DIR: dataDir,
        CONTRAIL_HTTP_HOST: '127.0.0.1',
        CONTRAIL_HTTP_PORT: String(first.httpPort),
        ENABLE_ACARS: '1',
        ACARS_CONNECTIONS: 'udp://127.0.0.1:0',
      });
      expect(code).toBe(1);
      expect(stdout).toContain(`cannot listen for HTTP/WebSocket on 127.0.0.1:${first.httpPort}`);
      expect(stdout).toContain('CONTRAIL_ERR_LISTEN');
      // The first engine still answers.
      expect((await fetch(`http://127.0.0.1:${first.httpPort}/healthz`)).status).toBe(200);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
      expect(await first.stop()).toBe(0);
      first.cleanup();
    }
  });
});
