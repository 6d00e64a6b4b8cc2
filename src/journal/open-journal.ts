/**
 * At start: find what the journal holds past the database's checkpoint (to replay), and open
 * a fresh segment after everything already on disk, so positions only ever grow.
 */
import fs from 'node:fs';
import { join } from 'node:path';
import type { Config } from '../config/config-types.js';
import { readJournalFrom, type JournalRecord } from './journal-reader.js';
import { JournalWriter, listSegments } from './journal-writer.js';

export interface OpenedJournal {
  writer: JournalWriter;
  /** Batches accepted before the last stop but not committed, in order. */
  replay: JournalRecord[];
  tornBytes: number;
}

export function openJournal(
  config: Config['journal'],
  checkpoint: number,
  onError: (err: NodeJS.ErrnoException) => void,
  onBlocked: (err: NodeJS.ErrnoException | null) => void = () => {},
): OpenedJournal {
  const scan = readJournalFrom(config.dir, checkpoint);
  const segments = listSegments(config.dir);
  const last = segments[segments.length - 1];
  let start = Math.max(scan.validEnd, checkpoint, last ? last.start + last.bytes : 0);
  // An empty segment left by a crash right after a rotation has exactly this name: reuse its place.
  if (last && last.bytes === 0 && last.start === start) fs.unlinkSync(join(config.dir, last.name));
  if (last && last.bytes === 0 && last.start > start) start = last.start;
  const writer = new JournalWriter({ ...config, onError, onBlocked }, start);
  return { writer, replay: scan.records, tornBytes: scan.tornBytes };
}
