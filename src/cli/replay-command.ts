/**
 * `contrail replay FILE --to URL [--rate N] [--loop N]`: sends a capture file's frames to a
 * listener, paced, with a progress line on stderr and a summary on stdout. The file is framed
 * the way the engine frames a stream, so captures with blank lines or glued objects replay
 * frame for frame; cut-off objects are sent as they are (the engine counts them).
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import cliProgress from 'cli-progress';
import { INTEGER_SETTINGS } from '../config/defaults.js';
import { ContrailError, UsageError } from '../errors.js';
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

/** The largest frame replay sends (over TCP; UDP's limit is lower): CONTRAIL_MAX_FRAME_BYTES's ceiling, past which no engine takes a frame. */
const MAX_FRAME_BYTES = INTEGER_SETTINGS.CONTRAIL_MAX_FRAME_BYTES.max;

/** The file's chunks; a read failure names the file instead of escaping as a bare errno. */
async function* chunksOf(file: string): AsyncGenerator<Buffer> {
  try {
    for await (const chunk of createReadStream(file, { highWaterMark: 1024 * 1024 })) yield chunk as Buffer;
  } catch (e) {
    throw new ContrailError('CONTRAIL_ERR_REPLAY', `reading ${file} failed: ${(e as Error).message}`, { cause: e });
  }
}

export async function replayCommand(file: string, options: ReplayOptions): Promise<void> {
  const target = parseReplayTarget(options.to);
  const rate = wholeNumber('--rate', options.rate, 0);
  const loops = wholeNumber('--loop', options.loop, 1);
  const info = await stat(file).catch((e: NodeJS.ErrnoException) => {
    throw new UsageError(`cannot read ${file}: ${e.code === 'ENOENT' ? 'no such file' : e.message}`);
  });
  if (info.isDirectory()) throw new UsageError(`${file} is a directory: expected a capture file (JSON objects, one per line)`);
  const size = info.size;

  const sender = await openSender(target).catch((e: Error) => {
    throw new UsageError(`cannot connect to ${options.to}: ${e.message}`);
  });
  // Over UDP a frame travels as one datagram: one larger than the largest datagram is skipped and counted.
  const maxFrame = Math.min(MAX_FRAME_BYTES, sender.maxFrameBytes);
  const pacer = new Pacer(rate);
  const bar = new cliProgress.SingleBar(
    {
      format: 'replay |{bar}| {percentage}% | {frames} frames | {skipped} skipped | {fps} frames/s | loop {loop}/{loops} | ETA {eta_formatted}',
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
  const progress = { frames: 0, skipped: 0, fps: 0, loop: 1, loops };
  if (options.progress) bar.start(size * loops, 0, progress);

  let batch: Uint8Array[] = [];
  const framer = new JsonFramer(maxFrame, {
    frame: (b) => batch.push(b),
    reject: (reason, b, full) => {
      if (reason === 'oversize' || b.length < full) oversize++;
      else {
        cut++;
        batch.push(b);
      }
    },
  });
  try {
    for (let loop = 1; loop <= loops; loop++) {
      progress.loop = loop;
      for await (const chunk of chunksOf(file)) {
        framer.push(chunk);
        for (const f of batch) {
          await pacer.next();
          await sender.send(f);
          frames++;
        }
        batch = [];
        if (options.progress) {
          const seconds = (performance.now() - started) / 1000;
          bar.increment(chunk.length, { frames, skipped: oversize, fps: Math.round(frames / Math.max(seconds, 1e-3)) });
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
    if (options.progress) bar.update(size * loops, { frames, skipped: oversize });
  } finally {
    // Stopped on failure too, so the error starts on a line of its own.
    if (options.progress) bar.stop();
  }
  const seconds = (performance.now() - started) / 1000;
  const summary = { file, to: options.to, frames, cutOff: cut, skippedOversize: oversize, maxFrameBytes: maxFrame, seconds: Number(seconds.toFixed(3)), framesPerSecond: Math.round(frames / Math.max(seconds, 1e-6)) };
  process.stdout.write(
    options.json
      ? `${JSON.stringify(summary)}\n`
      : `sent ${frames} frames to ${options.to} in ${summary.seconds} s (${summary.framesPerSecond} frames/s)` +
          (cut ? `, ${cut} cut-off objects sent as they are` : '') +
          (oversize ? `, ${oversize} objects over ${maxFrame} bytes skipped${maxFrame < MAX_FRAME_BYTES ? ' (larger than the largest UDP datagram)' : ''}` : '') +
          '\n',
  );
}
