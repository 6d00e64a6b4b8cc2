/**
 * docs/grafana-dashboard.json queries the engine's own metric names: a renamed or removed metric
 * must fail here, not in an operator's empty panel.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { EngineMetrics } from '../../src/metrics/engine-metrics.js';

const DASHBOARD = new URL('../../docs/grafana-dashboard.json', import.meta.url);

describe('the Grafana dashboard', () => {
  it('is valid JSON whose every query names a metric the engine exports', async () => {
    const dashboard = JSON.parse(readFileSync(DASHBOARD, 'utf8')) as { panels: { title: string; targets: { expr: string }[] }[] };
    const exported = new Set([...(await new EngineMetrics().registry.metrics()).matchAll(/^# TYPE (\S+) (\w+)$/gm)].flatMap(([, name, type]) => (type === 'histogram' ? [`${name}_bucket`, `${name}_sum`, `${name}_count`] : [name!])));
    const used = dashboard.panels.flatMap((p) => p.targets.flatMap((t) => [...t.expr.matchAll(/\bcontrail_[a-z_]+\b/g)].map(([m]) => ({ panel: p.title, metric: m }))));
    expect(used.length).toBeGreaterThan(20);
    expect(used.filter((u) => !exported.has(u.metric))).toEqual([]);
    expect(new Set(dashboard.panels.map((p) => p.title)).size).toBe(dashboard.panels.length);
  });
});
