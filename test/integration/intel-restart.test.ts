/**
 * Message intelligence across a restart, through the engine as a user runs it: aircraft records
 * live in SQLite, so the same airframe heard after a restart keeps its record and its count; and
 * an alert term added later finds history through a rescan started over the admin API, with its
 * progress on the `system` topic.
 */
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { startEngine, type RunningEngine } from '../../bench/lib/engine-process.js';
import { scrape, total } from '../../bench/lib/metrics-scrape.js';
import { readCorpusFrames } from '../helpers/corpus.js';
import { apiRequest, type Json } from '../helpers/engine-http.js';
import { accountedFor, sendTcpLines } from '../helpers/traffic.js';
import { WsClient } from '../helpers/ws-client.js';

const TOKEN = 'intel-restart-admin-token-0123';
const ENV = {
  ENABLE_VDLM: '1',
  VDLM_CONNECTIONS: 'tcp-listen://127.0.0.1:0',
  CONTRAIL_ADMIN_TOKEN: TOKEN,
  // The same corpus is sent twice: with dedup on the second pass would be counted as copies.
  CONTRAIL_DEDUP_WINDOW_SECONDS: '0',
};

async function sendAndSettle(engine: RunningEngine, frames: string[], expected: number): Promise<void> {
  await sendTcpLines(engine.port('VDL-M2', 'tcp-listen'), frames);
  await accountedFor(engine.httpPort, expected);
}

/** The API with the admin token. */
const http = (engine: RunningEngine, method: string, path: string, body?: Json): Promise<{ status: number; body: Json }> =>
  apiRequest(engine, path, { method, token: TOKEN, ...(body ? { body } : {}) });

describe('message intelligence across a restart', () => {
  it('keeps aircraft records and rescans history for a term added later, over the API', { timeout: 120_000 }, async () => {
    const frames = readCorpusFrames('acarshub-kabq/raw-vdlm2-messages.jsonl');
    const first = await startEngine(ENV);
    const dataDir = first.dataDir;
    let before: { aircraft: Json; recent: Json[] };
    try {
      await sendAndSettle(first, frames, frames.length);
      const r = await http(first, 'GET', '/api/v1/aircraft?tail=N8719Q&limit=100');
      expect(r.status).toBe(200);
      before = r.body as typeof before;
      expect(before.aircraft.messages).toBeGreaterThan(0);
      expect(await first.stop()).toBe(0);
    } catch (e) {
      await first.stop();
      first.cleanup();
      throw e;
    }

    const second = await startEngine(ENV, 30_000, dataDir);
    try {
      // Read back after the restart, before any new traffic: the same record.
      const reread = (await http(second, 'GET', '/api/v1/aircraft?tail=N8719Q&limit=100')).body as typeof before;
      expect(reread.aircraft).toEqual(before.aircraft);

      // The same airframe heard again: tied to the same record, which counts both passes.
      await sendAndSettle(second, frames, frames.length);
      const after = (await http(second, 'GET', `/api/v1/aircraft?id=${String(before.aircraft.id)}&limit=500`)).body as typeof before;
      expect(after.aircraft.id).toBe(before.aircraft.id);
      expect(after.aircraft.messages).toBe(2 * (before.aircraft.messages as number));
      expect(after.recent.length).toBe(2 * before.recent.length);
      const d = new Database(join(dataDir, 'contrail.sqlite'), { readonly: true });
      try {
        expect(d.prepare("SELECT count(*) FROM aircraft WHERE tail = 'N8719Q'").pluck().get()).toBe(1);
        expect(d.prepare('SELECT count(*) FROM messages WHERE aircraft_id = ?').pluck().get(before.aircraft.id)).toBe(after.aircraft.messages);
      } finally {
        d.close();
      }

      // A term added now matches nothing stored until a rescan, started over the API, finds it.
      const client = await WsClient.connect(`ws://127.0.0.1:${second.httpPort}/ws`);
      await client.request({ op: 'subscribe', id: 1, topics: ['database'] });
      expect((await http(second, 'POST', '/api/v1/alerts/terms', { term: 'N8719Q' })).status).toBe(201);
      const started = await http(second, 'POST', '/api/v1/alerts/rescan');
      expect(started.status).toBe(202);
      const done = await client.waitForEvent((e) => e.event === 'alerts-rescan' && e.done === true, 60_000);
      const progress = client.events.filter((e) => e.event === 'alerts-rescan');
      expect(progress.at(-1)).toBe(done);
      expect(done.percent).toBe(100);
      const stored = await scrape(second.httpPort).then((s) => total(s, 'contrail_messages_stored_total'));
      expect(done.scanned).toBeGreaterThanOrEqual(stored);
      const d2 = new Database(join(dataDir, 'contrail.sqlite'), { readonly: true });
      try {
        const tailRows = d2.prepare("SELECT id FROM messages WHERE tail LIKE '%N8719Q%' ORDER BY id").pluck().all() as number[];
        const matched = d2.prepare("SELECT DISTINCT message_id FROM alert_matches WHERE term = 'N8719Q' ORDER BY message_id").pluck().all() as number[];
        // The aircraft also holds frames that carry only its ICAO address; every one naming the tail is its own.
        expect(tailRows.length).toBeGreaterThan(0);
        expect(d2.prepare("SELECT DISTINCT aircraft_id FROM messages WHERE tail LIKE '%N8719Q%'").pluck().all()).toEqual([before.aircraft.id]);
        expect(matched).toEqual(tailRows);
        expect(done.matches).toBe(d2.prepare("SELECT count(*) FROM alert_matches WHERE term = 'N8719Q'").pluck().get());
        expect(d2.prepare("SELECT hits FROM alert_terms WHERE term = 'N8719Q'").pluck().get()).toBe(done.matches);
      } finally {
        d2.close();
      }
      client.close();
      expect(await second.stop()).toBe(0);
    } finally {
      await second.stop();
      second.cleanup();
    }
  });
});
