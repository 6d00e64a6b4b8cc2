/**
 * The end-to-end suite: the real engine in its own process, 100 WebSocket clients in another,
 * the corpus offered over UDP and TCP from this one. `--full` runs longer trials and a soak.
 * Run by bench/run.ts; runnable alone: node dist/bench/e2e/e2e.js [--full] [--clients N] [--stations N]
 */
import { parseArgs } from 'node:util';
import { loadCorpus } from '../lib/corpus.js';
import { emitResult } from '../lib/result.js';
import { requireNativeUws } from '../lib/uws-native.js';
import { buildTemplates } from './frame-templates.js';
import { runTrial, type TrialOptions, type TrialResult } from './load-trial.js';

const { values } = parseArgs({
  options: {
    full: { type: 'boolean', default: false },
    clients: { type: 'string', default: '100' },
    stations: { type: 'string', default: '4' },
    'soak-seconds': { type: 'string', default: '600' },
  },
});

export interface E2eResult {
  sustainedFramesPerSec: number;
  /** The same TCP trial with one client: ingest capacity without the fan-out to 100 clients. */
  ingestOnlyFramesPerSec: number;
  udpNoLossMaxPerSec: number;
  lossOrLagBeginsAtPerSec: number | null;
  latencyMs: { p50: number; p90: number; p99: number; max: number };
  latencyAt1kMs: { p50: number; p99: number; max: number };
  latencyAtMaxMs: { p50: number; p99: number; max: number; offeredPerSec: number };
  /** Highest RSS over every trial, saturated ones included. */
  peakRssMb: number;
  /** Peak RSS of the 5,000 frames/s trial: the engine in steady, unsaturated work. */
  rssAt5kMb: number;
  bytesPerMessage: number;
  cpuPerKFramesMsAt5k: number;
  /** Highest `contrail_mirror_lag_seconds` reading in the TCP saturation trial (tcp-max); null when none was read. */
  mirrorLagMaxSAtSustained: number | null;
  clients: number;
  stations: number;
  trials: Record<string, TrialResult>;
  soak?: { seconds: number; rate: number; rssStartMb: number; rssEndMb: number; rssGrowthMb: number; peakRssMb: number; lost: number; unreadByEngine: number };
}

const log = (s: string): void => void process.stdout.write(`${s}\n`);

function describeTrial(name: string, t: TrialResult): void {
  log(
    `${name.padEnd(14)} offered ${String(t.offeredPerSec).padStart(6)}/s  committed ${String(t.committedPerSec).padStart(6)}/s  ` +
      `sent ${t.sent} stored ${t.stored} unread ${t.unreadByEngine} lost ${t.lost}  drain ${t.drainMs} ms  ` +
      `p50/p99/max ${t.clients.latencyMs.p50}/${t.clients.latencyMs.p99}/${t.clients.latencyMs.max} ms  ` +
      `cpu ${t.engineCpuPerKFramesMs} ms/1k  peak ${t.peakRssMb} MB  deliveries ${t.clients.deliveries}/${t.clients.expectedDeliveries}  ` +
      `mirror lag max/p99 ${t.mirrorLagMaxS ?? '-'}/${t.mirrorLagP99S ?? '-'} s, ${t.mirrorHeldAll ? 'all rows' : `${t.mirrorRows}/${t.stored} rows`}`,
  );
}

/** Zero loss and a drain under a second: the engine kept up with this offered rate. */
function keptUp(t: TrialResult): boolean {
  return t.unreadByEngine === 0 && t.lost === 0 && t.stored + t.rejected === t.received && t.drainMs < 1000;
}

async function main(): Promise<void> {
  requireNativeUws();
  const full = values.full;
  const clients = Number(values.clients);
  const stations = Number(values.stations);
  const templates = buildTemplates(loadCorpus());
  const seconds = full ? 20 : 8;
  const base: Omit<TrialOptions, 'transport' | 'rate' | 'seconds'> = { stations, clients, clientTopics: 'mixed' };
  const trials: Record<string, TrialResult> = {};
  const run = async (name: string, o: TrialOptions): Promise<TrialResult> => {
    const t = await runTrial(templates, o);
    trials[name] = t;
    describeTrial(name, t);
    return t;
  };

  const at1k = await run('udp-1k', { ...base, transport: 'udp', rate: 1000, seconds });
  const at5k = await run('udp-5k', { ...base, transport: 'udp', rate: 5000, seconds });
  const max = await run('tcp-max', { ...base, transport: 'tcp', rate: 0, seconds: full ? 30 : 10 });
  const sustained = max.committedPerSec;
  const ingestOnly = await run('tcp-max-1client', { ...base, clients: 1, transport: 'tcp', rate: 0, seconds: full ? 30 : 10 });

  // UDP cannot be slowed down: find where loss or lag begins around the TCP-sustained rate.
  let udpNoLossMax = 0;
  let lossAt: number | null = null;
  let atMax: TrialResult | null = null;
  const steps = full ? [0.5, 0.7, 0.85, 1.0, 1.15, 1.3, 1.5] : [0.7, 1.0, 1.3];
  for (const f of steps) {
    const rate = Math.max(1000, Math.round((sustained * f) / 500) * 500);
    const t = await run(`udp-${rate}`, { ...base, transport: 'udp', rate, seconds: full ? 15 : 5 });
    if (f === 1.0) atMax = t;
    if (keptUp(t)) udpNoLossMax = Math.max(udpNoLossMax, rate);
    else if (lossAt === null) lossAt = rate;
  }

  let soak: E2eResult['soak'];
  if (full) {
    const soakSeconds = Number(values['soak-seconds']);
    const t = await run('soak-5k', { ...base, transport: 'udp', rate: 5000, seconds: soakSeconds, rssSampleMs: 5000 });
    const samples = t.rssSamplesMb;
    // Growth: the last minute against the first minute after a minute of warm-up.
    const window = Math.max(1, Math.floor(60_000 / 5000));
    const avg = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
    const start = avg(samples.slice(window, 2 * window));
    const end = avg(samples.slice(-window));
    soak = { seconds: soakSeconds, rate: 5000, rssStartMb: Math.round(start), rssEndMb: Math.round(end), rssGrowthMb: Math.round(end - start), peakRssMb: t.peakRssMb, lost: t.lost, unreadByEngine: t.unreadByEngine };
    log(`soak: RSS ${soak.rssStartMb} -> ${soak.rssEndMb} MB over ${soakSeconds} s`);
  }

  const pick = (t: TrialResult): { p50: number; p99: number; max: number } => ({ p50: t.clients.latencyMs.p50, p99: t.clients.latencyMs.p99, max: t.clients.latencyMs.max });
  const result: E2eResult = {
    sustainedFramesPerSec: sustained,
    ingestOnlyFramesPerSec: ingestOnly.committedPerSec,
    udpNoLossMaxPerSec: udpNoLossMax,
    lossOrLagBeginsAtPerSec: lossAt,
    latencyMs: { ...pick(at5k), p90: at5k.clients.latencyMs.p90 },
    latencyAt1kMs: pick(at1k),
    latencyAtMaxMs: { ...pick(atMax ?? max), offeredPerSec: (atMax ?? max).offeredPerSec },
    peakRssMb: Math.max(...Object.values(trials).map((t) => t.peakRssMb)),
    rssAt5kMb: at5k.peakRssMb,
    bytesPerMessage: max.bytesPerMessage,
    cpuPerKFramesMsAt5k: at5k.engineCpuPerKFramesMs,
    mirrorLagMaxSAtSustained: max.mirrorLagMaxS,
    clients,
    stations,
    trials,
    ...(soak ? { soak } : {}),
  };
  emitResult(result);
}

await main();
