/** `--seconds N` from the command line, shared by the timed reference scripts. */

/** The run length in seconds: `--seconds N` (or `--seconds=N`), else `fallback`. Throws on a bad value. */
export function secondsArg(argv: readonly string[], fallback: number): number {
  let raw: string | undefined;
  for (let k = 0; k < argv.length; k++) {
    const a = argv[k]!;
    if (a === '--seconds') raw = argv[k + 1];
    else if (a.startsWith('--seconds=')) raw = a.slice('--seconds='.length);
  }
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`--seconds wants a positive number, got ${raw}`);
  return n;
}
