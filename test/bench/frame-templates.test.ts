/** The load generator's frames must be real frames with the send time and station it claims. */
import { describe, expect, it } from 'vitest';
import { buildTemplates, render } from '../../bench/e2e/frame-templates.js';
import { loadCorpus } from '../../bench/lib/corpus.js';
import { normalizeFrame } from '../../src/decode/normalize.js';

describe('load generator frame templates', () => {
  const corpus = loadCorpus();
  const templates = buildTemplates(corpus);

  it('covers every corpus frame', () => {
    expect(templates).toHaveLength(corpus.length);
  });

  it('renders frames that normalize with the given time (to the microsecond) and station', () => {
    const nowUs = 1_800_000_000_123_456;
    for (const t of templates) {
      const text = render(t, nowUs, 'BENCH-0042').toString();
      const r = normalizeFrame(JSON.parse(text), t.hint, 0);
      expect(r.ok, text.slice(0, 120)).toBe(true);
      if (!r.ok) continue;
      expect(r.message.station).toBe('BENCH-0042');
      expect(Math.round(r.message.time * 1e6)).toBe(nowUs);
    }
  });

  it('leaves message text alone even when it holds digits like the placeholders used to', () => {
    const t = buildTemplates([{ file: 'x', hint: 'ACARS', text: '{"timestamp":1.5,"station_id":"A","label":"H1","text":"222222 1111111111"}' }])[0]!;
    const out = JSON.parse(render(t, 1_700_000_000_000_001, 'S').toString()) as { text: string; timestamp: number };
    expect(out.text).toBe('222222 1111111111');
    expect(out.timestamp).toBe(1_700_000_000.000001);
  });
});
