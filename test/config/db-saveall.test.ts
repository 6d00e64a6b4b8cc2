/**
 * DB_SAVEALL read as ACARS Hub reads it. Its docs recommend a blank value to store only frames
 * with content, so `DB_SAVEALL=` must switch saving everything off, not fall back to Contrail's
 * default (on).
 */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load-config.js';

const CWD = path.resolve('/srv/contrail');

function storeNonAcars(env: Record<string, string>): boolean {
  return loadConfig(env, CWD).storeNonAcars;
}

describe('DB_SAVEALL', () => {
  it('unset leaves Contrail storing every frame', () => {
    expect(storeNonAcars({})).toBe(true);
  });

  it('blank, as ACARS Hub recommends, is off', () => {
    expect(storeNonAcars({ DB_SAVEALL: '' })).toBe(false);
    expect(storeNonAcars({ DB_SAVEALL: '  ' })).toBe(false);
  });

  it('true in any case is on; false is off', () => {
    expect(storeNonAcars({ DB_SAVEALL: 'true' })).toBe(true);
    expect(storeNonAcars({ DB_SAVEALL: 'True' })).toBe(true);
    expect(storeNonAcars({ DB_SAVEALL: 'FALSE' })).toBe(false);
  });

  it('gives way to CONTRAIL_STORE_NON_ACARS, blank or not', () => {
    expect(storeNonAcars({ DB_SAVEALL: '', CONTRAIL_STORE_NON_ACARS: 'true' })).toBe(true);
    expect(storeNonAcars({ DB_SAVEALL: 'true', CONTRAIL_STORE_NON_ACARS: 'false' })).toBe(false);
  });
});
