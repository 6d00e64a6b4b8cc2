/** Runs a CLI command in-process and returns what it wrote to stdout (stderr is silenced). */
import { vi } from 'vitest';

export async function capturedStdout(run: () => Promise<void>): Promise<string> {
  let out = '';
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    out += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
    return true;
  });
  vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
  try {
    await run();
  } finally {
    vi.restoreAllMocks();
  }
  return out;
}
