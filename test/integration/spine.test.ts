/**
 * The whole spine, end to end, as a user runs it: the engine is a child process (`contrail serve`)
 * on free ports with a temp data dir; frames arrive over UDP (sent by `contrail replay`), over a
 * TCP listener (glued, split at random, with bad frames mixed in), over a TCP connection the
 * engine makes to a feeder (which drops it once), and over ZMQ; real WebSocket clients watch.
 * At the end the SQLite file must hold exactly what the clients saw.
 */
import { readFileSync } from 'node:fs';
import net from 'node:net';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Publisher } from 'zeromq';
import { normalizeFrame } from '../../src/decode/normalize.js';
import { corpusDir, readCorpusFrames, splitFrames } from '../helpers/corpus.js';
import { CORPUS_FILES } from '../../bench/lib/corpus.js';
import { runContrail, startEngine, type RunningEngine } from '../../bench/lib/engine-process.js';
import { waitUntil } from '../helpers/traffic.js';
import { WsClient } from '../helpers/ws-client.js';
import { MIGRATIONS } from '../../migrations/index.js';

const LATEST_MIGRATION = Object.keys(MIGRATIONS).sort().at(-1);

const fixtures = new URL('../fixtures/', import.meta.url).pathname;

/** Deterministic PRNG so a failure can be replayed. */
function mulberry32(seed: number): () => number {
  let a = seed;
  return () => {
    a |= 0;
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function typeOf(frame: string, hint: string): string {
  const r = normalizeFrame(JSON.parse(frame), hint as never, Date.now());
  if (!r.ok) throw new Error(`corpus frame does not normalize: ${r.reason}`);
  return r.message.type;
}

/** Expected stored messages per type, grown as each test sends frames. */
const expected = new Map<string, number>();
function expect_(frames: string[], hint: string): void {
  for (const f of frames) {
    const t = typeOf(f, hint);
    expected.set(t, (expected.get(t) ?? 0) + 1);
  }
}
function expectedTotal(): number {
  let n = 0;
  for (const v of expected.values()) n += v;
  return n;
}


describe('the spine: frames in, stored and streamed live', () => {
  let engine: RunningEngine;
  let feeder: net.Server;
  let feederPort: number;
  const feederConnections: net.Socket[] = [];
  let onFeederConnection: (() => void) | null = null;
  let zmq: Publisher;
  let zmqPort: number;
  let all: WsClient;
  let hfdlOnly: WsClient;
  let overlapping: WsClient;

  beforeAll(async () => {
    feeder = net.createServer((s) => {
      feederConnections.push(s);
      onFeederConnection?.();
    });
    await new Promise<void>((r) => feeder.listen(0, '127.0.0.1', r));
    feederPort = (feeder.address() as net.AddressInfo).port;
    zmq = new Publisher();
    await zmq.bind('tcp://127.0.0.1:*');
    zmqPort = Number(/:(\d+)$/.exec(zmq.lastEndpoint!)![1]);

    engine = await startEngine({
      ACARS_CONNECTIONS: 'udp://127.0.0.1:0,tcp-listen://127.0.0.1:0',
      VDLM_CONNECTIONS: `udp://127.0.0.1:0,tcp-listen://127.0.0.1:0,tcp://127.0.0.1:${feederPort}`,
      HFDL_CONNECTIONS: 'udp://127.0.0.1:0,tcp-listen://127.0.0.1:0',
      IMSL_CONNECTIONS: `udp://127.0.0.1:0,zmq://127.0.0.1:${zmqPort}`,
      IRDM_CONNECTIONS: 'udp://127.0.0.1:0',
      CONTRAIL_TCP_RECONNECT_MS: '100',
      // This test accounts for every frame sent: dedup (which stores the corpus's repeats once) is
      // tested on its own in dedup.test.ts.
      CONTRAIL_DEDUP_WINDOW_SECONDS: '0',
      // Several decode threads and small batches: results come back out of order, and the
      // engine must still commit and publish in the order frames arrived.
      CONTRAIL_DECODE_THREADS: '3',
      CONTRAIL_BATCH_MAX_FRAMES: '16',
    });
    const url = `ws://127.0.0.1:${engine.httpPort}/ws`;
    all = await WsClient.connect(url);
    hfdlOnly = await WsClient.connect(url);
    overlapping = await WsClient.connect(url);
    expect(await all.request({ op: 'subscribe', id: 1, topics: ['messages'] })).toEqual({ id: 1, ok: true });
    expect(await hfdlOnly.request({ op: 'subscribe', id: 'h', topics: ['messages:HFDL'] })).toEqual({ id: 'h', ok: true });
    expect(await overlapping.request({ op: 'subscribe', id: 2, topics: ['messages:ACARS', 'messages'] })).toEqual({ id: 2, ok: true });
  });

  afterAll(async () => {
    for (const c of [all, hfdlOnly, overlapping]) c?.close();
    await engine?.stop();
    engine?.cleanup();
    for (const s of feederConnections) s.destroy();
    feeder?.close();
    zmq?.close();
  });

  it('reports the native uWebSockets.js binary in /healthz', async () => {
    const health = (await (await fetch(`http://127.0.0.1:${engine.httpPort}/healthz`)).json()) as Record<string, unknown>;
    expect(health).toMatchObject({ ok: true, status: 'ok', uws: 'native', schema: { current: LATEST_MIGRATION, target: LATEST_MIGRATION, pending: [] } });
  });

  // Ten `contrail replay` processes, each a node start-up, on a 2-core machine.
  it('stores and publishes every corpus frame sent over UDP by `contrail replay`', { timeout: 180_000 }, async () => {
    for (const [file, type] of CORPUS_FILES) {
      const frames = readCorpusFrames(file);
      const port = engine.port(type, 'udp');
      const run = await runContrail(['replay', join(corpusDir, file), '--to', `udp://127.0.0.1:${port}`, '--rate', '4000', '--json', '--no-progress']);
      expect(run.code, run.stderr).toBe(0);
      expect(JSON.parse(run.stdout)).toMatchObject({ frames: frames.length, cutOff: 0 });
      expect_(frames, type);
      await all.waitForCount(expectedTotal());
    }
    for (const [file, type] of [
      ['imsl-satdump.jsonl', 'IMS-L'],
      ['imsl-jaero.jsonl', 'IMS-L'],
      ['irdm-iridium-toolkit.jsonl', 'IRDM'],
    ] as const) {
      const run = await runContrail(['replay', fixtures + file, '--to', `udp://127.0.0.1:${engine.port(type, 'udp')}`, '--json', '--no-progress']);
      expect(run.code, run.stderr).toBe(0);
      expect_(readCorpusFramesAbs(fixtures + file), type);
    }
    await all.waitForCount(expectedTotal());
    expect(all.messages).toHaveLength(expectedTotal());
  });

  it('frames a TCP stream with glued, split, cut-off, oversize and non-UTF-8 input', async () => {
    const rand = mulberry32(20260221);
    const frames = [...readCorpusFrames('acarshub-kabq/raw-hfdl-messages.jsonl'), ...readCorpusFrames('acarshub-kabq/raw-vdlm2-messages.jsonl').slice(0, 100)];
    const long = frames.find((f) => f.length > 2000)!;
    const separators = ['', '\n', '\n\n', '\r\n'];
    const parts: Buffer[] = [];
    frames.forEach((f, k) => {
      parts.push(Buffer.from(f), Buffer.from(separators[Math.floor(rand() * separators.length)]!));
      if (k === 50) parts.push(Buffer.from(long.slice(0, 1024) + '\n')); // cut off at 1 KiB, as real captures are
      if (k === 60) parts.push(Buffer.from('this is not json\n'));
      if (k === 70) parts.push(Buffer.concat([Buffer.from('{"text":"'), Buffer.from([0xff, 0xfe, 0x41]), Buffer.from('"}\n')]));
      if (k === 80) parts.push(Buffer.from('{"a":tru}\n'));
      if (k === 90) parts.push(Buffer.from('{"hello":"world"}\n'));
      if (k === 100) parts.push(Buffer.from(`{"text":"${'x'.repeat(70_000)}"}\n`));
    });
    const stream = Buffer.concat(parts);
    const socket = net.connect(engine.port('HFDL', 'tcp-listen'), '127.0.0.1');
    await new Promise((r) => socket.once('connect', r));
    for (let o = 0; o < stream.length; ) {
      const n = 1 + Math.floor(rand() * 4096);
      socket.write(stream.subarray(o, o + n));
      o += n;
    }
    const before = all.messages.length;
    await new Promise<void>((r) => socket.end(r));
    expect_(frames, 'HFDL');
    await all.waitForCount(expectedTotal());
    // In the order sent, across decode threads.
    const sent = frames.map((f) => {
      const r = normalizeFrame(JSON.parse(f), 'HFDL', 0);
      return r.ok ? `${r.message.time}/${r.message.freq}/${r.message.level}` : 'reject';
    });
    const got = all.messages.slice(before).map((m) => `${m.time as number}/${m.freq as number}/${m.level as number}`);
    expect(got).toEqual(sent);
  });

  it('connects out to a feeder and reconnects after the feeder drops it', async () => {
    const acars = readCorpusFrames('acarshub-kabq/raw-acars-messages.jsonl');
    const [first, second] = [acars.slice(0, 300), acars.slice(300)];
    while (feederConnections.length === 0) await new Promise((r) => setTimeout(r, 20));
    feederConnections[0]!.write(first.join('\n') + '\n');
    expect_(first, 'VDL-M2');
    await all.waitForCount(expectedTotal());
    const reconnected = new Promise<void>((r) => (onFeederConnection = r));
    feederConnections[0]!.destroy();
    await reconnected;
    feederConnections[1]!.write(second.join('\n'));
    feederConnections[1]!.write('\n');
    expect_(second, 'VDL-M2');
    await all.waitForCount(expectedTotal());
    expect(engine.logs.filter((l) => l.includes('"connected to feeder"'))).toHaveLength(2);
  });

  it('subscribes to a ZMQ publisher', async () => {
    const satdump = readCorpusFramesAbs(fixtures + 'imsl-satdump.jsonl');
    // ZMQ drops what is published before the subscription reaches the publisher: probe until one arrives.
    const before = all.messages.length;
    let probes = 0;
    while (all.messages.length === before) {
      await zmq.send(satdump[0]!);
      probes++;
      if (probes > 200) throw new Error('ZMQ subscriber never received a probe');
      await new Promise((r) => setTimeout(r, 50));
    }
    // Probes still in flight may arrive later; ZMQ and the engine keep order, so once a last,
    // marked probe arrives, every probe that will ever arrive has.
    const last = JSON.parse(satdump[0]!) as { source: { station_id: string } };
    last.source.station_id = 'LAST-PROBE';
    await zmq.send(JSON.stringify(last));
    await waitUntil('the last ZMQ probe', async () => all.messages.at(-1)?.station, (s) => s === 'LAST-PROBE', 20_000);
    const probesStored = all.messages.length - before;
    expect(probesStored).toBeGreaterThanOrEqual(2);
    expected.set('IMS-L', (expected.get('IMS-L') ?? 0) + probesStored);
    for (const f of satdump) await zmq.send(f);
    await zmq.send(['topic-part', satdump[1]!]); // multipart: the last part is the frame
    expect_([...satdump, satdump[1]!], 'IMS-L');
    await all.waitForCount(expectedTotal());
  });

  it('gives each WebSocket client each message once, filtered by type, with coded errors', async () => {
    const total = expectedTotal();
    await overlapping.waitForCount(total);
    await hfdlOnly.waitForCount(expected.get('HFDL')!);
    // Nothing extra arrives afterwards.
    await new Promise((r) => setTimeout(r, 300));
    expect(all.messages).toHaveLength(total);
    expect(overlapping.messages).toHaveLength(total);
    expect(hfdlOnly.messages).toHaveLength(expected.get('HFDL')!);
    expect(hfdlOnly.messages.every((m) => m.type === 'HFDL')).toBe(true);
    const ids = all.messages.map((m) => m.id as number);
    expect(new Set(ids).size).toBe(total);
    for (const c of [all, overlapping]) {
      const byType = new Map<string, number>();
      for (const m of c.messages) byType.set(m.type as string, (byType.get(m.type as string) ?? 0) + 1);
      expect(Object.fromEntries(byType)).toEqual(Object.fromEntries(expected));
    }
    expect(await all.request({ op: 'dance', id: 7 })).toMatchObject({ id: 7, ok: false, error: { code: 'UNKNOWN_OP' } });
    expect(await all.request({ op: 'subscribe', id: 8, topics: ['messages:ADSB'] })).toMatchObject({ id: 8, ok: false, error: { code: 'UNKNOWN_TOPIC' } });
    expect(await all.requestRaw('{not json')).toMatchObject({ id: null, ok: false, error: { code: 'BAD_REQUEST' } });
    // Published messages carry the normalized fields.
    const vdl = all.messages.find((m) => m.type === 'VDL-M2' && m.msgno === 'D09A' && m.tail === 'N8719Q');
    expect(vdl).toMatchObject({ freq: 136.65, icao: 'ABFDAF', direction: 'downlink', flight: 'WN2340' });
  });

  it('counts frames and rejects by reason in /metrics', async () => {
    const text = await (await fetch(`http://127.0.0.1:${engine.httpPort}/metrics`)).text();
    const metric = (name: string, labels: string): number => {
      const line = text.split('\n').find((l) => l.startsWith(`${name}{${labels}}`));
      return line ? Number(line.split(' ').pop()) : 0;
    };
    for (const reason of ['truncated', 'garbage', 'invalid-utf8', 'invalid-json', 'unknown-format', 'oversize']) {
      expect(metric('contrail_frames_rejected_total', `type="HFDL",reason="${reason}"`), reason).toBe(1);
    }
    for (const [type, n] of expected) {
      expect(metric('contrail_messages_stored_total', `type="${type}"`), type).toBe(n);
      expect(metric('contrail_messages_published_total', `type="${type}"`), type).toBe(n);
    }
    // acars_other.jsonl mixes vdlm2dec frames into the ACARS file: the shape wins, and it is counted.
    expect(text).toMatch(/^contrail_frames_type_mismatch_total [1-9]/m);
    // Every stage timed each committed batch: the counts agree, and the sums are real durations.
    const counts = Object.fromEntries(['decode', 'write', 'transaction', 'publish'].map((stage) => [stage, metric('contrail_stage_seconds_count', `stage="${stage}"`)]));
    expect(counts.write).toBeGreaterThan(0);
    expect(counts).toEqual({ decode: counts.write, write: counts.write, transaction: counts.write, publish: counts.write });
    for (const stage of Object.keys(counts)) expect(metric('contrail_stage_seconds_sum', `stage="${stage}"`), stage).toBeGreaterThan(0);
  });

  it('has exactly the published messages in SQLite, FTS-searchable, with rejects kept; SIGTERM exits 0', async () => {
    expect(await engine.stop()).toBe(0);
    expect(engine.logs.some((l) => l.includes('"shutdown: pipeline drained"'))).toBe(true);
    const db = new Database(join(engine.dataDir, 'contrail.sqlite'), { readonly: true });
    try {
      const rows = db.prepare('SELECT type, count(*) AS n FROM messages GROUP BY type').all() as { type: string; n: number }[];
      expect(Object.fromEntries(rows.map((r) => [r.type, r.n]))).toEqual(Object.fromEntries(expected));
      const ids = db.prepare('SELECT id FROM messages ORDER BY id').pluck().all() as number[];
      expect(ids).toEqual(all.messages.map((m) => m.id as number).sort((a, b) => a - b));
      // A text known from the ACARS capture, found through the full-text index.
      const hit = db.prepare("SELECT m.flight, m.tail FROM messages_fts JOIN messages m ON m.id = messages_fts.rowid WHERE messages_fts MATCH '\"B737-800\" AND KPHX' LIMIT 1").get() as { flight: string; tail: string } | undefined;
      expect(hit).toEqual({ flight: 'WN4899', tail: 'N8560Z' });
      const rejects = db.prepare('SELECT reason, source, type_hint, size, length(raw) AS kept FROM rejects ORDER BY id').all() as { reason: string; source: string; type_hint: string; size: number; kept: number }[];
      expect(rejects.map((r) => r.reason).sort()).toEqual(['garbage', 'invalid-json', 'invalid-utf8', 'oversize', 'truncated', 'unknown-format']);
      for (const r of rejects) expect(r).toMatchObject({ source: 'tcp-listen://127.0.0.1:0', type_hint: 'HFDL' });
      const oversize = rejects.find((r) => r.reason === 'oversize')!;
      expect(oversize.size).toBe(70_000 + '{"text":""}'.length);
      expect(oversize.kept).toBe(65536);
      const minutes = db.prepare('SELECT sum(messages) FROM counts_minute').pluck().get();
      expect(minutes).toBe(expectedTotal());
    } finally {
      db.close();
    }
  });
});

function readCorpusFramesAbs(path: string): string[] {
  return splitFrames(readFileSync(path, 'utf8'));
}
