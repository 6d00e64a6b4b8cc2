import { describe, it, expect } from 'vitest';
import {
  FALSY_WORDS,
  TRUTHY_WORDS,
  integerSchema,
  parseBoolean,
  parseDescriptor,
  splitDescriptorList,
  type Endpoint,
} from '../../src/config/env-grammar.js';

function endpoint(text: string): Omit<Endpoint, 'descriptor'> {
  const parsed = parseDescriptor(text, 5550, '0.0.0.0');
  if (!parsed.ok) throw new Error(`expected ${text} to parse: ${parsed.reason}`);
  const { descriptor: _descriptor, ...rest } = parsed.value;
  return rest;
}

function reason(text: string): string {
  const parsed = parseDescriptor(text, 5550, '0.0.0.0');
  if (parsed.ok) throw new Error(`expected ${text} to be rejected`);
  return parsed.reason;
}

describe('boolean words', () => {
  it('accepts every ACARS Hub truthy word, in any case and with surrounding spaces', () => {
    for (const word of TRUTHY_WORDS) {
      expect(parseBoolean(word)).toBe(true);
      expect(parseBoolean(word.toUpperCase())).toBe(true);
      expect(parseBoolean(` ${word} `)).toBe(true);
    }
  });

  it('accepts the falsy words and the empty string as off', () => {
    for (const word of FALSY_WORDS) expect(parseBoolean(word)).toBe(false);
    expect(parseBoolean('FALSE')).toBe(false);
    expect(parseBoolean('')).toBe(false);
  });

  it('rejects anything else', () => {
    for (const word of ['maybe', '2', 'truee', 'on off']) expect(parseBoolean(word)).toBeUndefined();
  });
});

describe('integers', () => {
  const port = integerSchema(0, 65535);
  it('accepts plain decimal integers in range', () => {
    expect(port.safeParse('0').data).toBe(0);
    expect(port.safeParse('65535').data).toBe(65535);
  });
  it('rejects exponents, hex, fractions, junk, spaces and out-of-range values', () => {
    for (const bad of ['1e3', '0x10', '1.5', '12abc', ' ', '', ' 80', '-1', '65536', '99999999999999999999']) {
      expect(port.safeParse(bad).success, bad).toBe(false);
    }
  });
});

describe('connection descriptors', () => {
  it('bare udp listens on the type default port on every IPv4 interface', () => {
    expect(endpoint('udp')).toEqual({ kind: 'udp', host: '0.0.0.0', port: 5550 });
    expect(endpoint('UDP')).toEqual({ kind: 'udp', host: '0.0.0.0', port: 5550 });
  });

  it('parses every scheme', () => {
    expect(endpoint('udp://127.0.0.1:6000')).toEqual({ kind: 'udp', host: '127.0.0.1', port: 6000 });
    expect(endpoint('tcp://acars_router:15550')).toEqual({ kind: 'tcp-connect', host: 'acars_router', port: 15550 });
    expect(endpoint('tcp-listen://0.0.0.0:15550')).toEqual({ kind: 'tcp-listen', host: '0.0.0.0', port: 15550 });
    expect(endpoint('zmq://dumpvdl2.local:45555')).toEqual({ kind: 'zmq', host: 'dumpvdl2.local', port: 45555 });
  });

  it('takes IPv6 addresses in brackets and stores them bare', () => {
    expect(endpoint('udp://[::]:5550')).toEqual({ kind: 'udp', host: '::', port: 5550 });
    expect(endpoint('tcp://[::1]:15550')).toEqual({ kind: 'tcp-connect', host: '::1', port: 15550 });
    expect(endpoint('tcp-listen://[fe80::1]:0')).toEqual({ kind: 'tcp-listen', host: 'fe80::1', port: 0 });
  });

  it('allows port 0 only where Contrail binds locally', () => {
    expect(endpoint('udp://0.0.0.0:0').port).toBe(0);
    expect(endpoint('tcp-listen://127.0.0.1:0').port).toBe(0);
    expect(reason('tcp://host:0')).toMatch(/port 0 is not allowed for tcp:\/\/.*1-65535/);
    expect(reason('zmq://host:0')).toMatch(/port 0 is not allowed for zmq:\/\//);
  });

  it('explains each kind of mistake', () => {
    expect(reason('tcp')).toMatch(/tcp needs an address: write tcp:\/\/host:port/);
    expect(reason('tcp-listen')).toMatch(/tcp-listen needs an address/);
    expect(reason('zmq')).toMatch(/zmq needs an address/);
    expect(reason('http://x:1')).toMatch(/unknown scheme "http".*udp:\/\/bind:port.*tcp-listen:\/\/bind:port/);
    expect(reason('banana')).toMatch(/not a connection descriptor; allowed forms: udp, udp:\/\/bind:port/);
    expect(reason('udp://0.0.0.0')).toMatch(/missing port/);
    expect(reason('udp://5550')).toMatch(/missing host; write udp:\/\/host:5550/);
    expect(reason('tcp://:15550')).toMatch(/missing host/);
    expect(reason('udp://0.0.0.0:99999')).toBe('port 99999 is out of range (1-65535, or 0 for any free port)');
    expect(reason('tcp://h:70000')).toMatch(/out of range \(1-65535\)/);
    expect(reason('udp://0.0.0.0:abc')).toMatch(/port "abc" is not a number/);
    expect(reason('udp://0.0.0.0:5550/path')).toMatch(/not a number/);
    expect(reason('udp://::1:5550')).toMatch(/IPv6 addresses go in brackets/);
    expect(reason('udp://[::1:5550')).toMatch(/missing "]"/);
    expect(reason('udp://[nope]:5550')).toMatch(/not an IPv6 address/);
    expect(reason('udp://[::1]5550')).toMatch(/unexpected "5550"/);
    expect(reason('udp://999.1.1.1:5550')).toMatch(/not an IP address or hostname/);
    expect(reason('tcp://bad host:1')).toMatch(/not an IP address or hostname/);
  });

  it('splits lists on commas, ignoring whitespace and empty items', () => {
    expect(splitDescriptorList(' udp , tcp://a:1,,zmq://b:2 ,')).toEqual(['udp', 'tcp://a:1', 'zmq://b:2']);
    expect(splitDescriptorList('')).toEqual([]);
  });
});
