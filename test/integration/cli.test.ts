/**
 * The command line as a user types it: help, configuration errors, start-up failures, the uWS
 * fallback, and error paths that must end in a message and the documented exit code, never a
 * stack trace.
 */
import dgram from 'node:dgram';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { runContrail, startEngine, type ContrailRun, type RunningEngine } from '../../bench/lib/engine-process.js';
import { openWriterDatabase } from '../../src/store/open-database.js';
import { applyMigrations } from '../../src/store/schema/migration-runner.js';
import { freePort } from '../helpers/free-port.js';
import { waitUntil } from '../helpers/traffic.js';

/** The documented exit code, `message` on stderr, and no Node stack trace or crash banner. */
function expectExit(r: ContrailRun, code: number, message?: string | RegExp): void {
  expect(r.timedOut, 'the command hung').toBe(false);
  expect(r.code, r.stderr).toBe(code);
  if (typeof message === 'string') expect(r.stderr).toContain(message);
  else if (message) expect(r.stderr).toMatch(message);
  expect(r.stderr).not.toMatch(/^\s+at |^Node\.js v\d|triggerUncaughtException/m);
}

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

describe('contrail CLI error paths', () => {
  let work: string;
  /** A data directory with a current schema and a few messages. */
  let dataDir: string;
  let dbPath: string;

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'contrail-cli-errors-'));
    dataDir = join(work, 'data');
    mkdirSync(dataDir);
    dbPath = join(dataDir, 'contrail.sqlite');
    const db = openWriterDatabase(dbPath);
    await applyMigrations(db);
    const insert = db.prepare("INSERT INTO messages (type, is_acars, msg_time, received_at, text, label) VALUES ('ACARS', 1, ?, 0, ?, 'H1')");
    for (let i = 0; i < 20; i++) insert.run(1_700_000_000 + i * 600, `POSITION REPORT ${i}`);
    db.pragma('wal_checkpoint(TRUNCATE)');
    db.close();
  });
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it('replay refuses a directory with exit 2, naming it', async () => {
    const dir = join(work, 'capture-dir');
    mkdirSync(dir);
    // Nothing is sent: the directory is refused first.
    const r = await runContrail(['replay', dir, '--to', `udp://127.0.0.1:${await freePort()}`, '--no-progress'], {}, { timeoutMs: 30_000 });
    expectExit(r, 2, `${dir} is a directory`);
  });

  it('replay over UDP skips and counts frames larger than the largest datagram, and sends the rest', async () => {
    const receiver = dgram.createSocket('udp4');
    const sizes: number[] = [];
    receiver.on('message', (m) => sizes.push(m.length));
    await new Promise<void>((r) => receiver.bind(0, '127.0.0.1', r));
    const to = `udp://127.0.0.1:${receiver.address().port}`;
    try {
      const file = join(work, 'oversize.jsonl');
      const frame = (bytes: number): string => {
        const head = '{"text":"';
        return `${head}${'x'.repeat(bytes - head.length - 2)}"}`;
      };
      // The largest IPv4 datagram's payload is 65,507 bytes: one byte over it is skipped.
      writeFileSync(file, [frame(65_508), frame(100), frame(65_507), frame(1_000_000)].join('\n') + '\n');
      const r = await runContrail(['replay', file, '--to', to, '--json'], {}, { timeoutMs: 30_000 });
      expectExit(r, 0, /\| 2 skipped \|/);
      expect(JSON.parse(r.stdout)).toMatchObject({ frames: 2, skippedOversize: 2, cutOff: 0, maxFrameBytes: 65_507 });
      await waitUntil('2 datagrams at the receiver', async () => sizes.length, (n) => n >= 2, 5_000);
      expect(sizes).toEqual([100, 65_507]);

      const text = await runContrail(['replay', file, '--to', to, '--no-progress'], {}, { timeoutMs: 30_000 });
      expectExit(text, 0);
      expect(text.stdout).toMatch(new RegExp(`^sent 2 frames to ${to.replace(/\./g, '\\.')} .*, 2 objects over 65507 bytes skipped \\(larger than the largest UDP datagram\\)\\n$`));
    } finally {
      receiver.close();
    }
  });

  it('export refuses an --out under a regular file, naming the file, exit 1', async () => {
    const file = join(work, 'afile');
    writeFileSync(file, 'not a directory\n');
    const r = await runContrail(['export', 'parquet', '--since', 'all', '--out', join(file, 'sub'), '--no-progress'], { CONTRAIL_DATA_DIR: dataDir }, { timeoutMs: 30_000 });
    expectExit(r, 1, `--out ${join(file, 'sub')}: ${file} is a file, not a directory`);
  });

  it.skipIf(process.platform !== 'linux')('export refuses an --out it cannot create (/sys), exit 1, leaving nothing there', async () => {
    const r = await runContrail(['export', 'parquet', '--since', 'all', '--out', '/sys/nope', '--no-progress'], { CONTRAIL_DATA_DIR: dataDir }, { timeoutMs: 30_000 });
    expectExit(r, 1, '--out /sys/nope cannot be written:');
    expect(readdirSync('/sys').filter((f) => f.includes('nope'))).toEqual([]);
  });

  it.skipIf(process.platform !== 'linux')('export fails fast on an --out under /proc, where mkdir -p would retry forever', async () => {
    const started = performance.now();
    const r = await runContrail(['export', 'parquet', '--since', 'all', '--out', '/proc/nope/deeper', '--no-progress'], { CONTRAIL_DATA_DIR: dataDir }, { timeoutMs: 20_000 });
    expectExit(r, 1, '--out /proc/nope/deeper cannot be written:');
    expect(performance.now() - started).toBeLessThan(15_000);
    const direct = await runContrail(['export', 'parquet', '--since', 'all', '--out', '/proc/nope', '--no-progress'], { CONTRAIL_DATA_DIR: dataDir }, { timeoutMs: 20_000 });
    expectExit(direct, 1, '--out /proc/nope cannot be written:');
  });

  it('compare names the engine holding the lock and the address when nothing answers there, exit 1', async () => {
    // This test process stands in for an engine that holds the lock but listens elsewhere.
    const lock = `${dbPath}.engine.lock`;
    writeFileSync(lock, JSON.stringify({ pid: process.pid, host: hostname(), command: 'contrail serve', since: Date.now() }));
    // A port nothing listens on.
    const port = await freePort();
    try {
      const r = await runContrail(['compare'], {
        CONTRAIL_DATA_DIR: dataDir,
        CONTRAIL_HTTP_HOST: '127.0.0.1',
        CONTRAIL_HTTP_PORT: String(port),
        CONTRAIL_ADMIN_TOKEN: 'cli-test-token-0123456789',
      }, { timeoutMs: 30_000 });
      expectExit(r, 1, `pid ${process.pid} on ${hostname()}`);
      expect(r.stderr).toContain(`could not be reached at http://127.0.0.1:${port}`);
      expect(r.stderr).toMatch(/CONTRAIL_HTTP_HOST and CONTRAIL_HTTP_PORT .*or stop it/);
      expect(r.stderr).not.toContain('fetch failed');
    } finally {
      rmSync(lock, { force: true });
    }
  });

  it('redecode without a database says so with exit 2 and creates nothing', async () => {
    const parent = mkdtempSync(join(tmpdir(), 'contrail-cli-nodb-'));
    try {
      const missing = join(parent, 'nx');
      const r = await runContrail(['redecode', '--since', 'all', '--no-progress'], { CONTRAIL_DATA_DIR: missing }, { timeoutMs: 30_000 });
      expectExit(r, 2, `no database at ${join(missing, 'contrail.sqlite')}`);
      expect(readdirSync(parent)).toEqual([]);
      mkdirSync(missing);
      const again = await runContrail(['redecode', '--since', 'all', '--no-progress'], { CONTRAIL_DATA_DIR: missing }, { timeoutMs: 30_000 });
      expectExit(again, 2, `no database at ${join(missing, 'contrail.sqlite')}`);
      expect(readdirSync(missing)).toEqual([]);
    } finally {
      rmSync(parent, { recursive: true, force: true });
    }
  });

  it("exits 2 on the argument parser's own usage errors, keeping its message", async () => {
    // Nothing is sent: the arguments are refused first.
    const to = `udp://127.0.0.1:${await freePort()}`;
    const cases: [string[], string][] = [
      [['replay', 'capture.jsonl'], "required option '--to <url>' not specified"],
      [['redecode'], "required option '--since <when>' not specified"],
      [['export', 'parquet'], "required option '--since <when>' not specified"],
      [['replay', 'capture.jsonl', '--to', to, '--nope'], "unknown option '--nope'"],
      [['replay', 'a.jsonl', 'b.jsonl', '--to', to], 'too many arguments'],
      [['bogus'], "unknown command 'bogus'"],
      [['alerts', 'remove'], "missing required argument 'term'"],
    ];
    for (const [args, message] of cases) {
      const r = await runContrail(args, { CONTRAIL_DATA_DIR: dataDir }, { timeoutMs: 30_000 });
      expectExit(r, 2, message);
    }
    const help = await runContrail(['export', 'parquet', '--help'], {}, { timeoutMs: 30_000 });
    expect(help.code).toBe(0);
  });

  it('alerts remove of a term that does not exist exits 2 (not found), naming it', async () => {
    const r = await runContrail(['alerts', 'remove', 'NOSUCH'], { CONTRAIL_DATA_DIR: dataDir }, { timeoutMs: 30_000 });
    expectExit(r, 2, 'no alert term "NOSUCH"');
  });
});
