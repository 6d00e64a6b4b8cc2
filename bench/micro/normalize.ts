/**
 * The decode worker's CPU per frame. Per decoder family: JSON.parse + normalizeFrame (parsed
 * inside the task, because normalizeFrame consumes its input). Then the whole decode task,
 * decodeFrames, on a batch of 512 corpus frames built as the dispatcher builds them.
 * Per-family ops are passes over that family's frames, reported per frame.
 */
import { decodeFrames } from '../../src/decode/decode-frames.js';
import { normalizeFrame } from '../../src/decode/normalize.js';
import { entry, finish, newBench, quick, type MicroTask } from './micro-bench.js';
import { framesByFamily, frameBatches, SOURCE_TYPES } from './inputs.js';

const BATCH = 512;
const families = framesByFamily();
const now = Date.now();

// Nine tasks: a shorter budget each keeps the suite within about 4 s.
const bench = newBench({ time: quick ? 100 : 300, warmupTime: quick ? 30 : 100 });
for (const { family, frames } of families) {
  bench.add(`parse + normalize: ${family} (${frames.length} frames)`, () => {
    let ok = 0;
    for (const f of frames) if (normalizeFrame(JSON.parse(f.text), f.hint, now).ok) ok++;
    return ok;
  });
}

// A few distinct batches so one batch's quirks do not decide the number.
const batches = frameBatches(BATCH, 3);
const ctx = { sourceTypes: SOURCE_TYPES, storeNonAcars: true };
let next = 0;
bench.add(`decodeFrames, batch of ${BATCH}`, () => decodeFrames(batches[next++ % batches.length]!, ctx));
await bench.run();

const tasks: MicroTask[] = bench.tasks.map((t, i) => {
  const fam = families[i];
  return fam ? entry(t, 'frame', fam.frames.length) : entry(t, 'frame', BATCH);
});
const decodeTask = bench.tasks[bench.tasks.length - 1]!;
tasks.push(entry(decodeTask, `batch of ${BATCH}`, 1, `decodeFrames, batch of ${BATCH} (batches)`));

finish({
  suite: 'normalize',
  tasks,
  notes: {
    // Fixture families have a handful of frames: their rates come from a tiny, hot input.
    'fixture families': 'satdump, jaero, iridium come from test/fixtures (3-5 hand-written frames each)',
  },
});
