/**
 * The command: its verification table and JSON, its default output (the configured database),
 * and, once main.ts registers `contrail db adopt`, the real built CLI.
 */
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { runContrail } from '../../bench/lib/engine-process.js';
import type { AdoptReport } from '../../src/adopt/adopt-report.js';
import { adoptCommand } from '../../src/cli/db-adopt-command.js';
import { capturedStdout } from '../helpers/captured-output.js';
import { seedCopy, sha256 } from '../helpers/legacy-db.js';

const dirs: string[] = [];
afterEach(() => {
  vi.restoreAllMocks();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function source(): { dir: string; path: string } {
  const s = seedCopy();
  dirs.push(s.dir);
  return s;
}


const legacyCount = (path: string, table: string): number => {
  const db = new Database(path, { readonly: true });
  const n = db.prepare(`SELECT count(*) FROM ${table}`).pluck().get() as number;
  db.close();
  return n;
};

describe('adoptCommand', () => {
  it('prints the summary and an aligned verification table ending the output', async () => {
    const { dir, path } = source();
    const output = join(dir, 'contrail.sqlite');
    const text = await capturedStdout(() => adoptCommand(path, { output, force: false, json: false, progress: true }));
    expect(text).toMatch(new RegExp(`^adopted ${path} \\(ACARS Hub generation 2, revision a1b2c3d4e5f6\\) into ${output}`));
    const lines = text.trimEnd().split('\n');
    const head = lines.findIndex((l) => l.startsWith('legacy table'));
    expect(head).toBeGreaterThan(0);
    const table = lines.slice(head);
    // Right-aligned numbers: every row of the table is as wide as its header.
    for (const l of table) expect(l.length, l).toBe(table[0]!.length);
    const messages = table.find((l) => l.startsWith('messages '))!.trim().split(/\s+/);
    const n = String(legacyCount(path, 'messages'));
    expect(messages).toEqual(['messages', 'messages', n, n, '0', '0']);
    expect(text).toContain('not carried:\n  __drizzle_migrations (1 row):');
  });

  it('prints the report as JSON with --json', async () => {
    const { dir, path } = source();
    const output = join(dir, 'contrail.sqlite');
    const report = JSON.parse(await capturedStdout(() => adoptCommand(path, { output, force: false, json: true, progress: false }))) as AdoptReport;
    expect(report.output).toBe(output);
    expect(report.tables.find((t) => t.from === 'alert_matches')).toMatchObject({ before: legacyCount(path, 'alert_matches'), after: legacyCount(path, 'alert_matches') });
  });

  it('writes to the configured database when no output is given', async () => {
    const { dir, path } = source();
    const dataDir = join(dir, 'data');
    vi.stubEnv('CONTRAIL_DATA_DIR', dataDir);
    try {
      await capturedStdout(() => adoptCommand(path, { force: false, json: true, progress: false }));
    } finally {
      vi.unstubAllEnvs();
    }
    expect(legacyCount(join(dataDir, 'contrail.sqlite'), 'messages')).toBe(legacyCount(path, 'messages'));
  });
});

describe('contrail db adopt (the built CLI)', () => {
  let wired = false;
  beforeAll(async () => {
    const help = await runContrail(['db', 'adopt', '--help']);
    wired = help.code === 0 && help.stdout.includes('--force');
  });

  it('adopts the seed and exits 0; refuses an existing output with exit 1', async (ctx) => {
    if (!wired) ctx.skip();
    const { dir, path } = source();
    const before = sha256(path);
    const output = join(dir, 'cli.sqlite');
    const ok = await runContrail(['db', 'adopt', path, '--output', output, '--json', '--no-progress']);
    expect(ok.code, ok.stderr).toBe(0);
    expect((JSON.parse(ok.stdout) as AdoptReport).contrail.messages).toBe(legacyCount(path, 'messages'));
    expect(sha256(path)).toBe(before);
    const again = await runContrail(['db', 'adopt', path, '--output', output, '--no-progress']);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/already holds \d+ messages; pass --force/);
    expect(existsSync(`${output}.adopting`)).toBe(false);
  });
});
