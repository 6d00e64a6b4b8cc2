/**
 * Message intelligence end to end, through the engine as a user runs it: a duplicate-heavy
 * replay (every corpus frame heard by three stations on two frequencies) is stored and streamed
 * once per message, keeping the best copy; multi-part messages are joined; an alert term set
 * through the admin API matches and is published on the alerts topic; aircraft can be looked up.
 */
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { startEngine, type RunningEngine } from '../../bench/lib/engine-process.js';
import { total } from '../../bench/lib/metrics-scrape.js';
import { readCorpusFrames } from '../helpers/corpus.js';
import { apiRequest, type Json } from '../helpers/engine-http.js';
import { accountedFor, sendTcpLines, waitUntil } from '../helpers/traffic.js';
import { WsClient } from '../helpers/ws-client.js';

const TOKEN = 'intel-admin-token-0123456789';
const STATIONS = [
  { id: 'DUP-S1', level: -30 },
  { id: 'DUP-S2', level: -20 },
  { id: 'DUP-S3', level: -10 },
];
const FREQS = [131.55, 131.725];

/** Each acarsdec frame as heard by every station on every frequency, the strongest station last. */
function copies(frames: string[]): string[] {
  const out: string[] = [];
  for (const f of frames) {
    const o = JSON.parse(f) as Json;
    for (const freq of FREQS) for (const s of STATIONS) out.push(JSON.stringify({ ...o, station_id: s.id, freq, level: s.level, error: 0 }));
  }
  return out;
}

function db(engine: RunningEngine): Database.Database {
  return new Database(join(engine.dataDir, 'contrail.sqlite'), { readonly: true });
}

/** The API with the admin token. */
const http = (engine: RunningEngine, method: string, path: string, body?: Json): Promise<{ status: number; body: Json }> =>
  apiRequest(engine, path, { method, token: TOKEN, ...(body ? { body } : {}) });

describe('message intelligence in the engine', () => {
  it('stores and streams each message once from a duplicate-heavy replay, joins parts, alerts and tracks aircraft', { timeout: 120_000 }, async () => {
    const engine = await startEngine({
      ENABLE_ACARS: '1',
      ENABLE_VDLM: '1',
      ACARS_CONNECTIONS: 'tcp-listen://127.0.0.1:0',
      VDLM_CONNECTIONS: 'tcp-listen://127.0.0.1:0',
      CONTRAIL_ADMIN_TOKEN: TOKEN,
    });
    try {
      // Alert terms first: the writer hands them to the decode threads within a batch.
      expect((await http(engine, 'POST', '/api/v1/alerts/terms', { term: 'WN4899' })).status).toBe(201);
      expect((await http(engine, 'POST', '/api/v1/alerts/terms', { term: 'C++' })).status).toBe(201);
      const bad = await http(engine, 'POST', '/api/v1/alerts/terms', { term: '(a)\\1', regex: true });
      expect(bad.status).toBe(400);
      expect(JSON.stringify(bad.body)).toMatch(/\(a\)\\\\1/);
      const listed = (await http(engine, 'GET', '/api/v1/alerts/terms')).body as { terms: { term: string }[] };
      expect(listed.terms.map((t) => t.term).sort()).toEqual(['C++', 'WN4899']);
      await new Promise((r) => setTimeout(r, 300));

      const client = await WsClient.connect(`ws://127.0.0.1:${engine.httpPort}/ws`);
      await client.request({ op: 'subscribe', topics: ['messages', 'alerts'], id: 1 });

      const acars = readCorpusFrames('acarshub-kabq/raw-acars-messages.jsonl');
      const heard = copies(acars);
      await sendTcpLines(engine.port('ACARS', 'tcp-listen'), heard);
      const vdlm = readCorpusFrames('acarshub-kabq/raw-vdlm2-messages.jsonl');
      await sendTcpLines(engine.port('VDL-M2', 'tcp-listen'), vdlm);

      const m = await accountedFor(engine.httpPort, heard.length + vdlm.length);
      const d = db(engine);
      try {
        // Each ACARS message once: copies add up to every frame sent, each kept row counts at least
        // the six copies of its own frame, from all three stations, and keeps the strongest one.
        const rows = d.prepare("SELECT id, station_id, level, copies, heard_by, dedup_key, msg_time FROM messages WHERE type = 'ACARS' ORDER BY msg_time").all() as {
          id: number; station_id: string; level: number; copies: number; heard_by: string; dedup_key: number; msg_time: number;
        }[];
        expect(rows.reduce((n, r) => n + r.copies, 0)).toBe(heard.length);
        expect(rows.length).toBeLessThanOrEqual(acars.length);
        expect(rows.length).toBeGreaterThan(acars.length * 0.9);
        // The same content again later than the window (5 s) is a new message; within it, never.
        const lastByKey = new Map<number, number>();
        for (const r of rows) {
          const before = lastByKey.get(r.dedup_key);
          if (before !== undefined) expect(r.msg_time - before).toBeGreaterThan(5);
          lastByKey.set(r.dedup_key, r.msg_time);
        }
        for (const r of rows) {
          expect(r.copies).toBeGreaterThanOrEqual(STATIONS.length * FREQS.length);
          expect(r.station_id).toBe('DUP-S3');
          expect(r.level).toBe(-10);
          expect(JSON.parse(r.heard_by).sort()).toEqual(STATIONS.map((s) => s.id));
        }
        expect(total(m, 'contrail_duplicates_total', 'type="ACARS"')).toBe(heard.length - rows.length);

        // Live clients saw each stored message once.
        const stored = d.prepare('SELECT count(*) FROM messages').pluck().get() as number;
        await client.waitForCount(stored);
        await new Promise((r) => setTimeout(r, 200));
        expect(client.messages.length).toBe(stored);
        expect(new Set(client.messages.map((x) => x.id)).size).toBe(stored);

        // Multi-part: dumpvdl2 sends D10A (more), D10B (more), D10C (last) for WN2340: one complete message.
        const group = d.prepare("SELECT * FROM multipart WHERE tail = 'N8719Q' AND msgno_base = 'D10'").get() as Json | undefined;
        expect(group).toMatchObject({ parts: 3, complete: 1 });
        const parts = d.prepare('SELECT msgno, text FROM messages WHERE multipart_id = ? ORDER BY msgno').all(group!.id) as { msgno: string; text: string }[];
        expect(parts.map((p) => p.msgno)).toEqual(['D10A', 'D10B', 'D10C']);
        expect(group!).not.toHaveProperty('text');
        // dumpvdl2 reassembles too: its last part holds the whole message, so the join takes it
        // once rather than after the blocks it already contains.
        const [partA, partB, partC] = parts.map((p) => p.text);
        expect(partC!.startsWith(partA! + partB!)).toBe(true);
        expect(partC!.length).toBeGreaterThan((partA! + partB!).length);
        const live = client.messages.find((x) => x.msgno === 'D10C' && x.tail === 'N8719Q') as { multipart: Json } | undefined;
        expect(live?.multipart).toMatchObject({ id: group!.id, complete: true, part: 'C', text: partC });

        // Label decoding: stored as structured JSON with its level (no display items), streamed
        // with the items; a position found by the decoder fills lat/lon; enrichment names the airline.
        const squitter = d.prepare("SELECT id, label_decoded, decode_level FROM messages WHERE label = 'SQ' AND label_decoded IS NOT NULL LIMIT 1").get() as { id: number; label_decoded: string; decode_level: string } | undefined;
        expect(squitter).toBeDefined();
        const storedDecoding = JSON.parse(squitter!.label_decoded) as Json;
        expect(storedDecoding).toMatchObject({ decoder: 'label-sq', level: squitter!.decode_level });
        expect(storedDecoding).not.toHaveProperty('items');
        expect(storedDecoding.raw).toMatchObject({ groundStation: { icaoCode: expect.any(String) } });
        const liveSquitter = client.messages.find((x) => x.id === squitter!.id) as { labelDecoded: Json; decodeLevel: string } | undefined;
        expect(liveSquitter?.decodeLevel).toBe(squitter!.decode_level);
        expect(liveSquitter?.labelDecoded).toMatchObject({ ...storedDecoding, items: expect.arrayContaining([expect.objectContaining({ label: expect.any(String), value: expect.any(String) })]) });
        const positioned = d.prepare("SELECT count(*) FROM messages WHERE label_decoded IS NOT NULL AND lat IS NOT NULL AND json_extract(label_decoded, '$.raw.position.latitude') = lat").pluck().get() as number;
        expect(positioned).toBeGreaterThan(0);
        const southwest = client.messages.find((x) => typeof x.flight === 'string' && x.flight.startsWith('WN')) as { enrichment?: { airline?: Json } } | undefined;
        expect(southwest?.enrichment?.airline).toMatchObject({ icao: 'SWA' });
        expect(d.prepare("SELECT count(*) FROM messages WHERE flight LIKE 'WN%' AND airline = 'SWA'").pluck().get()).toBeGreaterThan(0);

        // Alerts: every stored message of flight WN4899 matched, once, and was published on the alerts topic.
        const flightRows = d.prepare("SELECT id FROM messages WHERE flight LIKE '%WN4899%'").pluck().all() as number[];
        expect(flightRows.length).toBeGreaterThan(0);
        const matched = d.prepare("SELECT message_id FROM alert_matches WHERE term = 'WN4899' AND field = 'flight' ORDER BY message_id").pluck().all() as number[];
        expect(matched).toEqual(flightRows.sort((a, b) => a - b));
        await waitUntil('alerts published', async () => client.alerts.length, (n) => n >= flightRows.length);
        expect(client.alerts.every((a) => (a.matches as Json[]).length > 0 && typeof (a.message as Json).id === 'number')).toBe(true);
        const hits = (d.prepare("SELECT hits FROM alert_terms WHERE term = 'WN4899'").pluck().get() as number);
        expect(hits).toBe(matched.length + (d.prepare("SELECT count(*) FROM alert_matches WHERE term = 'WN4899' AND field != 'flight'").pluck().get() as number));

        // Aircraft: by registration over HTTP and WebSocket, its messages all its own.
        const byTail = await http(engine, 'GET', '/api/v1/aircraft?tail=N8560Z&limit=20');
        expect(byTail.status).toBe(200);
        const a = byTail.body as { aircraft: Json; recent: Json[] };
        expect(a.aircraft).toMatchObject({ tail: 'N8560Z' });
        expect(a.recent.length).toBeGreaterThan(0);
        expect(a.recent.every((r) => r.tail === 'N8560Z')).toBe(true);
        const aircraftMessages = d.prepare("SELECT count(*) FROM messages WHERE tail = 'N8560Z'").pluck().get() as number;
        expect(a.aircraft.messages).toBe(aircraftMessages);
        const ws = await client.request({ op: 'aircraft', id: 7, tail: 'N8560Z', limit: 5 });
        expect(ws).toMatchObject({ id: 7, ok: true, result: { aircraft: { id: a.aircraft.id } } });
        expect(await client.request({ op: 'aircraft', id: 8 })).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST' } });
        expect((await http(engine, 'GET', '/api/v1/aircraft?tail=NOSUCH')).status).toBe(404);
      } finally {
        d.close();
      }
      client.close();
      expect(await engine.stop()).toBe(0);
    } finally {
      await engine.stop();
      engine.cleanup();
    }
  });
});
