/** The fanout part's section of the printed table (bench/run.ts). */
import type { FanoutResult } from './fanout.js';

export function renderFanout(r: FanoutResult | undefined): string {
  if (!r) return '';
  const rate = `${r.ratePerSec.toLocaleString('en-US')}/s`;
  const head = ['mode', 'sustained (TCP)', 'vs native', `p50 / p99 at ${rate}`, `CPU ms/1k at ${rate} / max`, 'publish ms/1k', 'deliveries/msg', 'duplicates', 'ids = SQL'];
  const rows = Object.entries(r.modes).map(([mode, m]) => [
    mode,
    `${m.sustainedFramesPerSec.toLocaleString('en-US')}/s`,
    m.sustainedVsNative.toFixed(2),
    `${m.latencyMs.p50} / ${m.latencyMs.p99} ms`,
    `${m.cpuPerKFramesMsAtRate} / ${m.cpuPerKFramesMsAtMax}`,
    `${m.publishMsPerKFramesAtRate} / ${m.publishMsPerKFramesAtMax}`,
    String(m.deliveriesPerMessage),
    String(m.duplicates),
    m.deliveriesMatchSql ? 'yes' : 'NO',
  ]);
  const table = [head, ...rows];
  const widths = head.map((_, i) => Math.max(...table.map((row) => row[i]!.length)));
  const lines = table.map((row) => `  ${row.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ')}`);
  return `\nFan-out (${r.clients} WebSocket clients, ${r.stations} stations per frame, ${r.seconds} s trials, a fresh engine each)\n${lines.join('\n')}\n`;
}
