/**
 * `contrail replay FILE --to URL [--rate N] [--loop N]`: sends a capture file's frames to a
 * listener, paced, with a progress line on stderr and a summary on stdout. The file is framed
 * the way the engine frames a stream, so captures with blank lines or glued objects replay
 * frame for frame; cut-off objects are sent as they are (the engine counts them).
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import cliProgress from 'cli-progress';
import { UsageError } from '../errors.js';
import { JsonFramer } from '../ingest/json-framer.js';
import { openSender } from '../replay/frame-senders.js';
import { Pacer } from '../replay/pacer.js';
import { parseReplayTarget } from '../replay/replay-target.js';

export interface ReplayOptions {
  to: string;
  rate: string;
  loop: string;
  progress: boolean;
  json: boolean;
}

function wholeNumber(name: string, text: string, min: number): number {
  if (!/^\d+$/.test(text) || Number(text) < min) throw new UsageError(`${name} ${JSON.stringify(text)}: expected a whole number >= ${min}`);
  return Number(text);
}

export async function replayCommand(file: string, options: ReplayOptions): Promise<void> {
  const target = parseReplayTarget(options.to);
  const rate = wholeNumber('--rate', options.rate, 0);
  const loops = wholeNumber('--loop', options.loop, 1);
  const size = (await stat(file).catch(() => {
    throw new UsageError(`cannot read ${file}`);
  })).size;

  const sender = await openSender(target).catch((e: Error) => {
    throw new UsageError(`cannot connect to ${options.to}: ${e.message}`);
  });
  const pacer = new Pacer(rate);
  const bar = new cliProgress.SingleBar(
    {
      format: 'replay |{bar}| {percentage}% | {frames} frames | {fps} frames/s | loop {loop}/{loops} | ETA {eta_formatted}',
      stream: process.stderr,
      noTTYOutput: true,
      notTTYSchedule: 2000,
      hideCursor: true,
    },
    cliProgress.Presets.shades_classic,
  );
  const started = performance.now();
  let frames = 0;
  let cut = 0;
  let oversize = 0;
  const progress = { frames: 0, fps: 0, loop: 1, loops };
  if (options.progress) bar.start(size * loops, 0, progress);

  let batch: Uint8Array[] = [];
  const framer = new JsonFramer(16 * 1024 * 1024, {
    frame: (b) => batch.push(b),
    reject: (reason, b, full) => {
      if (reason === 'oversize' || b.length < full) oversize++;
      else {
        cut++;
        batch.push(b);
      }
    },
  });
  for (let loop = 1; loop <= loops; loop++) {
    progress.loop = loop;
    for await (const chunk of createReadStream(file, { highWaterMark: 1024 * 1024 })) {
      framer.push(chunk as Buffer);
      for (const f of batch) {
        await pacer.next();
        await sender.send(f);
        frames++;
      }
      batch = [];
      if (options.progress) {
        const seconds = (performance.now() - started) / 1000;
        bar.increment((chunk as Buffer).length, { frames, fps: Math.round(frames / Math.max(seconds, 1e-3)) });
      }
    }
    framer.end();
    for (const f of batch) {
      await pacer.next();
      await sender.send(f);
      frames++;
    }
    batch = [];
  }
  await sender.close();
  if (options.progress) bar.stop();
  const seconds = (performance.now() - started) / 1000;
  const summary = { file, to: options.to, frames, cutOff: cut, skippedOversize: oversize, seconds: Number(seconds.toFixed(3)), framesPerSecond: Math.round(frames / Math.max(seconds, 1e-6)) };
  process.stdout.write(
    options.json
      ? `${JSON.stringify(summary)}\n`
      : `sent ${frames} frames to ${options.to} in ${summary.seconds} s (${summary.framesPerSecond} frames/s)` +
          (cut ? `, ${cut} cut-off objects sent as they are` : '') +
          (oversize ? `, ${oversize} oversize objects skipped` : '') +
          '\n',
  );
}
