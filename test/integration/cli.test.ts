/** The command line as a user types it: help, configuration errors, start-up failures, the uWS fallback. */
import dgram from 'node:dgram';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runContrail, startEngine, type RunningEngine } from '../../bench/lib/engine-process.js';

describe('contrail CLI', () => {
  let engine: RunningEngine | null = null;
  afterEach(async () => {
    await engine?.stop();
    engine?.cleanup();
    engine = null;
  });

  it('lists every command in --help', async () => {
    const { code, stdout } = await runContrail(['--help']);
    expect(code).toBe(0);
    for (const command of ['serve', 'replay', 'config']) expect(stdout).toMatch(new RegExp(`^\\s+${command}\\b`, 'm'));
    const replay = await runContrail(['replay', '--help']);
    expect(replay.stdout).toContain('--rate <n>');
    expect(replay.stdout).toContain('--to <url>');
  });

  it('refuses to start on invalid values, naming each value and what is allowed', async () => {
    const dataDir = join(mkdtempSync(join(tmpdir(), 'contrail-cli-')), 'never-created');
    const { code, stderr } = await runContrail(['serve'], {
      CONTRAIL_DATA_DIR: dataDir,
      CONTRAIL_HTTP_PORT: '80a',
      ACARS_CONNECTIONS: 'udp://0.0.0.0:99999',
      ENABLE_ACARS: 'maybe',
      CONTRAIL_BATCH_MAX_FRAME: '12',
    });
    expect(code).toBe(2);
    expect(stderr).toMatch(/CONTRAIL_HTTP_PORT="80a".*0 to 65535/);
    expect(stderr).toMatch(/ENABLE_ACARS="maybe".*true/);
    expect(stderr).toMatch(/CONTRAIL_BATCH_MAX_FRAME.*did you mean CONTRAIL_BATCH_MAX_FRAMES/);
    expect(existsSync(dataDir)).toBe(false);
    rmSync(join(dataDir, '..'), { recursive: true, force: true });
  });

  it('prints the configuration an ACARS Hub environment gives', async () => {
    const { code, stdout } = await runContrail(['config'], {
      ENABLE_ACARS: 'true',
      ENABLE_HFDL: 'yes',
      ACARS_CONNECTIONS: 'udp,tcp://router.local:15550',
      HFDL_CONNECTIONS: 'zmq://127.0.0.1:45556',
    });
    expect(code).toBe(0);
    const config = JSON.parse(stdout) as { sources: { type: string; kind: string; port: number }[] };
    expect(config.sources.map((s) => [s.type, s.kind, s.port])).toEqual([
      ['ACARS', 'udp', 5550],
      ['ACARS', 'tcp-connect', 15550],
      ['HFDL', 'zmq', 45556],
    ]);
  });

  it('rejects a bad replay destination and a missing file with exit code 2', async () => {
    const bad = await runContrail(['replay', 'whatever.jsonl', '--to', 'http://127.0.0.1:5550']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--to "http://127.0.0.1:5550"');
    const missing = await runContrail(['replay', '/nonexistent/capture.jsonl', '--to', 'udp://127.0.0.1:5550']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('/nonexistent/capture.jsonl');
  });

  it('fails start-up with a message naming the source whose port is taken', async () => {
    const squatter = dgram.createSocket('udp4');
    await new Promise<void>((r) => squatter.bind(0, '127.0.0.1', r));
    const port = squatter.address().port;
    const dataDir = mkdtempSync(join(tmpdir(), 'contrail-cli-'));
    try {
      const { code, stdout } = await runContrail(['serve'], {
        CONTRAIL_DATA_DIR: dataDir,
        CONTRAIL_HTTP_HOST: '127.0.0.1',
        CONTRAIL_HTTP_PORT: '0',
        ENABLE_ACARS: 'on',
        ACARS_CONNECTIONS: `udp://127.0.0.1:${port}`,
      });
      expect(code).toBe(1);
      expect(stdout).toContain(`cannot start ACARS source \\"udp://127.0.0.1:${port}\\"`);
      expect(stdout).toContain('already in use');
    } finally {
      squatter.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('says loudly when uWebSockets.js runs on its JavaScript fallback', async () => {
    engine = await startEngine({ UWS_USE_FALLBACK: '1', ENABLE_ACARS: '1', ACARS_CONNECTIONS: 'udp://127.0.0.1:0' });
    expect(engine.logs.some((l) => l.includes('"level":50') && l.includes('native binary did NOT load'))).toBe(true);
    const health = (await (await fetch(`http://127.0.0.1:${engine.httpPort}/healthz`)).json()) as { uws: string };
    expect(health.uws).toBe('fallback');
  });
});
