/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
/**
 * The built-in dashboard in a real browser (Debian's chromium, headless, driven by
 * playwright-core): the real engine serves the page, real captures are replayed over TCP while it
 * is open, and the page must list them (newest first, text as text, decoded fields), draw every
 * chart with the replayed decoders, retry analytics that are not ready, log no error, and come
 * back by itself after the engine restarts. Leaves a screenshot in test/artifacts/dashboard.png.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { startEngine, type RunningEngine } from '../../bench/lib/engine-process.js';
import { total, type Scrape } from '../../bench/lib/metrics-scrape.js';
import { readCorpusFrames } from '../helpers/corpus.js';
import { accountedFor, sendTcpLines, TCP_LISTENERS, waitUntil } from '../helpers/traffic.js';
import { WsClient } from '../helpers/ws-client.js';
import { freePort } from '../helpers/free-port.js';

type Json = Record<string, unknown>;
const CHROMIUM = '/usr/bin/chromium';
const ENSURE_CHROMIUM = fileURLToPath(new URL('./ensure-chromium.sh', import.meta.url));
const ARTIFACTS = fileURLToPath(new URL('../artifacts/', import.meta.url));
const TOKEN = 'dashboard-admin-token-0123456789';
const ALERT_TERM = 'WN4899';
const XSS_TEXT = '<img id="xss" src="x" onerror="window.pwned = 1">';
const CHARTS = ['rates', 'signal', 'freqs', 'alerts'] as const;


/**
 * The frames with their times moved to the last minutes (spacing kept, squeezed into 50 minutes
 * if longer), so that they fall in the live rate chart's hour; unparseable frames go as they are.
 */
function retime(frames: string[], nowS: number): string[] {
  const clock = (o: Json): { get: () => number; set: (t: number) => void } | null => {
    if (typeof o.timestamp === 'number') return { get: () => o.timestamp as number, set: (t) => (o.timestamp = t) };
    const t = ((o.vdl2 ?? o.hfdl) as { t?: { sec: number } } | undefined)?.t;
    return t ? { get: () => t.sec, set: (s) => (t.sec = Math.floor(s)) } : null;
  };
  const parsed = frames.map((f) => {
    try {
      const o = JSON.parse(f) as Json;
      return { o, c: clock(o) };
    } catch {
      return null;
    }
  });
  const times = parsed.flatMap((p) => (p?.c ? [p.c.get()] : []));
  const first = Math.min(...times);
  const last = Math.max(...times);
  const squeeze = Math.min(1, 3000 / Math.max(1, last - first));
  return frames.map((f, i) => {
    const p = parsed[i];
    if (!p?.c) return f;
    p.c.set(nowS - 30 - (last - p.c.get()) * squeeze);
    return JSON.stringify(p.o);
  });
}

/** Per chart: legend labels, whether it shows its empty note, and pixels drawn in each series' colour. */
function chartState(page: Page): Promise<Record<string, { empty: boolean; series: string[]; painted: number[]; opaque: number }>> {
  return page.evaluate((ids) => {
    const rgb = (css: string): number[] => (css.match(/\d+/g) ?? []).slice(0, 3).map(Number);
    const out: Record<string, { empty: boolean; series: string[]; painted: number[]; opaque: number }> = {};
    for (const id of ids) {
      const fig = document.getElementById(`chart-${id}`)!;
      const canvas = fig.querySelector('canvas');
      const legend = [...fig.querySelectorAll('.u-legend .u-series')].slice(1);
      const series = legend.map((s) => s.querySelector('.u-label')?.textContent ?? '');
      const colours = legend.map((s) => rgb(getComputedStyle(s.querySelector('.u-marker')!).borderColor));
      const painted = colours.map(() => 0);
      let opaque = 0;
      if (canvas && canvas.width > 0) {
        const px = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data;
        for (let i = 0; i < px.length; i += 4) {
          if (px[i + 3] === 0) continue;
          opaque++;
          colours.forEach(([r, g, b], k) => {
            if (Math.abs(px[i]! - r!) + Math.abs(px[i + 1]! - g!) + Math.abs(px[i + 2]! - b!) < 24 && px[i + 3]! > 200) painted[k]!++;
          });
        }
      }
      out[id] = { empty: fig.classList.contains('is-empty'), series, painted, opaque };
    }
    return out;
  }, CHARTS);
}

/** The live list as shown: one entry per row, cells as text. */
function rows(page: Page): Promise<{ id: number; cells: string[]; text: string; decoded: string; images: number }[]> {
  return page.$$eval('#messages tbody tr', (trs) =>
    trs.map((tr) => ({
      id: Number((tr as HTMLElement).dataset.id),
      cells: [...(tr as HTMLTableRowElement).cells].map((c) => c.textContent ?? ''),
      text: tr.querySelector('.text')?.textContent ?? '',
      decoded: [...(tr as HTMLTableRowElement).cells[6]!.querySelectorAll('.kv')].map((k) => k.textContent).join(' | '),
      images: tr.querySelectorAll('img').length,
    })),
  );
}

async function pollPage<T>(what: string, get: () => Promise<T>, ok: (v: T) => boolean, timeoutMs: number): Promise<T> {
  let last: T | undefined;
  try {
    return await waitUntil(what, async () => (last = await get()), ok, timeoutMs);
  } catch (e) {
    throw new Error(`${(e as Error).message}; last seen: ${JSON.stringify(last)?.slice(0, 2000)}`);
  }
}

describe('the dashboard', () => {
  it('lists replayed messages, draws every chart, and reconnects after a restart', { timeout: 480_000 }, async () => {
    const installStart = performance.now();
    execFileSync('sh', [ENSURE_CHROMIUM], { stdio: ['ignore', 'inherit', 'inherit'], timeout: 360_000 });
    const installMs = performance.now() - installStart;

    const httpPort = await freePort();
    const env = {
      CONTRAIL_HTTP_PORT: String(httpPort),
      CONTRAIL_ADMIN_TOKEN: TOKEN,
      ...TCP_LISTENERS,
    };
    let engine: RunningEngine | null = await startEngine(env);
    const dataDir = engine.dataDir;
    let browser: Browser | null = null;
    let client: WsClient | null = null;
    try {
      const base = `http://127.0.0.1:${httpPort}`;
      const added = await fetch(`${base}/api/v1/alerts/terms`, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}` }, body: JSON.stringify({ term: ALERT_TERM }) });
      expect(added.status).toBe(201);

      const launchStart = performance.now();
      browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'], timeout: 30_000 });
      const page = await browser.newPage({ viewport: { width: 1440, height: 1000 } });
      page.setDefaultTimeout(20_000);
      const errors: string[] = [];
      page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
      page.on('pageerror', (e) => errors.push(String(e)));
      // The page's WebSocket goes through the real server, except that the first round of
      // analytics requests is answered UNAVAILABLE, as while the mirror catches up at start.
      let refused = 0;
      let askedAfter = 0;
      await page.routeWebSocket(/\/ws$/, (ws) => {
        const server = ws.connectToServer();
        ws.onMessage((text) => {
          const req = JSON.parse(String(text)) as Json;
          if (req.op === 'analytics' && refused < 4) {
            refused++;
            ws.send(JSON.stringify({ id: req.id, ok: false, error: { code: 'UNAVAILABLE', message: 'the mirror is catching up' } }));
            return;
          }
          if (req.op === 'analytics' && refused === 4) askedAfter++;
          server.send(text);
        });
      });
      const response = await page.goto(`${base}/`, { waitUntil: 'load', timeout: 20_000 });
      expect(response?.headers()['content-type']).toBe('text/html; charset=utf-8');
      await page.waitForSelector('#status[data-state="live"]', { timeout: 15_000 });

      // Nothing stored yet: every chart says so, the list waits.
      const before = await pollPage('empty charts drawn', () => chartState(page), (s) => CHARTS.every((c) => s[c]!.empty), 15_000);
      expect(refused).toBe(4);
      expect(askedAfter).toBeGreaterThanOrEqual(4);
      expect(await page.textContent('#analytics-note')).toBe('');
      expect(before.rates!.series).toEqual([]);
      expect(await page.isVisible('#chart-signal .empty')).toBe(true);
      expect(await page.isVisible('#messages-empty')).toBe(true);

      // Replay real captures (and one hostile text) while the page is open.
      client = await WsClient.connect(`ws://127.0.0.1:${httpPort}/ws`);
      await client.request({ op: 'subscribe', id: 1, topics: ['messages'] });
      const now = Date.now() / 1000;
      const acars = retime(readCorpusFrames('acarshub-kabq/raw-acars-messages.jsonl'), now);
      const vdlm = retime(readCorpusFrames('acarshub-kabq/raw-vdlm2-messages.jsonl'), now);
      const hfdl = retime(readCorpusFrames('acarshub-kabq/raw-hfdl-messages.jsonl'), now);
      const hostile = JSON.stringify({ timestamp: now - 5, station_id: 'TEST', freq: 131.55, level: -10, error: 0, mode: '2', label: 'H1', block_id: '1', ack: false, tail: 'N0XSS', flight: 'XS0001', text: XSS_TEXT });
      // Most of each capture at once; then the last frames of each decoder one after another, so
      // that the newest 250 hold every decoder whatever order the three connections commit in.
      const TAIL = 40;
      await Promise.all([
        sendTcpLines(engine.port('VDL-M2', 'tcp-listen'), vdlm.slice(0, -TAIL)),
        sendTcpLines(engine.port('HFDL', 'tcp-listen'), hfdl.slice(0, -TAIL)),
        sendTcpLines(engine.port('ACARS', 'tcp-listen'), acars.slice(0, -TAIL)),
      ]);
      let frames = acars.length + vdlm.length + hfdl.length - 3 * TAIL;
      const accounted = (): Promise<Scrape> => accountedFor(engine!.httpPort, frames);
      await accounted();
      for (const [type, lines] of [['ACARS', [...acars.slice(-TAIL), hostile]], ['VDL-M2', vdlm.slice(-TAIL)], ['HFDL', hfdl.slice(-TAIL)]] as const) {
        await sendTcpLines(engine.port(type, 'tcp-listen'), [...lines]);
        frames += lines.length;
        await accounted();
      }
      const settled = await accounted();
      const published = total(settled, 'contrail_messages_published_total');
      await client.waitForCount(published, 20_000);
      const sent = client.messages;
      const newest = sent.slice(-250).reverse();

      // The list: the newest 250, newest first, each cell from its message, as text.
      const shown = await pollPage('the newest messages listed', () => rows(page), (r) => r.length === 250 && r[0]!.id === newest[0]!.id, 20_000);
      expect(shown.map((r) => r.id)).toEqual(newest.map((m) => m.id));
      for (const [i, r] of shown.entries()) {
        const m = newest[i]!;
        expect(r.cells.slice(0, 5)).toEqual([m.type, new Date((m.time as number) * 1000).toISOString().slice(11, 19), m.flight ?? '', m.tail ?? '', m.label ?? '']);
        if (m.text) expect(r.text).toBe(m.text);
      }
      const xss = shown.find((r) => r.cells[2] === 'XS0001');
      expect(xss?.text).toBe(XSS_TEXT);
      expect(xss?.images).toBe(0);
      expect(await page.evaluate(() => document.getElementById('xss') === null && !('pwned' in window))).toBe(true);
      for (const type of ['ACARS', 'VDL-M2', 'HFDL']) expect(shown.some((r) => r.cells[0] === type)).toBe(true);

      // A page opened now shows the same list at once, from the subscribe's history.
      const late = await browser.newPage();
      await late.goto(`${base}/`, { waitUntil: 'load', timeout: 20_000 });
      const recent = await pollPage('the history listed on a new page', () => rows(late), (r) => r.length === 250, 15_000);
      expect(recent.map((r) => r.id)).toEqual(newest.map((m) => m.id));
      await late.close();

      // Decoded fields: label decoder items, airline, position, alert terms.
      const withItems = newest.find((m) => ((m.labelDecoded as { items?: unknown[] } | undefined)?.items?.length ?? 0) > 0);
      expect(withItems, 'a shown message with label-decoded items').toBeDefined();
      const item = (withItems!.labelDecoded as { items: { label: string; value: string }[] }).items[0]!;
      expect(shown.find((r) => r.id === withItems!.id)!.decoded).toContain(`${item.label} ${item.value}`);
      const withAirline = newest.find((m) => (m.enrichment as { airline?: { name?: string } } | undefined)?.airline?.name);
      if (withAirline) expect(shown.find((r) => r.id === withAirline.id)!.decoded).toContain((withAirline.enrichment as { airline: { name: string } }).airline.name);
      const positioned = newest.find((m) => typeof m.lat === 'number' && typeof m.lon === 'number');
      if (positioned) expect(shown.find((r) => r.id === positioned.id)!.decoded).toContain(`pos ${(positioned.lat as number).toFixed(3)}`);
      const alerted = newest.find((m) => m.flight === ALERT_TERM);
      if (alerted) expect(shown.find((r) => r.id === alerted.id)!.decoded).toContain(`alert ${ALERT_TERM}`);

      // Every chart drawn with data: each series has pixels of its colour on the canvas.
      const drawn = await pollPage(
        'every chart drawn with the replayed data',
        () => chartState(page),
        (s) => CHARTS.every((c) => !s[c]!.empty && s[c]!.series.length > 0 && s[c]!.painted.every((n) => n > 20)) && s.rates!.series.length === 3,
        45_000,
      );
      expect(drawn.rates!.series).toEqual(expect.arrayContaining(['ACARS', 'VDL-M2', 'HFDL']));
      expect(drawn.signal!.series.map((l) => l.split(' ')[0])).toEqual(expect.arrayContaining(['ACARS', 'VDL-M2', 'HFDL']));
      expect(drawn.freqs!.series).toEqual(expect.arrayContaining(['ACARS', 'VDL-M2', 'HFDL']));
      expect(drawn.alerts!.series).toEqual([ALERT_TERM]);
      expect(errors).toEqual([]);

      mkdirSync(ARTIFACTS, { recursive: true });
      await page.screenshot({ path: `${ARTIFACTS}dashboard.png`, timeout: 20_000 });
      const pageMs = performance.now() - launchStart;

      // The engine goes away and comes back on the same port: the page says so, then reconnects.
      expect(await engine.stop()).toBe(0);
      engine = null;
      await page.waitForSelector('#status[data-state="down"]', { timeout: 10_000 });
      engine = await startEngine(env, 30_000, dataDir);
      await page.waitForSelector('#status[data-state="live"]', { timeout: 40_000 });
      await sendTcpLines(engine.port('ACARS', 'tcp-listen'), [JSON.stringify({ ...JSON.parse(hostile), flight: 'XS0002', text: 'after the restart' })]);
      await pollPage('a message after the restart', () => rows(page), (r) => r[0]?.cells[2] === 'XS0002', 15_000);
      console.log(`dashboard test: chromium check/install ${Math.round(installMs)} ms, browser part ${Math.round(pageMs)} ms`);
    } finally {
      client?.close();
      await browser?.close();
      await engine?.stop();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
