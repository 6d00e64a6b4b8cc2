/** CONTRAIL_UDP_RECEIVER: validated like the other choices, carried to every UDP source, and what each value resolves to. */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { AUTO_UDP_RECEIVER } from '../../src/config/defaults.js';
import { loadConfig } from '../../src/config/load-config.js';
import { ConfigError, ContrailError } from '../../src/errors.js';
import type { NativeUdpAddon } from '../../src/ingest/native-udp.js';
import { decideUdpReceiver } from '../../src/ingest/udp-receiver-choice.js';

const CWD = path.resolve('/srv/contrail');
const CONNECTIONS = { ENABLE_ACARS: '1', ACARS_CONNECTIONS: 'udp://127.0.0.1:5550,tcp-listen://127.0.0.1:15550' };

describe('CONTRAIL_UDP_RECEIVER', () => {
  it('defaults to auto and is set on UDP sources only', () => {
    const config = loadConfig(CONNECTIONS, CWD);
    expect(config.udpReceiver).toBe('auto');
    expect(config.sources.map((s) => [s.kind, s.receiver])).toEqual([
      ['udp', 'auto'],
      ['tcp-listen', undefined],
    ]);
  });

  it.each(['native', 'dgram', 'auto', ' Native '])('accepts %j', (value) => {
    const config = loadConfig({ ...CONNECTIONS, CONTRAIL_UDP_RECEIVER: value }, CWD);
    expect(config.udpReceiver).toBe(value.trim().toLowerCase());
    expect(config.sources[0]!.receiver).toBe(value.trim().toLowerCase());
  });

  it.each(['uring', '', 'yes'])('refuses %j, naming the value and the allowed ones', (value) => {
    let problems: readonly string[] = [];
    try {
      loadConfig({ ...CONNECTIONS, CONTRAIL_UDP_RECEIVER: value }, CWD);
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      problems = (err as ConfigError).problems;
    }
    expect(problems).toEqual([`CONTRAIL_UDP_RECEIVER=${JSON.stringify(value)}: must be one of auto, native, dgram`]);
  });
});

describe('choosing the UDP receiver', () => {
  const addon = { abiVersion: 1 } as unknown as NativeUdpAddon;
  const loads = () => ({ ok: true as const, addon });
  const fails = () => ({ ok: false as const, reason: 'not built (no compiler)' });

  it('dgram never loads the addon', () => {
    expect(decideUdpReceiver('dgram', () => {
      throw new Error('asked');
    })).toMatchObject({ receiver: 'dgram', fallback: false });
  });

  it('native forced: the addon, or a start-up error that says why and what to do', () => {
    expect(decideUdpReceiver('native', loads)).toMatchObject({ receiver: 'native', addon });
    let err: unknown;
    try {
      decideUdpReceiver('native', fails);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ContrailError);
    expect((err as ContrailError).code).toBe('CONTRAIL_ERR_UDP_RECEIVER');
    expect((err as Error).message).toContain('not built (no compiler)');
    expect((err as Error).message).toContain('CONTRAIL_UDP_RECEIVER=dgram');
  });

  it(`auto takes ${AUTO_UDP_RECEIVER} when the addon loads, and falls back to dgram with the reason when it does not`, () => {
    expect(decideUdpReceiver('auto', loads).receiver).toBe(AUTO_UDP_RECEIVER);
    const fallback = decideUdpReceiver('auto', fails);
    expect(fallback.receiver).toBe('dgram');
    if (AUTO_UDP_RECEIVER === 'native') expect(fallback).toMatchObject({ fallback: true, reason: expect.stringContaining('not built (no compiler)') });
  });
});
