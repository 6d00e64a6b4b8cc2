/** The shared converters, one behaviour each. */

import { describe, expect, it } from 'vitest';
import {
  ack,
  asciiChar,
  cleanLabel,
  cleanTail,
  directionFromBlock,
  hzToMhz,
  icao,
  icaoFromInt,
  isoToEpoch,
  mhz,
  msgno,
  num,
} from '../../src/decode/fields.js';

describe('fields', () => {
  it('cleanTail strips leading dots and blanks; nothing left is null', () => {
    expect(cleanTail('.N8719Q')).toBe('N8719Q');
    expect(cleanTail('..G-EUPT ')).toBe('G-EUPT');
    expect(cleanTail('N8560Z')).toBe('N8560Z');
    expect(cleanTail('.......')).toBeNull();
    expect(cleanTail('')).toBeNull();
    expect(cleanTail(42)).toBeNull();
  });

  it('cleanLabel writes DEL as d', () => {
    expect(cleanLabel('_\x7f')).toBe('_d');
    expect(cleanLabel('_d')).toBe('_d');
    expect(cleanLabel('H1')).toBe('H1');
    expect(cleanLabel('')).toBeNull();
  });

  it('icao gives 6 upper-case hex digits from hex text or a decimal integer', () => {
    expect(icao('abfdaf')).toBe('ABFDAF');
    expect(icao('6A129')).toBe('06A129');
    expect(icao(3429825)).toBe('3455C1');
    expect(icaoFromInt(11183684)).toBe('AAA644');
    expect(icao('N8719Q')).toBeNull();
    expect(icao('1234567')).toBeNull();
    expect(icaoFromInt(0x1000000)).toBeNull();
    expect(icaoFromInt(1.5)).toBeNull();
  });

  it('Hz and MHz conversions have no float noise', () => {
    expect(hzToMhz(136650000)).toBe(136.65);
    expect(hzToMhz(17919000)).toBe(17.919);
    expect(hzToMhz(1625708333.33)).toBe(1625.708333);
    expect(mhz('1546.020')).toBe(1546.02);
    expect(mhz(131.55)).toBe(131.55);
    expect(mhz(0)).toBeNull();
  });

  it('num reads numbers and numeric strings only', () => {
    expect(num('-1.7')).toBe(-1.7);
    expect(num(-6.9)).toBe(-6.9);
    expect(num('')).toBeNull();
    expect(num(' ')).toBeNull();
    expect(num('abc')).toBeNull();
    expect(num(Number.NaN)).toBeNull();
    expect(num(true)).toBeNull();
  });

  it('asciiChar turns codes into characters, NAK into !', () => {
    expect(asciiChar(50)).toBe('2');
    expect(asciiChar(82)).toBe('R');
    expect(asciiChar(0x15)).toBe('!');
    expect(asciiChar(0)).toBeNull();
    expect(asciiChar(300)).toBeNull();
    expect(asciiChar('A')).toBe('A');
  });

  it('ack: false is none, characters are kept, a raw NAK byte is !', () => {
    expect(ack(false)).toBeNull();
    expect(ack('!')).toBe('!');
    expect(ack('A')).toBe('A');
    expect(ack('\x15')).toBe('!');
  });

  it('msgno joins number and sequence', () => {
    expect(msgno('D09', 'A')).toBe('D09A');
    expect(msgno('D09', undefined)).toBe('D09');
    expect(msgno(undefined, undefined)).toBeNull();
  });

  it('directionFromBlock: digits down, letters up, SQ up, else unknown', () => {
    expect(directionFromBlock('3', 'H1')).toBe('downlink');
    expect(directionFromBlock('H', '_d')).toBe('uplink');
    expect(directionFromBlock(null, 'SQ')).toBe('uplink');
    expect(directionFromBlock(null, 'H1')).toBeNull();
    expect(directionFromBlock(' ', 'H1')).toBeNull();
  });

  it('isoToEpoch: UTC without designator, Z, offsets, fractions', () => {
    expect(isoToEpoch('2024-04-14T01:45:24')).toBe(1713059124);
    expect(isoToEpoch('2024-04-14T01:45:24Z')).toBe(1713059124);
    expect(isoToEpoch('2024-04-14T03:45:24+02:00')).toBe(1713059124);
    expect(isoToEpoch('2024-04-13T20:45:24-0500')).toBe(1713059124);
    expect(isoToEpoch('2024-04-14T01:45:24.123456Z')).toBe(1713059124.123456);
    expect(isoToEpoch('2024-04-14 01:45:24.5')).toBe(1713059124.5);
    expect(isoToEpoch('2024-04-14')).toBeNull();
    expect(isoToEpoch('2024-13-14T01:45:24')).toBeNull();
    expect(isoToEpoch('2024-04-14T01:45:24Zjunk')).toBeNull();
    expect(isoToEpoch('14/04/2024 01:45:24')).toBeNull();
  });
});
