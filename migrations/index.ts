/** Every migration, in order. A static list (not a folder scan) so the build ships exactly these. */
import type { Migration } from 'kysely';
import * as m0001 from './0001_initial.js';
import * as m0002 from './0002_fts_batch_index.js';
import * as m0003 from './0003_journal_checkpoint.js';
import * as m0004 from './0004_frame_ref.js';
import * as m0005 from './0005_fts_content_view.js';
import * as m0006 from './0006_alerts_and_history.js';
import * as m0007 from './0007_message_intelligence.js';
import * as m0008 from './0008_multipart_text_on_read.js';
import * as m0009 from './0009_link_identifier_indexes.js';
import * as m0010 from './0010_term_created_at_seconds.js';

export const MIGRATIONS: Readonly<Record<string, Migration>> = {
  '0001_initial': m0001,
  '0002_fts_batch_index': m0002,
  '0003_journal_checkpoint': m0003,
  '0004_frame_ref': m0004,
  '0005_fts_content_view': m0005,
  '0006_alerts_and_history': m0006,
  '0007_message_intelligence': m0007,
  '0008_multipart_text_on_read': m0008,
  '0009_link_identifier_indexes': m0009,
  '0010_term_created_at_seconds': m0010,
};
