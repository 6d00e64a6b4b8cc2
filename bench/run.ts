/**
 * `npm run bench` / `npm run bench:full`: every benchmark in one run, each part in a fresh
 * process, on the same machine and corpus, so the engine's figures read as ratios of its limits.
 * Prints a table and writes bench/results/<date>-<commit>[-full][-<parts>].json (the parts when
 * --only names other than the default ones).
 *
 *   --full            longer trials and a soak (RSS growth)
 *   --only a,b        any of micro, reference, analytics, search, startup, e2e, udp, fanout, burst
 *                     (fanout, ~2 minutes, and burst, ~3 minutes, run only when named)
 *   --clients N       WebSocket clients in the e2e trials (default 100)
 *   --stations N      station multiplication in the e2e trials (default 4)
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { E2eResult } from './e2e/e2e.js';
import type { FanoutResult } from './e2e/fanout.js';
import { renderFanout } from './e2e/render-fanout.js';
import type { AnalyticsBenchResult } from './reference/analytics-queries.js';
import type { SearchBenchResult } from './reference/search-latency.js';
import { renderUdp } from './udp/render-udp.js';
import type { UdpReceiversResult } from './udp/udp-receivers.js';
import type { BurstResult } from './udp/burst.js';
import { gitCommit, machineInfo } from './lib/machine.js';
import { benchDist, resultsDir } from './lib/paths.js';
import { runBenchScript } from './lib/result.js';
import { requireNativeUws } from './lib/uws-native.js';
import { MICRO_SUITES } from './micro/index.js';
import type { MicroResult } from './micro/micro-bench.js';
import { renderTable, type BenchReport, type Target } from './report.js';

const DEFAULT_PARTS = 'micro,reference,analytics,search,startup,e2e,udp';
const { values } = parseArgs({
  options: {
    full: { type: 'boolean', default: false },
    only: { type: 'string', default: DEFAULT_PARTS },
    clients: { type: 'string', default: '100' },
    stations: { type: 'string', default: '4' },
  },
});
const parts = new Set(values.only.split(',').map((s) => s.trim()));
const full = values.full;
const log = (s: string): void => void process.stderr.write(`${s}\n`);

requireNativeUws();
const started = performance.now();
/** The analytics and search parts ride beside BenchReport's own parts (report.ts renders those; their sections are printed here). */
type Report = BenchReport & { analytics?: AnalyticsBenchResult; search?: SearchBenchResult; udp?: UdpReceiversResult; fanout?: FanoutResult; burst?: BurstResult };
const report: Report = { commit: gitCommit(), date: new Date().toISOString(), mode: full ? 'full' : 'quick', machine: machineInfo(), durationS: 0 };

if (parts.has('micro')) {
  report.micro = {};
  for (const suite of MICRO_SUITES) {
    log(`micro: ${suite}`);
    report.micro[suite] = await runBenchScript<MicroResult>(join(benchDist, 'micro', `${suite}.js`));
  }
}

if (parts.has('reference')) {
  const seconds = full ? '15' : '5';
  log('reference: writer limit');
  const writer = await runBenchScript<{ rowsPerSec: number }>(join(benchDist, 'reference', 'writer-limit.js'), ['--seconds', seconds]);
  log('reference: naive baseline');
  const naive = await runBenchScript<{ framesPerSec: number }>(join(benchDist, 'reference', 'naive-baseline.js'), ['--seconds', seconds]);
  report.reference = { writerLimitRowsPerSec: Math.round(writer.rowsPerSec), naiveFramesPerSec: Math.round(naive.framesPerSec), writerLimit: writer, naive };
}

if (parts.has('analytics')) {
  log('analytics: SQLite and DuckDB paths on the 1M-message database, mirror catch-up');
  report.analytics = await runBenchScript<AnalyticsBenchResult>(join(benchDist, 'reference', 'analytics-queries.js'));
}

if (parts.has('search')) {
  log('search: latency through the reader pool on the 1M-message database');
  report.search = await runBenchScript<SearchBenchResult>(join(benchDist, 'reference', 'search-latency.js'));
}

if (parts.has('startup')) {
  log('startup: empty and 1M-message databases');
  report.startup = await runBenchScript<BenchReport['startup'] & object>(join(benchDist, 'e2e', 'startup.js'));
}

if (parts.has('e2e')) {
  log('e2e: engine, clients and load in separate processes');
  const args = ['--clients', values.clients, '--stations', values.stations, ...(full ? ['--full'] : [])];
  report.e2e = await runBenchScript<E2eResult>(join(benchDist, 'e2e', 'e2e.js'), args);
}

if (parts.has('udp')) {
  log('udp: the native batched UDP receiver against dgram (receiver and framer, no engine)');
  report.udp = await runBenchScript<UdpReceiversResult>(join(benchDist, 'udp', 'udp-receivers.js'), full ? ['--full'] : []);
}

if (parts.has('fanout')) {
  log('fanout: native topics, routed narrow topics and MessagePack, 100 clients, a fresh engine per trial');
  report.fanout = await runBenchScript<FanoutResult>(join(benchDist, 'e2e', 'fanout.js'), ['--clients', values.clients, '--stations', values.stations]);
}

if (parts.has('burst')) {
  log('burst: 10 s of UDP at 10x the sustained rate through the engine, native receiver then dgram');
  report.burst = await runBenchScript<BurstResult>(join(benchDist, 'udp', 'burst.js'), []);
}

if (report.e2e && report.reference) {
  report.ratios = {
    toWriterLimit: Number((report.e2e.sustainedFramesPerSec / report.reference.writerLimitRowsPerSec).toFixed(2)),
    toNaive: Number((report.e2e.sustainedFramesPerSec / report.reference.naiveFramesPerSec).toFixed(2)),
  };
}
report.targets = targets(report);
report.durationS = Math.round((performance.now() - started) / 1000);

mkdirSync(resultsDir, { recursive: true });
// A run of some parts only is named after them, so it does not overwrite a whole run of the same commit.
const partial = values.only === DEFAULT_PARTS ? '' : `-${[...parts].join('+')}`;
const file = join(resultsDir, `${report.date.slice(0, 10)}-${report.commit}${full ? '-full' : ''}${partial}.json`);
writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
process.stdout.write(renderTable(report));
process.stdout.write(renderAnalytics(report));
process.stdout.write(renderSearch(report));
process.stdout.write(renderUdp(report.udp));
process.stdout.write(renderFanout(report.fanout));
process.stdout.write(`\nresult: ${file}\n`);

/** The analytics part and the mirror's lag in the trials: a section after report.ts's table. */
function renderAnalytics(r: Report): string {
  const lines: string[] = [];
  const e = r.e2e;
  if (e) {
    lines.push(`  mirror lag at the sustained rate (tcp-max), max: ${e.mirrorLagMaxSAtSustained ?? '-'} s`);
    for (const [name, t] of Object.entries(e.trials)) {
      const held = t.mirrorHeldAll ? 'held every stored row' : `held ${t.mirrorRows} of ${t.stored} stored rows`;
      lines.push(`  ${name.padEnd(16)} mirror lag max ${t.mirrorLagMaxS ?? '-'} s, p99 ${t.mirrorLagP99S ?? '-'} s (${t.mirrorLagSamples} samples); ${held}`);
    }
  }
  const a = r.analytics;
  if (a) {
    lines.push(`  mirror catch-up (1M messages, empty DuckDB file): ${a.catchUpRowsPerSec.toLocaleString('en-US')} rows/s`);
    lines.push(`  DuckDB bytes per message: ${a.duckdbBytesPerMessage} B (SQLite, FTS included: ${a.sqliteBytesPerMessage} B)`);
    lines.push(`  answers identical on both paths: ${a.queries.length - a.differences} of ${a.queries.length}`);
    lines.push('  median ms, SQLite / DuckDB (the data spans 7 days: 30d and 1y hold the same rows)');
    const ranges = [...new Set(a.queries.map((q) => q.range))];
    const grid = [...new Set(a.queries.map((q) => q.query))].map((query) => [
      query,
      ...ranges.map((range) => {
        const q = a.queries.find((x) => x.query === query && x.range === range);
        return q ? `${q.sqliteMs} / ${q.duckdbMs}${q.identical ? '' : ' DIFFERENT'}` : '-';
      }),
    ]);
    const table = [['', ...ranges], ...grid];
    const widths = table[0]!.map((_, i) => Math.max(...table.map((row) => row[i]!.length)));
    for (const row of table) lines.push(`    ${row.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('   ')}`);
  }
  return lines.length === 0 ? '' : `\nAnalytics and the DuckDB mirror\n${lines.join('\n')}\n`;
}

/** The search part: latency per search, first and fifth pages. */
function renderSearch(r: Report): string {
  const s = r.search;
  if (!s) return '';
  const lines = [
    `  ${s.messages.toLocaleString('en-US')} messages, ${s.threads} reader threads, pages of ${s.limit}, ${s.runs} runs each; ms p50 / p99`,
    `  all first pages: ${s.firstPage.p50Ms} / ${s.firstPage.p99Ms}   all fifth pages: ${s.fifthPage.p50Ms} / ${s.fifthPage.p99Ms}   history (250): ${s.recent250.p50Ms} / ${s.recent250.p99Ms}`,
  ];
  const width = Math.max(...s.searches.map((x) => x.search.length));
  for (const x of s.searches) {
    const fifth = x.fifthP50Ms === null ? '-' : `${x.fifthP50Ms} / ${x.fifthP99Ms}`;
    lines.push(`    ${x.search.padEnd(width)}  ${String(x.total).padStart(8)} found   first ${`${x.firstP50Ms} / ${x.firstP99Ms}`.padStart(15)}   fifth ${fifth.padStart(13)}`);
  }
  return `\nSearch (reader pool, 1M messages)\n${lines.join('\n')}\n`;
}

/** The issue's targets, checked against this run (reported, never asserted). */
function targets(r: Report): Target[] {
  const out: Target[] = [];
  const e = r.e2e;
  if (e) {
    out.push({ name: 'sustained ingest', goal: '>= 20000 frames/s', value: e.sustainedFramesPerSec, met: e.sustainedFramesPerSec >= 20_000 });
    out.push({ name: 'p99 latency at 5,000 frames/s', goal: '<= 100 ms', value: e.latencyMs.p99, met: e.latencyMs.p99 <= 100 });
    out.push({ name: 'peak RSS, any trial (saturated included)', goal: '<= 400 MB', value: e.peakRssMb, met: e.peakRssMb <= 400 });
    out.push({ name: 'RSS at 5,000 frames/s', goal: '<= 400 MB', value: e.rssAt5kMb, met: e.rssAt5kMb <= 400 });
    if (e.soak) out.push({ name: 'RSS growth over soak', goal: '~0 MB', value: e.soak.rssGrowthMb, met: e.soak.rssGrowthMb <= 20 });
  }
  if (r.ratios) {
    out.push({ name: 'share of the writer limit', goal: '>= 0.7', value: r.ratios.toWriterLimit, met: r.ratios.toWriterLimit >= 0.7 });
    out.push({ name: 'times the naive baseline', goal: '>= 2', value: r.ratios.toNaive, met: r.ratios.toNaive >= 2 });
  }
  if (r.startup) out.push({ name: 'start-up, empty database', goal: '<= 1000 ms', value: r.startup.emptyMs, met: r.startup.emptyMs <= 1000 });
  if (e && e.mirrorLagMaxSAtSustained !== null) {
    // README: the mirror takes each commit within about a second. The gauge moves once a second.
    out.push({ name: 'mirror lag at the sustained rate, max', goal: '<= 1 s', value: e.mirrorLagMaxSAtSustained, met: e.mirrorLagMaxSAtSustained <= 1 });
  }
  if (e) {
    const short = Object.values(e.trials).filter((t) => !t.mirrorHeldAll).length;
    out.push({ name: 'trials whose mirror missed stored rows at the end', goal: '0', value: short, met: short === 0 });
  }
  if (r.udp) {
    out.push({ name: 'UDP: native receiver no-loss rate / dgram', goal: '>= 1.5', value: r.udp.rateRatio, met: r.udp.rateRatio >= 1.5 });
  }
  if (r.burst) {
    const native = r.burst.trials.find((t) => t.receiver === 'native');
    if (native) out.push({ name: `burst of ${r.burst.seconds} s at ${r.burst.rate}/s (native): frames not stored`, goal: '0', value: native.sent - native.stored, met: native.sent === native.stored && native.lost === 0 });
  }
  if (r.fanout) {
    const modes = Object.values(r.fanout.modes);
    const duplicates = modes.reduce((sum, m) => sum + m.duplicates, 0);
    out.push({ name: 'fanout: messages delivered twice to a client', goal: '0', value: duplicates, met: duplicates === 0 });
    const differing = modes.filter((m) => !m.deliveriesMatchSql).length;
    out.push({ name: 'fanout: modes whose deliveries differ from the SQL expectation', goal: '0', value: differing, met: differing === 0 });
  }
  if (r.analytics) out.push({ name: 'analytics answers differing between SQLite and DuckDB', goal: '0', value: r.analytics.differences, met: r.analytics.differences === 0 });
  return out;
}
