/**
 * ACARS label decoding with @airframes/acars-decoder over every text-bearing ACARS message of
 * the corpus. One op is a pass over all of them; the rate is per message. The library throws on
 * some inputs, so every call is guarded, as the decode worker would have to guard it.
 */
import { MessageDecoder } from '@airframes/acars-decoder';
import { entry, finish, newBench } from './micro-bench.js';
import { normalizedCorpus } from './inputs.js';

interface LabelInput {
  label: string;
  sublabel?: string;
  text: string;
}

const inputs: LabelInput[] = [];
for (const m of normalizedCorpus()) {
  if (!m.isAcars || m.label === null || m.text === null || m.text === '') continue;
  inputs.push(m.sublabel === null ? { label: m.label, text: m.text } : { label: m.label, sublabel: m.sublabel, text: m.text });
}

const decoder = new MessageDecoder();
const options = { debug: false };

/** Decodes every input once; returns how many decoded and how many threw. */
function pass(): { decoded: number; threw: number } {
  let decoded = 0;
  let threw = 0;
  for (const input of inputs) {
    try {
      if (decoder.decode(input, options).decoded) decoded++;
    } catch {
      threw++;
    }
  }
  return { decoded, threw };
}

// Counted once outside the timing: the library is deterministic, so every pass gives the same counts.
const counts = pass();
const labels = new Set(inputs.map((i) => i.label)).size;

const bench = newBench();
bench.add(`decode (${inputs.length} messages)`, pass);
await bench.run();

finish({
  suite: 'labels',
  tasks: [entry(bench.tasks[0]!, 'message', inputs.length)],
  notes: {
    'text-bearing ACARS messages': inputs.length,
    'distinct labels': labels,
    'decoded === true': counts.decoded,
    'share decoded (%)': Number(((100 * counts.decoded) / inputs.length).toFixed(1)),
    threw: counts.threw,
  },
});
