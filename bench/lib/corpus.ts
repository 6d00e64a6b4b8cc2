/** The real captures as frames with the listener type each would arrive on. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DecoderType } from '../../src/decode/message.js';
import { corpusDir } from './paths.js';

export interface CorpusFrame {
  file: string;
  hint: DecoderType;
  text: string;
}

export const CORPUS_FILES: readonly [string, DecoderType][] = [
  ['acarshub-kabq/raw-acars-messages.jsonl', 'ACARS'],
  ['acarshub-kabq/raw-vdlm2-messages.jsonl', 'VDL-M2'],
  ['acarshub-kabq/raw-hfdl-messages.jsonl', 'HFDL'],
  ['acars-router/acars.jsonl', 'ACARS'],
  ['acars-router/acars_other.jsonl', 'ACARS'],
  ['acars-router/vdlm2.jsonl', 'VDL-M2'],
  ['acars-router/vdlm2_other.jsonl', 'VDL-M2'],
];

/** Every frame of every corpus file, in file order (blank lines between objects dropped). */
export function loadCorpus(): CorpusFrame[] {
  const out: CorpusFrame[] = [];
  for (const [file, hint] of CORPUS_FILES) {
    for (const line of readFileSync(join(corpusDir, file), 'utf8').split('\n')) {
      const text = line.trim();
      if (text) out.push({ file, hint, text });
    }
  }
  return out;
}
