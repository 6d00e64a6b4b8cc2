/**
 * Access to the shared real-capture corpus (`../shared/corpus` next to the repository), located
 * from this file so the tests run wherever the checkout is.
 */

import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** Absolute path of the corpus directory, without a trailing slash. */
export const corpusDir: string = fileURLToPath(new URL('../../../shared/corpus', import.meta.url));

/**
 * The JSON objects of a corpus file, one string each, in file order. Files hold one object per
 * line; the acarshub-kabq files also put blank lines between objects, which are skipped.
 * Objects are not re-serialized: each string is the exact text of the capture.
 */
export function readCorpusFrames(relPath: string): string[] {
  return splitFrames(readFileSync(`${corpusDir}/${relPath}`, 'utf8'));
}

/** Splits JSON-lines text on newlines, dropping blank lines (and a CR before a newline). */
export function splitFrames(content: string): string[] {
  const out: string[] = [];
  for (const raw of content.split('\n')) {
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (line.trim().length > 0) out.push(line);
  }
  return out;
}
