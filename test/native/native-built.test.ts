/**
 * The native UDP receiver must be built wherever the project's tests run (CI included): a
 * silent fallback to dgram there would leave the native path untested. On a machine without a
 * compiler this fails with the build's own reason.
 */
import { describe, expect, it } from 'vitest';
import { loadNativeUdp } from '../../src/ingest/native-udp.js';

describe('the native UDP receiver', () => {
  it('was built by `npm ci` and loads', () => {
    const load = loadNativeUdp();
    expect(load.ok ? 'loaded' : load.reason).toBe('loaded');
  });
});
