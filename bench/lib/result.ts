/**
 * Every bench script runs in a fresh process and ends by printing one result line; the
 * orchestrator reads it. Anything else a script prints is for humans.
 */
import { spawn } from 'node:child_process';

const PREFIX = 'BENCH_RESULT ';

export function emitResult(result: unknown): void {
  process.stdout.write(`${PREFIX}${JSON.stringify(result)}\n`);
}

export function parseResult<T>(stdout: string): T {
  const line = stdout.split('\n').reverse().find((l) => l.startsWith(PREFIX));
  if (!line) throw new Error('bench script printed no result line');
  return JSON.parse(line.slice(PREFIX.length)) as T;
}

/** Runs `node script args...` in a fresh process, echoes its human output, returns its result. */
export function runBenchScript<T>(script: string, args: string[] = [], env: Record<string, string> = {}): Promise<T> {
  const child = spawn(process.execPath, [script, ...args], { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, ...env } });
  let out = '';
  child.stdout.on('data', (c: Buffer) => {
    const text = c.toString('utf8');
    out += text;
    for (const line of text.split('\n')) if (line && !line.startsWith(PREFIX)) process.stderr.write(`  ${line}\n`);
  });
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => {
      if (code !== 0) reject(new Error(`${script} exited with code ${code}`));
      else {
        try {
          resolve(parseResult<T>(out));
        } catch (e) {
          reject(e);
        }
      }
    });
  });
}
