/**
 * Starts the real engine the way a user does (`node bin/contrail.js serve`), as a child
 * process with its own temp data dir and free ports, and waits for its "contrail ready" log line,
 * which carries the bound addresses. Shared by the integration tests and the benchmarks.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { contrailBin } from './paths.js';

export interface ReadySource {
  descriptor: string;
  type: string;
  kind: string;
  port: number | null;
}

export interface RunningEngine {
  child: ChildProcess;
  /** Milliseconds from spawn to the "contrail ready" line. */
  startupMs: number;
  dataDir: string;
  httpPort: number;
  sources: ReadySource[];
  /** Every stdout/stderr line so far. */
  logs: string[];
  /** The bound port of the first source of this type and kind. */
  port(type: string, kind: string): number;
  /** SIGTERM (unless already gone), then resolves with the exit code once all output is in `logs`. */
  stop(): Promise<number | null>;
  /** Removes the data dir (after stop). */
  cleanup(): void;
}

/** A clean environment: nothing from the developer's shell leaks in as Contrail config. */
function baseEnv(): Record<string, string> {
  const keep = ['PATH', 'HOME', 'TMPDIR', 'LANG', 'SYSTEMROOT'];
  const env: Record<string, string> = {};
  for (const k of keep) if (process.env[k] !== undefined) env[k] = process.env[k]!;
  return env;
}

/**
 * Node flags for the engine, from the bench's own environment (never the engine's):
 * `CONTRAIL_BENCH_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof"` profiles every engine thread,
 * which NODE_OPTIONS refuses.
 */
const engineNodeArgs = (process.env.CONTRAIL_BENCH_NODE_ARGS ?? '').split(/\s+/).filter((a) => a.length > 0);

/** Children still running: killed when this process exits, so a test that timed out leaves no engine behind. */
const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

export function spawnContrail(args: string[], env: Record<string, string>): ChildProcess {
  const child = spawn(process.execPath, [...engineNodeArgs, contrailBin, ...args], { env: { ...baseEnv(), ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  running.add(child);
  child.once('exit', () => running.delete(child));
  return child;
}

/** `dataDir` defaults to a fresh temp dir; pass one to start on an existing database. */
export async function startEngine(env: Record<string, string>, timeoutMs = 30_000, dataDir = mkdtempSync(join(tmpdir(), 'contrail-engine-'))): Promise<RunningEngine> {
  const spawnedAt = performance.now();
  const child = spawnContrail(['serve'], {
    CONTRAIL_DATA_DIR: dataDir,
    CONTRAIL_HTTP_HOST: '127.0.0.1',
    CONTRAIL_HTTP_PORT: '0',
    CONTRAIL_LOG_LEVEL: 'info',
    // The corpus is years old: with the default 7 days, background pruning would delete what
    // the tests and benchmarks just stored. Tests of pruning set their own.
    DB_SAVE_DAYS: '36500',
    DB_ALERT_SAVE_DAYS: '36500',
    ...env,
  });
  const logs: string[] = [];
  // 'close', not 'exit': at 'exit' the pipes may still hold unread output; at 'close' `logs` is complete.
  const closed = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));
  const ready = new Promise<{ http: { port: number }; sources: ReadySource[] }>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL'); // nobody holds a handle to stop it
      reject(new Error(`engine not ready after ${timeoutMs} ms:\n${logs.join('\n')}`));
    }, timeoutMs);
    let partial = '';
    const onData = (chunk: Buffer): void => {
      partial += chunk.toString('utf8');
      const lines = partial.split('\n');
      partial = lines.pop()!;
      for (const line of lines) {
        logs.push(line);
        if (!line.startsWith('{')) continue;
        const entry = JSON.parse(line) as { msg?: string; http?: { port: number }; sources?: ReadySource[] };
        if (entry.msg === 'contrail ready') {
          clearTimeout(timer);
          resolve(entry as { http: { port: number }; sources: ReadySource[] });
        }
      }
    };
    child.stdout!.on('data', onData);
    child.stdout!.once('end', () => {
      if (partial !== '') logs.push(partial);
      partial = '';
    });
    child.stderr!.on('data', (c: Buffer) => logs.push(...c.toString('utf8').split('\n').filter(Boolean)));
    void closed.then((code) => {
      clearTimeout(timer);
      reject(new Error(`engine exited with code ${code} before ready:\n${logs.join('\n')}`));
    });
  });
  const info = await ready;
  const startupMs = performance.now() - spawnedAt;
  return {
    child,
    startupMs,
    dataDir,
    httpPort: info.http.port,
    sources: info.sources,
    logs,
    port(type, kind) {
      const s = info.sources.find((x) => x.type === type && x.kind === kind);
      if (!s || s.port === null) throw new Error(`no ${kind} source for ${type}`);
      return s.port;
    },
    async stop() {
      // Idempotent: once the process is gone (stopped, killed, crashed) only wait for 'close'.
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      return closed;
    },
    cleanup() {
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export interface ContrailRun {
  code: number | null;
  stdout: string;
  stderr: string;
  /** Killed with SIGKILL when `timeoutMs` ran out; always false without a timeout. */
  timedOut: boolean;
}

/**
 * Runs a contrail CLI command to completion. With `timeoutMs`, a command still running then is
 * killed (SIGKILL) and reported as `timedOut`, so one that hangs fails instead of stalling its caller.
 */
export function runContrail(args: string[], env: Record<string, string> = {}, options: { timeoutMs?: number } = {}): Promise<ContrailRun> {
  const child = spawnContrail(args, env);
  let stdout = '';
  let stderr = '';
  let timedOut = false;
  child.stdout!.on('data', (c: Buffer) => (stdout += c.toString('utf8')));
  child.stderr!.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
  const timer =
    options.timeoutMs === undefined
      ? undefined
      : setTimeout(() => {
          timedOut = true;
          child.kill('SIGKILL');
        }, options.timeoutMs);
  // 'close', not 'exit': only then is all of stdout/stderr read (callers parse it right away).
  return new Promise((resolve) =>
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, timedOut });
    }),
  );
}
