import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load-config.js';
import { ConfigError } from '../../src/errors.js';

function problems(env: Record<string, string>): string[] {
  try {
    loadConfig(env, '/srv');
  } catch (e) {
    if (e instanceof ConfigError) return [...e.problems];
    throw e;
  }
  return [];
}

describe('journal settings', () => {
  it('defaults: under the data dir, 64 MiB segments, fsync every second, a day of retention', () => {
    const j = loadConfig({}, '/srv').journal;
    expect(j).toEqual({ dir: '/srv/data/journal', segmentBytes: 64 * 2 ** 20, fsync: { mode: 'interval', ms: 1000 }, retentionMs: 24 * 3_600_000, maxBytes: 4 * 2 ** 30 });
  });

  it('takes none, batch, or milliseconds for CONTRAIL_JOURNAL_FSYNC', () => {
    expect(loadConfig({ CONTRAIL_JOURNAL_FSYNC: 'none' }, '/srv').journal.fsync).toEqual({ mode: 'none' });
    expect(loadConfig({ CONTRAIL_JOURNAL_FSYNC: 'BATCH' }, '/srv').journal.fsync).toEqual({ mode: 'batch' });
    expect(loadConfig({ CONTRAIL_JOURNAL_FSYNC: '250' }, '/srv').journal.fsync).toEqual({ mode: 'interval', ms: 250 });
    for (const bad of ['always', '0', '60001', '1.5', '']) {
      expect(problems({ CONTRAIL_JOURNAL_FSYNC: bad }).join('\n')).toMatch(/CONTRAIL_JOURNAL_FSYNC=".*": must be none, batch, or a number of milliseconds from 1 to 60000/);
    }
  });

  it('checks the segment size, retention and size cap ranges', () => {
    const p = problems({ CONTRAIL_JOURNAL_SEGMENT_BYTES: '1000', CONTRAIL_JOURNAL_RETENTION_HOURS: '-1', CONTRAIL_JOURNAL_MAX_BYTES: '12' }).join('\n');
    expect(p).toMatch(/CONTRAIL_JOURNAL_SEGMENT_BYTES="1000".*1048576 to 1073741824/);
    expect(p).toMatch(/CONTRAIL_JOURNAL_RETENTION_HOURS="-1".*0 to 87600/);
    expect(p).toMatch(/CONTRAIL_JOURNAL_MAX_BYTES="12".*16777216/);
  });
});
