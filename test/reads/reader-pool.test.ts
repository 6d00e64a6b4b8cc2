/**
 * The reader pool with real worker threads (the compiled entry in dist/: run `npm run build`
 * first) on a real database: answers off the main thread, a query over the time limit aborted
 * with CONTRAIL_ERR_QUERY_TIMEOUT while the pool keeps answering, a bound on threads still
 * finishing aborted statements, a bounded queue, coded errors across the boundary, close.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeCorpusRows, packRetimed } from '../../bench/reference/support/corpus-rows.js';
import { openTempDatabase, type TempDatabase } from '../../bench/reference/support/temp-database.js';
import { DECODER_TYPES } from '../../src/decode/message.js';
import type { ContrailError } from '../../src/errors.js';
import { ReaderPool } from '../../src/reads/reader-pool.js';
import { parseSearchRequest } from '../../src/store/reads/search-request.js';
import { DEFAULT_INTEL, MessageWriter } from '../../src/store/message-writer.js';

const WORKER = new URL('../../dist/workers/reader.js', import.meta.url);
/**
 * Rows the spin statement counts: about 1-3 s on this kind of machine, far past the limits
 * below, and short enough that an aborted thread soon finishes it.
 */
const SLOW = 15_000_000;
const NOW = 1_772_000_000;

let temp: TempDatabase;
const pools: ReaderPool[] = [];

function pool(threads: number, timeoutMs: number, maxQueue?: number): ReaderPool {
  const p = new ReaderPool({ dbPath: temp.path, threads, timeoutMs, workerUrl: WORKER, ...(maxQueue !== undefined ? { maxQueue } : {}) });
  pools.push(p);
  return p;
}

async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return 'resolved';
  } catch (e) {
    return (e as ContrailError).code;
  }
}

/** Resolves once `pool.finishing` is 0; fails past the deadline (the aborted statements are bounded). */
async function finished(p: ReaderPool, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (p.finishing > 0) {
    if (Date.now() > deadline) throw new Error('aborted reader threads did not exit');
    await new Promise((r) => setTimeout(r, 50));
  }
}

/**
 * A quick search, retried while it times out: a thread started cold (the label decoder and the
 * reference tables load first) can take longer than these tests' short limits on a busy machine.
 */
async function answered(p: ReaderPool, params: Record<string, string>): Promise<Awaited<ReturnType<ReaderPool['search']>>> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await p.search(parseSearchRequest(params, NOW));
    } catch (e) {
      if ((e as ContrailError).code !== 'CONTRAIL_ERR_QUERY_TIMEOUT' || attempt === 10) throw e;
      // The timed-out thread is finishing its statement; the pool refuses work until it has.
      await finished(p);
    }
  }
}

/**
 * Retries until a quick search answers while a short spin still holds one thread: both threads
 * have then started and opened the database. Answers alone do not show it: a thread replaced
 * after a timed-out warm-up may still be starting.
 */
async function warmBoth(p: ReaderPool): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    let spun = false;
    const spin = codeOf(p.spin(SLOW / 30).then(() => void (spun = true)));
    const quick = await codeOf(p.search(parseSearchRequest({ text: 'KPHX', limit: '1' }, NOW)));
    const beside = quick === 'resolved' && !spun;
    if ((await spin) === 'resolved' && beside) return;
    if (attempt === 10) throw new Error(`reader threads not both warm after ${attempt} attempts (search: ${quick})`);
    await finished(p);
  }
}

beforeAll(async () => {
  if (!existsSync(fileURLToPath(WORKER))) throw new Error(`${fileURLToPath(WORKER)} is missing: run npm run build first`);
  temp = await openTempDatabase('readers');
  const writer = new MessageWriter(temp.db, DECODER_TYPES.map((type) => ({ descriptor: `t:${type}`, type })), { ...DEFAULT_INTEL, dedupWindowS: 0 });
  writer.writeBatch(packRetimed(decodeCorpusRows(), 0, 1000, (k) => ({ msgTime: NOW - 1000 + k })), 1000);
});

afterAll(async () => {
  await Promise.all(pools.map((p) => p.close()));
  temp?.dispose();
});

describe('reader pool', () => {
  it('answers searches in its threads with plain data', async () => {
    // Not a test of the limit: room for cold threads on a starved machine.
    const p = pool(2, 30_000);
    const page = await p.search(parseSearchRequest({ text: 'KPHX', limit: '3' }, NOW));
    expect(page.messages).toHaveLength(3);
    expect(page.total).toBeGreaterThan(3);
    expect(page.messages[0]).toMatchObject({ isAcars: true, type: expect.any(String) });
    const one = await p.message(page.messages[0]!.id);
    expect(one?.id).toBe(page.messages[0]!.id);
  });

  it('aborts a query past the time limit with CONTRAIL_ERR_QUERY_TIMEOUT, and keeps answering', async () => {
    const p = pool(2, 300);
    // Both threads started and warm, so what is timed below is the queries alone.
    await warmBoth(p);
    // p.finishing as the caller is told: its thread must still be running the statement.
    const slow = p.spin(SLOW).then(
      () => ({ err: null, finishing: p.finishing }),
      (e: unknown) => ({ err: e as ContrailError, finishing: p.finishing }),
    );
    // A slow query holds one thread; the other still answers at once.
    const other = await p.search(parseSearchRequest({ tail: 'N8560Z', limit: '2' }, NOW));
    expect(other.messages.length).toBeGreaterThan(0);
    const { err, finishing } = await slow;
    expect(err?.code).toBe('CONTRAIL_ERR_QUERY_TIMEOUT');
    expect(err?.message).toMatch(/did not finish within 300 ms \(CONTRAIL_QUERY_TIMEOUT_MS\).*narrow it with a time range/);
    // Told at the limit, not when the statement ends: its thread had not exited yet.
    expect(finishing).toBe(1);
    // The pool answers the next query on a new thread (started cold).
    const next = await answered(p, { text: 'KPHX', limit: '1' });
    expect(next.messages).toHaveLength(1);
    await finished(p);
  });

  it('refuses new queries while as many aborted threads as it has are still finishing', async () => {
    const p = pool(1, 200);
    await answered(p, { limit: '1' });
    expect(await codeOf(p.spin(SLOW))).toBe('CONTRAIL_ERR_QUERY_TIMEOUT');
    // Its statement runs on (SQLite is not interrupted): the thread is still finishing it.
    expect(p.finishing).toBe(1);
    expect(await codeOf(p.search(parseSearchRequest({}, NOW)))).toBe('CONTRAIL_ERR_BUSY');
    await finished(p);
    expect((await answered(p, { limit: '1' })).messages).toHaveLength(1);
  });

  it('bounds its queue with CONTRAIL_ERR_BUSY', async () => {
    const p = pool(1, 20_000, 1);
    const running = p.spin(SLOW / 5);
    const queued = p.spin(1000);
    expect(await codeOf(p.spin(1000))).toBe('CONTRAIL_ERR_BUSY');
    expect(await running).toBe(SLOW / 5);
    expect(await queued).toBe(1000);
  });

  it('brings coded errors back across the thread boundary, and refuses work after close', async () => {
    const p = pool(1, 5000);
    expect(await codeOf(p.message(0))).toBe('CONTRAIL_ERR_BAD_REQUEST');
    expect(await p.message(999_999_999)).toBeNull();
    await p.close();
    await p.close();
    expect(await codeOf(p.search(parseSearchRequest({}, NOW)))).toBe('CONTRAIL_ERR_CLOSED');
  });
});
