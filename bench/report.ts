/** The shape of a bench result file, and the table printed from it. */
import type { E2eResult } from './e2e/e2e.js';
import type { MachineInfo } from './lib/machine.js';
import type { MicroResult } from './micro/micro-bench.js';

export interface Target {
  name: string;
  goal: string;
  value: number;
  met: boolean;
}

export interface BenchReport {
  commit: string;
  date: string;
  mode: 'quick' | 'full';
  machine: MachineInfo;
  durationS: number;
  micro?: Record<string, MicroResult>;
  reference?: { writerLimitRowsPerSec: number; naiveFramesPerSec: number; writerLimit: unknown; naive: unknown };
  startup?: { emptyMs: number; millionMs: number };
  e2e?: E2eResult;
  ratios?: { toWriterLimit: number; toNaive: number };
  targets?: Target[];
}

const n = (v: number): string => (Math.abs(v) >= 100 ? Math.round(v).toLocaleString('en-US') : String(Number(v.toFixed(2))));

function rows(title: string, lines: [string, string][]): string {
  const w = Math.max(...lines.map(([k]) => k.length));
  return `\n${title}\n${lines.map(([k, v]) => `  ${k.padEnd(w)}  ${v}`).join('\n')}\n`;
}

export function renderTable(r: BenchReport): string {
  let out = `Contrail benchmark (${r.mode}) — commit ${r.commit}, ${r.date}\n`;
  out += `${r.machine.cpuModel}, ${r.machine.cores} cores, ${r.machine.memoryGb} GiB, Node ${r.machine.node}; ${r.durationS} s\n`;
  const e = r.e2e;
  if (e) {
    out += rows(`End to end (${e.clients} WebSocket clients, ${e.stations} stations per frame)`, [
      ['sustained, committed to SQLite (TCP)', `${n(e.sustainedFramesPerSec)} frames/s`],
      ['same, one client only (no fan-out)', `${n(e.ingestOnlyFramesPerSec)} frames/s`],
      ['UDP: highest rate with no loss', `${n(e.udpNoLossMaxPerSec)} frames/s`],
      ['UDP: loss or lag begins at', e.lossOrLagBeginsAtPerSec === null ? 'not reached' : `${n(e.lossOrLagBeginsAtPerSec)} frames/s`],
      ['latency at 1,000/s p50 / p99 / max', `${n(e.latencyAt1kMs.p50)} / ${n(e.latencyAt1kMs.p99)} / ${n(e.latencyAt1kMs.max)} ms`],
      ['latency at 5,000/s p50 / p99 / max', `${n(e.latencyMs.p50)} / ${n(e.latencyMs.p99)} / ${n(e.latencyMs.max)} ms`],
      [`latency at ${n(e.latencyAtMaxMs.offeredPerSec)}/s p50 / p99 / max`, `${n(e.latencyAtMaxMs.p50)} / ${n(e.latencyAtMaxMs.p99)} / ${n(e.latencyAtMaxMs.max)} ms`],
      ['engine CPU at 5,000/s', `${n(e.cpuPerKFramesMsAt5k)} ms per 1,000 frames`],
      ['peak RSS (engine), any trial', `${n(e.peakRssMb)} MB`],
      ['peak RSS (engine) at 5,000/s', `${n(e.rssAt5kMb)} MB`],
      ['SQLite bytes per message (with FTS)', `${n(e.bytesPerMessage)} B`],
      ...(e.soak ? ([['RSS over the soak', `${n(e.soak.rssStartMb)} -> ${n(e.soak.rssEndMb)} MB in ${e.soak.seconds} s`]] as [string, string][]) : []),
    ]);
    const trialLines: [string, string][] = Object.entries(e.trials).map(([name, t]) => [
      name,
      `offered ${n(t.offeredPerSec)}/s, committed ${n(t.committedPerSec)}/s; sent ${t.sent}, stored ${t.stored}, rejected ${t.rejected}, unread ${t.unreadByEngine}, lost ${t.lost}; ` +
        `delivered ${t.clients.deliveries}/${t.clients.expectedDeliveries}; drain ${t.drainMs} ms; ` +
        `CPU s engine ${t.engineCpuSeconds}, clients ${t.clients.clientsCpuSeconds}, load generator ${t.loadGeneratorCpuSeconds}; peak RSS ${t.peakRssMb} MB`,
    ]);
    out += rows('Trials (each on a fresh engine)', trialLines);
  }
  if (r.reference) {
    out += rows('References (same machine, corpus and schema)', [
      ['writer limit (one thread, pre-normalized rows)', `${n(r.reference.writerLimitRowsPerSec)} rows/s`],
      ['naive baseline (parse + autocommit insert)', `${n(r.reference.naiveFramesPerSec)} frames/s`],
      ...(r.ratios
        ? ([
            ['engine / writer limit', `${r.ratios.toWriterLimit}`],
            ['engine / naive baseline', `${r.ratios.toNaive}`],
          ] as [string, string][])
        : []),
    ]);
  }
  if (r.startup) {
    out += rows('Start-up to listening', [
      ['empty database', `${n(r.startup.emptyMs)} ms`],
      ['1,000,000 messages', `${n(r.startup.millionMs)} ms`],
    ]);
  }
  if (r.micro) {
    const lines: [string, string][] = [];
    for (const [suite, res] of Object.entries(r.micro)) {
      for (const t of res.tasks) lines.push([`${suite}: ${t.name}`, `${n(t.opsPerSec)} per s (${t.unit ?? 'op'})`]);
    }
    out += rows('Micro (tinybench, one thread)', lines);
  }
  if (r.targets?.length) {
    out += rows(
      'Targets',
      r.targets.map((t) => [t.name, `${t.met ? 'met' : 'NOT MET'}: ${n(t.value)} (goal ${t.goal})`]),
    );
  }
  return out;
}
