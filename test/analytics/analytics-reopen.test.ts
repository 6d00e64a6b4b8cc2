/**
 * The analytics service across a restore: the database file is swapped by the real restore
 * (restoreDatabase, as the writer does it), then the service is told. Requests that began on the
 * old connection finish on it, requests asked during the switch answer from the new file, the
 * mirror is rebuilt from the new file (nothing of the replaced one stays), and a close during
 * the switch is safe and leaves a mirror the next start catches up correctly.
 */
import { join, dirname } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { decodeCorpusRows, packRetimed } from '../../bench/reference/support/corpus-rows.js';
import { openTempDatabase, type TempDatabase } from '../../bench/reference/support/temp-database.js';
import { AnalyticsService } from '../../src/analytics/analytics-service.js';
import { parseAnalyticsRequest } from '../../src/analytics/analytics-request.js';
import { DECODER_TYPES } from '../../src/decode/message.js';
import { DEFAULT_INTEL, MessageWriter } from '../../src/store/message-writer.js';
import { openWriterDatabase, type Db } from '../../src/store/open-database.js';
import { createBackup } from '../../src/store/schema/backups.js';
import { restoreDatabase } from '../../src/store/schema/restore-database.js';
import type { FromAnalytics } from '../../src/threads/analytics-protocol.js';
import { waitUntil } from '../helpers/traffic.js';

const templates = decodeCorpusRows();

/** `count` rows from `station`, message times in the last hour (inside the mirror's window). */
function write(db: Db, station: string, count: number, journalEnd: number): number {
  const writer = new MessageWriter(db, DECODER_TYPES.map((type) => ({ descriptor: `t:${type}`, type })), { ...DEFAULT_INTEL, dedupWindowS: 0 });
  const now = Date.now() / 1000;
  const out = writer.writeBatch(packRetimed(templates, 0, count, (k) => ({ msgTime: now - 3000 + k * 0.5, station })), journalEnd);
  return out.lastId!;
}

interface Answer {
  source: string;
  fallback?: string;
  result: { top: { value: string; messages: number }[] };
}

const stations = (source?: 'sqlite' | 'duckdb'): ReturnType<typeof parseAnalyticsRequest> =>
  parseAnalyticsRequest('top', { from: '2h', field: 'station', limit: '50', ...(source ? { source } : {}) });

function byStation(a: unknown): Record<string, number> {
  return Object.fromEntries((a as Answer).result.top.map((t) => [t.value, t.messages]));
}

describe('AnalyticsService after a restore', () => {
  let temp: TempDatabase | null = null;
  const services: AnalyticsService[] = [];
  afterEach(async () => {
    for (const s of services.splice(0)) await s.close();
    temp?.dispose();
    temp = null;
  });

  /** A store with a backup of 300 BACKUP rows, then 500 LATER rows past it; the writer connection closed. */
  async function storeWithBackup(): Promise<{ path: string; duckdbPath: string; backups: { dir: string; keep: number; keepDays: number }; backupId: string }> {
    temp = await openTempDatabase('analytics-reopen');
    const backups = { dir: join(dirname(temp.path), 'backups'), keep: 5, keepDays: 7 };
    write(temp.db, 'BACKUP', 300, 1000);
    const backup = await createBackup(temp.db, backups.dir, 'test');
    write(temp.db, 'LATER', 500, 2000);
    temp.db.close();
    return { path: temp.path, duckdbPath: join(dirname(temp.path), 'contrail.duckdb'), backups, backupId: backup.id };
  }

  async function startService(path: string, duckdbPath: string, posted: FromAnalytics[] = [], rebuild = false): Promise<AnalyticsService> {
    const s = new AnalyticsService({ dbPath: path, duckdbPath, dataSource: 'duckdb', windowDays: 7, ...(rebuild ? { rebuild } : {}) }, (m) => posted.push(m));
    services.push(s);
    await s.start();
    return s;
  }

  /** Until the mirror answers (no fallback) and agrees with SQLite. */
  async function settled(s: AnalyticsService): Promise<Record<string, number>> {
    const { duck } = await waitUntil(
      'the mirror to settle',
      async () => ({ duck: (await s.answer(stations())) as Answer, lite: await s.answer(stations('sqlite')) }),
      ({ duck, lite }) => duck.source === 'duckdb' && JSON.stringify(byStation(duck)) === JSON.stringify(byStation(lite)),
      10_000,
    );
    return byStation(duck);
  }

  it('switches reads to the restored file, rebuilds the mirror from it, and follows new commits', { timeout: 60_000 }, async () => {
    const { path, duckdbPath, backups, backupId } = await storeWithBackup();
    const posted: FromAnalytics[] = [];
    const service = await startService(path, duckdbPath, posted);
    expect(await settled(service)).toEqual({ BACKUP: 300, LATER: 500 });

    await restoreDatabase(path, backups, backupId);
    // Requests already running when the service is told (compare reads SQLite between DuckDB awaits).
    const compare = parseAnalyticsRequest('compare', { from: '2h' });
    const before = [service.answer(compare), service.answer(stations()), service.answer(stations('sqlite'))];
    posted.length = 0;
    const switched = service.reopen();
    // Asked during the switch: answered from the restored file, on either path.
    const during = [service.answer(stations()), service.answer(stations('sqlite')), service.answer(compare)];
    const settledBefore = await Promise.allSettled(before);
    expect(settledBefore.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled', 'fulfilled']);
    // compare files a failed query as a difference: none means every read found its connection open.
    expect((settledBefore[0] as PromiseFulfilledResult<{ differences: unknown[] }>).value.differences).toEqual([]);
    const answeredDuring = await Promise.all(during);
    expect(byStation(answeredDuring[0])).toEqual({ BACKUP: 300 });
    expect(byStation(answeredDuring[1])).toEqual({ BACKUP: 300 });
    expect((answeredDuring[2] as { differences: unknown[] }).differences).toEqual([]);
    await switched;
    expect(posted).toContainEqual({ kind: 'catch-up', progress: expect.objectContaining({ done: true, percent: 100 }) });

    // New commits on the restored file reach the mirror.
    const db = openWriterDatabase(path);
    try {
      const lastId = write(db, 'AFTER', 200, 3000);
      service.committed(lastId, [], Date.now());
      expect(await settled(service)).toEqual({ BACKUP: 300, AFTER: 200 });
    } finally {
      db.close();
    }
  });

  it('refuses requests while detached (schema behind), and answers again once reopened', { timeout: 60_000 }, async () => {
    const { path, duckdbPath, backups, backupId } = await storeWithBackup();
    const service = await startService(path, duckdbPath);
    expect(await settled(service)).toEqual({ BACKUP: 300, LATER: 500 });
    await restoreDatabase(path, backups, backupId);
    await service.detach();
    await expect(service.answer(stations())).rejects.toMatchObject({ code: 'CONTRAIL_ERR_NOT_READY' });
    await service.reopen();
    expect(await settled(service)).toEqual({ BACKUP: 300 });
  });

  it('closes safely during a switch; the next start holds only rows of the restored file', { timeout: 60_000 }, async () => {
    const { path, duckdbPath, backups, backupId } = await storeWithBackup();
    const first = await startService(path, duckdbPath);
    expect(await settled(first)).toEqual({ BACKUP: 300, LATER: 500 });
    await restoreDatabase(path, backups, backupId);
    const pending = first.answer(stations());
    const switched = first.reopen();
    await first.close();
    await switched;
    await pending;
    services.splice(services.indexOf(first), 1);

    const second = await startService(path, duckdbPath);
    expect(await settled(second)).toEqual({ BACKUP: 300 });
  });

  it('a start told to rebuild empties a mirror of a replaced file', { timeout: 60_000 }, async () => {
    const { path, duckdbPath, backups, backupId } = await storeWithBackup();
    const first = await startService(path, duckdbPath);
    expect(await settled(first)).toEqual({ BACKUP: 300, LATER: 500 });
    await first.close();
    services.splice(services.indexOf(first), 1);
    await restoreDatabase(path, backups, backupId);

    const second = await startService(path, duckdbPath, [], true);
    expect(await settled(second)).toEqual({ BACKUP: 300 });
  });
});
