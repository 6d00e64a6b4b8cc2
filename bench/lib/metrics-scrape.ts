/** Reads the engine's Prometheus counters over HTTP, summed over labels unless a label filter is given. */

export type Scrape = Map<string, { labels: string; value: number }[]>;

export async function scrape(httpPort: number): Promise<Scrape> {
  const text = await (await fetch(`http://127.0.0.1:${httpPort}/metrics`)).text();
  const out: Scrape = new Map();
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][\w:]*)(\{[^}]*\})?\s+(\S+)$/.exec(line);
    if (!m) continue;
    const list = out.get(m[1]!) ?? [];
    list.push({ labels: m[2] ?? '', value: Number(m[3]) });
    out.set(m[1]!, list);
  }
  return out;
}

export function total(s: Scrape, name: string, labelFilter = ''): number {
  let sum = 0;
  for (const { labels, value } of s.get(name) ?? []) if (labels.includes(labelFilter)) sum += value;
  return sum;
}

/** Frames the pipeline is done with: committed, counted as copies, rejected, dropped as non-ACARS, or lost. */
export function settledFrames(s: Scrape): number {
  return (
    total(s, 'contrail_messages_stored_total') +
    total(s, 'contrail_duplicates_total') +
    total(s, 'contrail_frames_rejected_total') +
    total(s, 'contrail_frames_non_acars_dropped_total') +
    total(s, 'contrail_frames_lost_total')
  );
}

/** Per-label-value breakdown of a counter, e.g. stored messages by type. */
export function byLabel(s: Scrape, name: string, label: string): Record<string, number> {
  const out: Record<string, number> = {};
  const re = new RegExp(`${label}="([^"]*)"`);
  for (const { labels, value } of s.get(name) ?? []) {
    const key = re.exec(labels)?.[1] ?? '';
    out[key] = (out[key] ?? 0) + value;
  }
  return out;
}
