/**
 * One trial: a fresh engine (new data dir), fresh clients, one offered load, then drain and a
 * full account of every frame: sent, received by the engine, stored, rejected, lost, published,
 * delivered to clients.
 */
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { DECODER_TYPES } from '../../src/decode/message.js';
import { startEngine } from '../lib/engine-process.js';
import { scrape, total, byLabel } from '../lib/metrics-scrape.js';
import { cpuSeconds, memoryMb } from '../lib/proc-stats.js';
import { topicsPlan, type ClientPlan } from './client-plan.js';
import { ClientsHandle } from './clients-handle.js';
import type { FrameTemplate } from './frame-templates.js';
import { sendLoad, type LoadPlan } from './load-sender.js';
import type { ClientsReport } from './ws-clients.js';

export interface TrialOptions {
  transport: 'udp' | 'tcp';
  rate: number;
  seconds: number;
  stations: number;
  clients: number;
  clientTopics: 'mixed' | 'all';
  /** Sample RSS this often (ms) during the send, for soak growth. */
  rssSampleMs?: number;
  /** Extra engine environment (configuration experiments). */
  engineEnv?: Record<string, string>;
  /** One plan per client (client-plan.ts), instead of `clients` with `clientTopics`. */
  clientPlan?: readonly ClientPlan[];
  /**
   * Called after the engine stopped, before its data dir is removed, with the data dir and the
   * clients' report with `perClient` and `idSets` (neither is in the trial's result). With it, the
   * trial first waits (up to CLIENTS_SETTLE_MS) until the clients' deliveries stop changing, so a
   * count compared with the database is not taken while the last frames are in flight.
   */
  inspect?: (dataDir: string, clients: ClientsReport) => void;
}

export interface TrialResult {
  transport: 'udp' | 'tcp';
  offeredPerSec: number;
  sent: number;
  received: number;
  stored: number;
  rejected: number;
  lost: number;
  /** Frames sent that the engine never read (kernel UDP buffer overflow). */
  unreadByEngine: number;
  published: number;
  /** Committed rows per second over the send window. */
  committedPerSec: number;
  /** Time from the last send until everything received was committed. */
  drainMs: number;
  engineCpuSeconds: number;
  engineCpuPerKFramesMs: number;
  /** CPU of this process (the load generator) during the send: it shares the machine. */
  loadGeneratorCpuSeconds: number;
  peakRssMb: number;
  endRssMb: number;
  rssSamplesMb: number[];
  dbBytes: number;
  bytesPerMessage: number;
  clients: ClientsReport & { expectedDeliveries: number; clientsCpuSeconds: number };
  /** Main-thread seconds spent publishing commits to WebSocket clients (`contrail_stage_seconds{stage="publish"}` sum). */
  publishSeconds: number;
  /** The engine's own histogram of batch age at publish, as bucket upper bound -> share of batches at or below it. */
  commitLatencyCdf: Record<string, number>;
  /**
   * `contrail_mirror_lag_seconds` sampled every MIRROR_SAMPLE_MS from the send's start until the
   * drain ended: highest and nearest-rank p99 (null when no sample read it). The engine sets the
   * gauge once a second, so these are of its 1 s readings.
   */
  mirrorLagMaxS: number | null;
  mirrorLagP99S: number | null;
  mirrorLagSamples: number;
  /** `contrail_mirror_rows` at the end, after waiting up to MIRROR_WAIT_MS for it to reach `stored`. */
  mirrorRows: number;
  /** The DuckDB mirror held every stored row at the end (fresh data dir and frames timed now: the 7-day window holds them all). */
  mirrorHeldAll: boolean;
  /** From the end of the drain until the mirror gauge showed every stored row (0: already at the first look; -1: not within MIRROR_WAIT_MS). */
  mirrorCatchUpMs: number;
}

/** How long `inspect`'s client settling waits at most for the clients' deliveries to stop changing. */
const CLIENTS_SETTLE_MS = 10_000;

/** How often the mirror's lag gauge is read during a trial: cheap (one small HTTP scrape). */
const MIRROR_SAMPLE_MS = 400;
/** How long the end of a trial waits for the mirror's row gauge to reach the stored count (it moves once a second). */
const MIRROR_WAIT_MS = 5000;

/** One gauge from the engine's metrics text, without parsing the rest; null when absent or unreadable. */
async function readGauge(httpPort: number, name: string): Promise<number | null> {
  try {
    const text = await (await fetch(`http://127.0.0.1:${httpPort}/metrics`)).text();
    const m = new RegExp(`^${name}(?:\\{[^}]*\\})?\\s+(\\S+)$`, 'm').exec(text);
    return m ? Number(m[1]) : null;
  } catch {
    return null;
  }
}

/** Reads `contrail_mirror_lag_seconds` every MIRROR_SAMPLE_MS (one read at a time) until stopped. */
function sampleMirrorLag(httpPort: number): { stop(): Promise<number[]> } {
  const samples: number[] = [];
  let stopped = false;
  const loop = (async () => {
    while (!stopped) {
      const v = await readGauge(httpPort, 'contrail_mirror_lag_seconds');
      if (v !== null && Number.isFinite(v)) samples.push(v);
      if (!stopped) await sleep(MIRROR_SAMPLE_MS);
    }
  })();
  return {
    async stop() {
      stopped = true;
      await loop;
      return samples;
    },
  };
}

/** Nearest-rank percentile. */
function percentile(xs: readonly number[], p: number): number | null {
  if (xs.length === 0) return null;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))]!;
}

/** Waits (up to MIRROR_WAIT_MS) until the mirror's row gauge reaches `stored`; the last reading and how long it took. */
async function mirrorCaughtUp(httpPort: number, stored: number, first: number): Promise<{ rows: number; ms: number }> {
  const start = performance.now();
  let rows = first;
  while (rows < stored && performance.now() - start < MIRROR_WAIT_MS) {
    await sleep(100);
    rows = (await readGauge(httpPort, 'contrail_mirror_rows')) ?? rows;
  }
  return { rows, ms: Math.round(performance.now() - start) };
}

const ENGINE_ENV: Record<string, string> = Object.fromEntries(
  [
    ['ACARS', 'ACARS'],
    ['VDLM', 'VDL-M2'],
    ['HFDL', 'HFDL'],
    ['IMSL', 'IMS-L'],
    ['IRDM', 'IRDM'],
  ].map(([name]) => [`${name}_CONNECTIONS`, 'udp://127.0.0.1:0,tcp-listen://127.0.0.1:0']),
);

async function settled(httpPort: number, timeoutMs: number): Promise<{ drainMs: number }> {
  const start = performance.now();
  let last = -1;
  let stableSince = performance.now();
  while (performance.now() - start < timeoutMs) {
    const s = await scrape(httpPort);
    const done = total(s, 'contrail_messages_stored_total') + total(s, 'contrail_frames_rejected_total') + total(s, 'contrail_frames_lost_total') + total(s, 'contrail_frames_non_acars_dropped_total');
    const pending = total(s, 'contrail_pipeline_pending_batches');
    if (done !== last) {
      last = done;
      stableSince = performance.now();
    } else if (pending === 0 && performance.now() - stableSince > 300) {
      return { drainMs: stableSince - start };
    }
    await sleep(50);
  }
  return { drainMs: timeoutMs };
}

/** Waits until two reports 200 ms apart show the same deliveries (or CLIENTS_SETTLE_MS passed). */
async function clientsSettled(clients: ClientsHandle): Promise<void> {
  const start = performance.now();
  let last = (await clients.report()).deliveries;
  while (performance.now() - start < CLIENTS_SETTLE_MS) {
    await sleep(200);
    const now = (await clients.report()).deliveries;
    if (now === last) return;
    last = now;
  }
}

export async function runTrial(templates: readonly FrameTemplate[], o: TrialOptions): Promise<TrialResult> {
  // Dedup off: the load generator sends each frame once per simulated station and every trial
  // accounts for every frame as stored; with dedup on, all but one copy would be (cheaper)
  // duplicates. Label decoding, multi-part joining, aircraft and alert matching all still run.
  const engine = await startEngine({ ...ENGINE_ENV, CONTRAIL_LOG_LEVEL: 'info', CONTRAIL_DEDUP_WINDOW_SECONDS: '0', ...o.engineEnv });
  const pid = engine.child.pid!;
  const clients = await ClientsHandle.start(`ws://127.0.0.1:${engine.httpPort}/ws`, o.clientPlan ?? topicsPlan(o.clients, o.clientTopics)).catch(async (e: unknown) => {
    await engine.stop(); // no engine left behind when the clients cannot connect or subscribe
    engine.cleanup();
    throw e;
  });
  let lagSampler: ReturnType<typeof sampleMirrorLag> | null = null;
  try {
    const ports: LoadPlan['ports'] = {};
    for (const t of DECODER_TYPES) ports[t] = engine.port(t, o.transport === 'udp' ? 'udp' : 'tcp-listen');
    const cpu0 = cpuSeconds(pid);
    const self0 = process.cpuUsage();
    const clientsCpu0 = cpuSeconds(clients.pid);
    const stored0 = total(await scrape(engine.httpPort), 'contrail_messages_stored_total');
    const rssSamplesMb: number[] = [];
    const sampler = o.rssSampleMs ? setInterval(() => rssSamplesMb.push(Math.round(memoryMb(pid).rss)), o.rssSampleMs) : null;
    lagSampler = sampleMirrorLag(engine.httpPort);
    const load = await sendLoad(templates, { transport: o.transport, rate: o.rate, seconds: o.seconds, stations: o.stations, ports });
    const self = process.cpuUsage(self0);
    const storedAtEnd = total(await scrape(engine.httpPort), 'contrail_messages_stored_total');
    if (sampler) clearInterval(sampler);
    const { drainMs } = await settled(engine.httpPort, 30_000);
    const lagSamples = await lagSampler.stop();
    await sleep(200); // last publishes reach the clients
    if (o.inspect) await clientsSettled(clients);
    const s = await scrape(engine.httpPort);
    const engineCpuSeconds = cpuSeconds(pid) - cpu0;
    const mem = memoryMb(pid);
    const { idSets, perClient, ...report } = await clients.report(o.inspect !== undefined);
    const clientsCpuSeconds = cpuSeconds(clients.pid) - clientsCpu0;
    const storedByType = byLabel(s, 'contrail_messages_stored_total', 'type');
    const expectedDeliveries = Object.entries(report.subscribersPerTopic).reduce((sum, [topic, n]) => {
      const type = topic.startsWith('messages:') ? topic.slice(9) : null;
      const stored = type ? (storedByType[type] ?? 0) : total(s, 'contrail_messages_stored_total');
      return sum + n * stored;
    }, 0);
    const received = total(s, 'contrail_frames_received_total');
    const buckets = s.get('contrail_commit_latency_seconds_bucket') ?? [];
    const batches = total(s, 'contrail_commit_latency_seconds_count');
    const commitLatencyCdf = Object.fromEntries(buckets.map((b) => [/le="([^"]+)"/.exec(b.labels)?.[1] ?? '?', Number((b.value / Math.max(1, batches)).toFixed(3))]));
    const stored = total(s, 'contrail_messages_stored_total');
    const mirror = await mirrorCaughtUp(engine.httpPort, stored, total(s, 'contrail_mirror_rows'));
    await clients.close();
    await engine.stop();
    o.inspect?.(engine.dataDir, { ...report, ...(perClient ? { perClient } : {}), ...(idSets ? { idSets } : {}) });
    let dbBytes = 0;
    for (const f of ['contrail.sqlite', 'contrail.sqlite-wal']) {
      try {
        dbBytes += statSync(join(engine.dataDir, f)).size;
      } catch {
        /* no WAL after a clean close */
      }
    }
    return {
      transport: o.transport,
      offeredPerSec: Math.round(load.offeredPerSec),
      sent: load.sent,
      received,
      stored,
      rejected: total(s, 'contrail_frames_rejected_total'),
      lost: total(s, 'contrail_frames_lost_total'),
      unreadByEngine: load.sent - received,
      published: total(s, 'contrail_messages_published_total'),
      committedPerSec: Math.round((storedAtEnd - stored0) / load.seconds),
      drainMs: Math.round(drainMs),
      engineCpuSeconds: Number(engineCpuSeconds.toFixed(2)),
      engineCpuPerKFramesMs: Number(((engineCpuSeconds * 1e6) / Math.max(1, received)).toFixed(3)),
      loadGeneratorCpuSeconds: Number(((self.user + self.system) / 1e6).toFixed(2)),
      peakRssMb: Math.round(mem.peakRss),
      endRssMb: Math.round(mem.rss),
      rssSamplesMb,
      dbBytes,
      bytesPerMessage: Math.round(dbBytes / Math.max(1, stored)),
      clients: { ...report, expectedDeliveries, clientsCpuSeconds: Number(clientsCpuSeconds.toFixed(2)) },
      publishSeconds: Number(total(s, 'contrail_stage_seconds_sum', 'stage="publish"').toFixed(3)),
      commitLatencyCdf,
      mirrorLagMaxS: lagSamples.length > 0 ? Math.max(...lagSamples) : null,
      mirrorLagP99S: percentile(lagSamples, 99),
      mirrorLagSamples: lagSamples.length,
      mirrorRows: mirror.rows,
      mirrorHeldAll: mirror.rows === stored,
      mirrorCatchUpMs: mirror.rows === stored ? mirror.ms : -1,
    };
  } catch (e) {
    await clients.close().catch(() => {});
    await engine.stop();
    throw e;
  } finally {
    await lagSampler?.stop();
    engine.cleanup();
  }
}
