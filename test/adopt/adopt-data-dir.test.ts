/**
 * Adopting into a data directory, through the built CLI and the real engine: an engine's old
 * journal and DuckDB mirror do not leak into the adopted database, what is replaced is moved
 * aside (never deleted), the retention warning counts exactly what the engine then deletes, an
 * ACARS Hub database is never an output, and a killed adoption's files are named by `db status`.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { basename, dirname, join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { runContrail, startEngine } from '../../bench/lib/engine-process.js';
import { AdoptError } from '../../src/adopt/adopt-errors.js';
import { adoptDatabase } from '../../src/adopt/adopt-database.js';
import type { AdoptReport } from '../../src/adopt/adopt-report.js';
import { accountedFor, sendTcpLines, taggedFrame, waitUntil } from '../helpers/traffic.js';
import { buildLegacyDb, seedCopy, sha256 } from '../helpers/legacy-db.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function scratch(): { dir: string; source: string; dataDir: string } {
  const { dir, path } = seedCopy();
  dirs.push(dir);
  const dataDir = join(dir, 'data');
  mkdirSync(dataDir);
  return { dir, source: path, dataDir };
}

/**
 * One TCP listener for ACARS, no UDP, on any free port; the mirror window (10 years) holds the
 * seed's 2024 messages, so compare covers them.
 */
function engineEnv(extra: Record<string, string> = {}): Record<string, string> {
  return {
    ENABLE_ACARS: '1',
    ACARS_CONNECTIONS: 'tcp-listen://127.0.0.1:0',
    CONTRAIL_MIRROR_DAYS: '3660',
    ...extra,
  };
}

function query<T>(path: string, sql: string): T {
  const db = new Database(path, { readonly: true, fileMustExist: true });
  try {
    return db.prepare(sql).pluck().get() as T;
  } finally {
    db.close();
  }
}
const messagesIn = (path: string): number => query<number>(path, 'SELECT count(*) FROM messages');

const logged = (logs: string[], msg: string): Record<string, unknown>[] =>
  logs.filter((l) => l.startsWith('{') && l.includes(`"msg":"${msg}`)).map((l) => JSON.parse(l) as Record<string, unknown>);

describe('adopt --force into a data directory an engine has used', () => {
  it('gives exactly the source messages, a mirror equal to SQLite, and moves the old database and journal aside', async () => {
    const { source, dataDir } = scratch();
    const db = join(dataDir, 'contrail.sqlite');
    const sent = 200;
    const engine = await startEngine(engineEnv(), 30_000, dataDir);
    try {
      await sendTcpLines(engine.port('ACARS', 'tcp-listen'), Array.from({ length: sent }, (_, i) => taggedFrame('OLD', 'before-adopt', i)));
      await accountedFor(engine.httpPort, sent);
    } finally {
      await engine.stop();
    }
    expect(messagesIn(db)).toBe(sent);
    const journal = join(dataDir, 'journal');
    const segments = readdirSync(journal).sort();
    expect(segments.length).toBeGreaterThan(0);
    const segmentSums = segments.map((s) => sha256(join(journal, s)));
    expect(existsSync(join(dataDir, 'contrail.duckdb'))).toBe(true);

    const adopt = await runContrail(['db', 'adopt', source, '--force', '--json', '--no-progress'], { CONTRAIL_DATA_DIR: dataDir, DB_SAVE_DAYS: '36500', DB_ALERT_SAVE_DAYS: '36500' });
    expect(adopt.code, adopt.stderr).toBe(0);
    const report = JSON.parse(adopt.stdout) as AdoptReport;
    const seedMessages = messagesIn(source);
    expect(report.contrail.messages).toBe(seedMessages);
    expect(report.retention).toMatchObject({ saveDays: 36500, alertSaveDays: 36500, expiring: 0 });
    expect(report.warnings.filter((w) => w.includes('DB_SAVE_DAYS'))).toEqual([]);

    // The old database (its WAL with it: all `sent` messages) and its journal, byte for byte.
    const aside = report.replaced.dir!;
    expect(dirname(aside)).toBe(dataDir);
    expect(basename(aside)).toMatch(/^replaced-\d{8}T\d{6}Z$/);
    expect(messagesIn(join(aside, 'contrail.sqlite'))).toBe(sent);
    expect(readdirSync(join(aside, 'journal')).sort()).toEqual(segments);
    expect(segments.map((s) => sha256(join(aside, 'journal', s)))).toEqual(segmentSums);
    expect(existsSync(journal)).toBe(false);
    expect(existsSync(join(dataDir, 'contrail.duckdb'))).toBe(false);
    expect(report.replaced.removed).toContain(join(dataDir, 'contrail.duckdb'));

    const again = await startEngine(engineEnv(), 30_000, dataDir);
    try {
      await waitUntil('the mirror to catch up', async () => logged(again.logs, 'analytics: mirror ready').length, (n) => n > 0);
    } finally {
      await again.stop();
    }
    expect(logged(again.logs, 'journal replay: starting')).toEqual([]);
    expect(messagesIn(db)).toBe(seedMessages);

    // Both files, engine stopped: from the day before the first adopted message to now (the old engine's frames).
    const since = String(query<number>(source, 'SELECT min(msg_time) FROM messages') - 86_400);
    const compare = await runContrail(['compare', '--since', since, '--json'], { CONTRAIL_DATA_DIR: dataDir, CONTRAIL_MIRROR_DAYS: '3660' });
    expect(compare.code, compare.stdout + compare.stderr).toBe(0);
    expect(JSON.parse(compare.stdout)).toMatchObject({ via: 'files', behind: null, differences: [] });
  });

  it('leaves the journal and mirror of a data directory alone when --output names another file there', async () => {
    const { dir, source } = scratch();
    const journal = join(dir, 'journal');
    mkdirSync(journal);
    writeFileSync(join(journal, '0000000000000000.seg'), 'frames of contrail.sqlite');
    writeFileSync(join(dir, 'contrail.duckdb'), 'mirror of contrail.sqlite');
    const output = join(dir, 'other.sqlite');
    await adoptDatabase(source, { output });
    const report = await adoptDatabase(source, { output, force: true });
    expect(report.replaced.moved.map((m) => basename(m.from))).toContain('other.sqlite');
    expect(report.replaced.moved.map((m) => basename(m.from))).not.toContain('journal');
    expect(report.replaced.removed).toEqual([]);
    expect(messagesIn(join(report.replaced.dir!, 'other.sqlite'))).toBe(messagesIn(source));
    expect(readdirSync(journal)).toEqual(['0000000000000000.seg']);
    expect(existsSync(join(dir, 'contrail.duckdb'))).toBe(true);
  });
});

describe('the retention warning', () => {
  /**
   * A cutoff just after the start of the widest gap between consecutive times inside (from, to).
   * A cutoff given in days moves later as time passes (now - days), so it is set near the gap's
   * start: the seconds between computing it and the engine's pruning pass stay inside the gap.
   */
  function widestGap(times: number[], from: number, to: number): number {
    const inside = [...new Set(times)].filter((t) => t > from && t < to).sort((a, b) => a - b);
    let best = { width: 0, at: 0 };
    for (let i = 1; i < inside.length; i++) {
      const width = inside[i]! - inside[i - 1]!;
      if (width > best.width) best = { width, at: inside[i - 1]! + 1 };
    }
    expect(best.width, 'a gap long enough for the seconds the test takes').toBeGreaterThanOrEqual(120);
    return best.at;
  }

  it('counts the adopted messages the next start deletes, in JSON and in words, and the engine deletes exactly those', async () => {
    const { dir, source, dataDir } = scratch();
    const legacy = new Database(source, { readonly: true });
    const all = legacy.prepare('SELECT msg_time FROM messages').pluck().all() as number[];
    const matched = legacy.prepare('SELECT DISTINCT m.msg_time FROM messages m JOIN alert_matches a ON a.message_uid = m.uid').pluck().all() as number[];
    const alerted = new Set(legacy.prepare('SELECT DISTINCT message_uid FROM alert_matches').pluck().all() as string[]);
    const rows = legacy.prepare('SELECT uid, msg_time FROM messages').all() as { uid: string; msg_time: number }[];
    legacy.close();
    // Cutoffs inside the seed's day, in gaps between messages: the alert cutoff among the alert-matched ones, the plain one later.
    const [first, last] = [Math.min(...all), Math.max(...all)];
    const alertCut = widestGap(all, Math.min(...matched), Math.max(...matched) - (Math.max(...matched) - Math.min(...matched)) / 2);
    const plainCut = widestGap(all, first + (last - first) / 2, last);
    const expiringAlert = rows.filter((r) => alerted.has(r.uid) && r.msg_time < alertCut).length;
    const expiring = rows.filter((r) => !alerted.has(r.uid) && r.msg_time < plainCut).length + expiringAlert;
    expect(expiringAlert).toBeGreaterThan(0);
    expect(expiring).toBeLessThan(rows.length);
    const nowS = Date.now() / 1000;
    const retention = { DB_SAVE_DAYS: ((nowS - plainCut) / 86_400).toFixed(6), DB_ALERT_SAVE_DAYS: ((nowS - alertCut) / 86_400).toFixed(6) };
    const [saveDays, alertSaveDays] = [Number(retention.DB_SAVE_DAYS), Number(retention.DB_ALERT_SAVE_DAYS)];
    const words = `${expiring} of the ${rows.length} adopted messages (${expiringAlert} of them alert-matched) are older than the retention, DB_SAVE_DAYS=${saveDays} (DB_ALERT_SAVE_DAYS=${alertSaveDays} for alert-matched ones)`;

    const json = await runContrail(['db', 'adopt', source, '--json', '--no-progress'], { CONTRAIL_DATA_DIR: dataDir, ...retention });
    expect(json.code, json.stderr).toBe(0);
    const report = JSON.parse(json.stdout) as AdoptReport;
    expect(report.retention).toMatchObject({ saveDays, alertSaveDays, expiring, expiringAlertMatched: expiringAlert });
    expect(report.warnings.find((w) => w.includes('DB_SAVE_DAYS'))).toContain(words);

    const human = await runContrail(['db', 'adopt', source, '--output', join(dir, 'human.sqlite'), '--no-progress'], retention);
    expect(human.code, human.stderr).toBe(0);
    expect(human.stdout).toContain(`warning: ${words}`);
    expect(human.stdout).toMatch(/start the engine with DB_SAVE_DAYS above \d+ .*up to 36500/);

    const engine = await startEngine(engineEnv(retention), 30_000, dataDir);
    let pruned: Record<string, unknown>;
    try {
      pruned = (await waitUntil('a pruning pass', async () => logged(engine.logs, 'maintenance: pruned by age'), (l) => l.length > 0))[0]!;
    } finally {
      await engine.stop();
    }
    expect(pruned).toMatchObject({ messages: expiring, alertMatched: expiringAlert });
    expect(messagesIn(join(dataDir, 'contrail.sqlite'))).toBe(rows.length - expiring);
  });
});

describe('what adopt refuses or reports', () => {
  it('refuses an ACARS Hub database as --output, forced or not, and leaves it byte for byte', async () => {
    const { dir, source } = scratch();
    const theirs = join(dir, 'messages.db');
    copyFileSync(source, theirs);
    const before = sha256(theirs);
    for (const force of [['--force'], []]) {
      const r = await runContrail(['db', 'adopt', source, '--output', theirs, '--no-progress', ...force]);
      expect(r.code, r.stdout).toBe(1);
      expect(r.stderr).toMatch(/the output .*messages\.db is an ACARS Hub database \(generation 2, revision a1b2c3d4e5f6\); .*never replaces one, even with --force/);
      expect(sha256(theirs)).toBe(before);
    }
    expect(readdirSync(dir).filter((f) => f.startsWith('replaced-') || f.includes('adopting') || f.endsWith('.lock'))).toEqual([]);
  });

  it('refuses an ACARS Hub database of a revision it does not know as the output', async () => {
    const { dir, source } = scratch();
    const theirs = join(dir, 'future.db');
    buildLegacyDb(theirs, { revision: '8c9d47f5ed13' });
    const db = new Database(theirs);
    db.prepare('UPDATE alembic_version SET version_num = ?').run('ffff00001111');
    db.close();
    const before = sha256(theirs);
    const e = await adoptDatabase(source, { output: theirs, force: true }).catch((err: unknown) => err);
    expect(e).toBeInstanceOf(AdoptError);
    expect((e as Error).message).toMatch(/is an ACARS Hub database \(an ACARS Hub revision this Contrail does not know\)/);
    expect(sha256(theirs)).toBe(before);
  });

  it('db status names the files a killed adoption left, until the next adoption removes them', async () => {
    const { source, dataDir } = scratch();
    const env = { CONTRAIL_DATA_DIR: dataDir };
    expect((await runContrail(['db', 'adopt', source, '--no-progress'], env)).code).toBe(0);
    const db = join(dataDir, 'contrail.sqlite');
    writeFileSync(`${db}.adopting`, Buffer.alloc(3_000_000));
    writeFileSync(`${db}.adopting-source`, Buffer.alloc(1_000_000));
    const gone = spawnSync(process.execPath, ['-e', '']).pid!;
    writeFileSync(`${db}.migrate.lock`, JSON.stringify({ pid: gone, host: hostname(), command: 'contrail db adopt', since: Date.now() }));

    const human = await runContrail(['db', 'status'], env);
    expect(human.code, human.stderr).toBe(0);
    expect(human.stdout).toMatch(/warning: an interrupted `contrail db adopt` left 2 temporary files \(4\.0 MB\): .*contrail\.sqlite\.adopting \(3\.0 MB\), .*contrail\.sqlite\.adopting-source \(1\.0 MB\); .*can be deleted/);
    expect(human.stdout).toContain(`${db}.migrate.lock names a process that is gone (pid ${gone} `);
    const json = JSON.parse((await runContrail(['db', 'status', '--json'], env)).stdout) as { adoptLeftovers: { files: { path: string }[] } };
    expect(json.adoptLeftovers.files.map((f) => f.path)).toEqual([`${db}.adopting`, `${db}.adopting-source`]);

    expect((await runContrail(['db', 'adopt', source, '--force', '--no-progress'], env)).code).toBe(0);
    const after = await runContrail(['db', 'status', '--json'], env);
    expect((JSON.parse(after.stdout) as { adoptLeftovers: unknown }).adoptLeftovers).toBeNull();
  });
});
