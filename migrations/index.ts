/** Every migration, in order. A static list (not a folder scan) so the build ships exactly these. */
import type { Migration } from 'kysely';
import * as m0001 from './0001_initial.js';

export const MIGRATIONS: Readonly<Record<string, Migration>> = {
  '0001_initial': m0001,
};
