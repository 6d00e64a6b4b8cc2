/**
 * The addon under AddressSanitizer (native/test/asan.sh): built with -fsanitize=address into
 * native/build-asan/ and driven through oversized, zero-length and normal datagrams, closing
 * under traffic and start/stop cycles. Any ASan report fails. About 10 s.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { nativeSkipReason, nativeUdp } from '../helpers/native-udp.js';

const script = fileURLToPath(new URL('../../native/test/asan.sh', import.meta.url));

describe.skipIf(!nativeUdp)(`native UDP receiver under AddressSanitizer${nativeSkipReason ? ` (skipped: ${nativeSkipReason})` : ''}`, () => {
  it('reports no memory error', { timeout: 120_000 }, () => {
    const run = spawnSync('bash', [script], { encoding: 'utf8', timeout: 110_000 });
    expect(run.status, `${run.stdout}\n${run.stderr}`).toBe(0);
    expect(run.stdout).toContain('asan exercise: done');
  });
});
