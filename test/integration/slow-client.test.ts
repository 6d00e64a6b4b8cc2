/**
 * Slow WebSocket clients, through the engine as users run it: a client that stops reading is
 * paused once its unsent bytes pass the limit, told how many messages it missed when it reads
 * again (what it received plus what it missed is everything), and disconnected if it stays
 * behind; meanwhile every frame is stored and every other client receives every message.
 */
import { describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startEngine } from '../../bench/lib/engine-process.js';
import { scrape, total } from '../../bench/lib/metrics-scrape.js';
import { readCorpusFrames } from '../helpers/corpus.js';
import { accountedFor, sendTcpLines, TCP_LISTENERS, waitUntil } from '../helpers/traffic.js';
import { type Json } from '../helpers/engine-http.js';
import { WsClient } from '../helpers/ws-client.js';


/** A client that counts what it gets and can stop reading its socket. */
class RawClient {
  messages = 0;
  missed: number[] = [];
  closed: { code: number; reason: string } | null = null;
  readonly ws: WebSocket;

  private constructor(ws: WebSocket) {
    this.ws = ws;
    ws.on('message', (data: Buffer) => {
      const frame = JSON.parse(data.toString()) as Json;
      if (frame.topic === 'messages') this.messages++;
      else if (frame.topic === 'system' && (frame.data as Json).event === 'missed') this.missed.push((frame.data as Json).missed as number);
    });
    ws.on('close', (code, reason) => (this.closed = { code, reason: reason.toString() }));
  }

  static async subscribed(url: string): Promise<RawClient> {
    const ws = new WebSocket(url);
    await new Promise((resolve, reject) => {
      ws.once('open', resolve);
      ws.once('error', reject);
    });
    const c = new RawClient(ws);
    const reply = new Promise((resolve) => ws.once('message', resolve));
    ws.send(JSON.stringify({ op: 'subscribe', id: 1, topics: ['messages'] }));
    await reply;
    return c;
  }

  /** Stops reading: the kernel's buffers fill, then the server's. */
  stopReading(): void {
    (this.ws as unknown as { _socket: { pause(): void } })._socket.pause();
  }

  resumeReading(): void {
    (this.ws as unknown as { _socket: { resume(): void } })._socket.resume();
  }
}

/**
 * Both clients go behind early in the flood; the paused one must be resumed before this runs out,
 * after the whole ingest and its checks, which on a busy 2-core machine take several seconds.
 */
const MAX_BEHIND_S = 15;

describe('slow WebSocket clients', () => {
  it('are paused, told what they missed or disconnected, while ingest and the other clients go on', { timeout: 180_000 }, async () => {
    const engine = await startEngine({
      ...TCP_LISTENERS,
      CONTRAIL_DEDUP_WINDOW_SECONDS: '0',
      CONTRAIL_WS_MAX_BUFFER_BYTES: String(256 * 1024),
      CONTRAIL_WS_MAX_BEHIND_SECONDS: String(MAX_BEHIND_S),
    });
    try {
      const url = `ws://127.0.0.1:${engine.httpPort}/ws`;
      const good = await WsClient.connect(url);
      await good.request({ op: 'subscribe', id: 1, topics: ['messages'] });
      const stuck = await RawClient.subscribed(url);
      const paused = await RawClient.subscribed(url);
      stuck.stopReading();
      paused.stopReading();

      // About 30 MB of live messages: far past the kernel's socket buffers and the 256 KiB limit.
      const passes = 20;
      const files = [
        ['ACARS', 'acarshub-kabq/raw-acars-messages.jsonl'],
        ['VDL-M2', 'acarshub-kabq/raw-vdlm2-messages.jsonl'],
        ['HFDL', 'acarshub-kabq/raw-hfdl-messages.jsonl'],
      ] as const;
      let sent = 0;
      await Promise.all(
        files.map(async ([type, file]) => {
          const frames = readCorpusFrames(file);
          const all = Array.from({ length: passes }, () => frames).flat();
          sent += all.length;
          await sendTcpLines(engine.port(type, 'tcp-listen'), all);
        }),
      );
      const s = await accountedFor(engine.httpPort, sent, 90_000);
      const stored = total(s, 'contrail_messages_stored_total');
      expect(total(s, 'contrail_frames_lost_total')).toBe(0);
      expect(total(s, 'contrail_frames_rejected_total')).toBe(0);

      // The reading client got every message.
      await good.waitForCount(stored, 30_000);
      expect(good.messages.length).toBe(stored);

      // One paused client reads again within the limit: it is resumed and told how many it missed.
      const before = await scrape(engine.httpPort);
      // A drop here means the limit ran out before the checks above finished.
      expect(total(before, 'contrail_ws_slow_disconnects_total'), 'clients dropped before being resumed').toBe(0);
      expect(total(before, 'contrail_ws_clients_behind')).toBe(2);
      expect(paused.closed).toBeNull();
      paused.resumeReading();
      await waitUntil('the paused client is told what it missed (or closed)', async () => paused.missed.length > 0 || paused.closed !== null, (done) => done, 10_000);
      expect(paused.closed, 'the paused client was dropped instead of resumed').toBeNull();
      expect(paused.missed).toHaveLength(1);
      await waitUntil('it has everything it was sent', async () => paused.messages + paused.missed[0]!, (n) => n >= stored, 10_000);
      expect(paused.messages + paused.missed[0]!).toBe(stored);
      expect(paused.missed[0]).toBeGreaterThan(0);

      // The other stays behind past the limit: disconnected with a reason.
      await waitUntil('the stuck client is dropped', async () => scrape(engine.httpPort), (m) => total(m, 'contrail_ws_slow_disconnects_total') === 1, (MAX_BEHIND_S + 20) * 1000);
      stuck.resumeReading();
      await waitUntil('its socket closes', async () => stuck.closed, (c) => c !== null, 10_000);
      expect(stuck.closed).toMatchObject({ code: 1008, reason: expect.stringMatching(/too slow/) });
      const after = await scrape(engine.httpPort);
      expect(total(after, 'contrail_ws_clients_behind')).toBe(0);
      expect(total(after, 'contrail_ws_missed_messages_total')).toBeGreaterThanOrEqual(paused.missed[0]!);

      // The resumed client is live again.
      await sendTcpLines(engine.port('ACARS', 'tcp-listen'), readCorpusFrames('acars-router/acars.jsonl'));
      await waitUntil('new messages reach the resumed client', async () => paused.messages + paused.missed[0]!, (n) => n > stored, 10_000);
      good.close();
      paused.ws.close();
      expect(await engine.stop()).toBe(0);
    } finally {
      await engine.stop();
      engine.cleanup();
    }
  });
});
