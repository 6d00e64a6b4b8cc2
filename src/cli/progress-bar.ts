/** The one progress bar style of the CLI: on stderr, and still visible (every 2 s) when stderr is not a terminal. */
import cliProgress from 'cli-progress';

export function progressBar(label: string, enabled: boolean): { update(percent: number, step: string): void; stop(): void } {
  if (!enabled) return { update: () => {}, stop: () => {} };
  const bar = new cliProgress.SingleBar(
    { format: `${label} |{bar}| {percentage}% | {step}`, stream: process.stderr, noTTYOutput: true, notTTYSchedule: 2000 },
    cliProgress.Presets.shades_classic,
  );
  let started = false;
  return {
    update(percent, step) {
      if (!started) bar.start(100, 0, { step });
      started = true;
      bar.update(Math.max(0, Math.min(100, percent)), { step });
    },
    stop() {
      if (started) bar.stop();
    },
  };
}
