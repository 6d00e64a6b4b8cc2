/** The pure conversions of ACARS Hub's stored text, including the padded-frequency rule. */
import { describe, expect, it } from 'vitest';
import {
  familyFromFrequency,
  legacyAck,
  legacyAddress,
  legacyErrorCount,
  legacyFrequency,
  legacyIcao,
  legacyNumber,
  legacyTime,
  legacyType,
} from '../../src/adopt/legacy-values.js';

/** What ACARS Hub's TypeScript backend wrote for a frequency value. */
const padded = (mhz: number): string => String(mhz).padEnd(7, '0');

describe('legacyFrequency', () => {
  it('reads values that kept their decimal point as MHz, whatever the family', () => {
    expect(legacyFrequency('131.550', 'ACARS')).toEqual({ mhz: 131.55, scaled: false });
    expect(legacyFrequency('17.9190', 'HFDL')).toEqual({ mhz: 17.919, scaled: false });
    expect(legacyFrequency('8.94200', 'HFDL')).toEqual({ mhz: 8.942, scaled: false });
    expect(legacyFrequency('1626.270833', 'IRDM')?.mhz).toBe(1626.270833);
    expect(legacyFrequency('136.975', null)?.mhz).toBe(136.975);
  });

  it("undoes padEnd(7, '0') of whole MHz values by the family's band", () => {
    // What padEnd does to the two kinds of value: the point survives, a whole number loses it.
    expect(padded(8.927)).toBe('8.92700');
    expect(padded(129)).toBe('1290000');
    expect(padded(8)).toBe('8000000');
    expect(padded(10)).toBe('1000000');
    for (const [mhz, type] of [
      [129, 'ACARS'],
      [136, 'VDL-M2'],
      [8, 'HFDL'],
      [10, 'HFDL'],
      [21, 'HFDL'],
      [1545, 'IMS-L'],
      [1626, 'IRDM'],
    ] as const) {
      expect(legacyFrequency(padded(mhz), type), `${mhz} MHz ${type}`).toEqual({ mhz, scaled: true });
    }
  });

  it('reads raw integer Hz and kHz the same way', () => {
    expect(legacyFrequency('8927000', 'HFDL')?.mhz).toBe(8.927); // 8927 kHz padded, or dumphfdl's Hz
    expect(legacyFrequency('10081000', 'HFDL')?.mhz).toBe(10.081);
    expect(legacyFrequency('8927', 'HFDL')?.mhz).toBe(8.927);
    expect(legacyFrequency('136975000', 'VDL-M2')?.mhz).toBe(136.975);
    expect(legacyFrequency(131.55, 'ACARS')?.mhz).toBe(131.55); // a REAL cell
  });

  it('gives null for what is no frequency, or digits no band explains', () => {
    for (const v of ['abc', '', '0', '-131.5', '131,55', null, undefined, '.']) expect(legacyFrequency(v, 'ACARS'), String(v)).toBeNull();
    // Digits enough to overflow a double: Infinity, no frequency.
    expect(legacyFrequency(`1${'0'.repeat(400)}.5`, 'ACARS')).toBeNull();
    expect(legacyFrequency('1'.repeat(400), 'HFDL')).toBeNull();
    expect(legacyFrequency('1290000', null)).toBeNull();
    expect(legacyFrequency('5550000', 'ACARS')).toBeNull();
    // 131.55 written without its point by nothing ACARS Hub ever ran.
    expect(legacyFrequency('13155', 'ACARS')).toBeNull();
  });
});

describe('familyFromFrequency', () => {
  it('tells HF, L-band and VHF apart; VHF rows with link addresses are VDL-M2', () => {
    expect(familyFromFrequency('131.55', false)).toBe('ACARS');
    expect(familyFromFrequency('136.975', true)).toBe('VDL-M2');
    expect(familyFromFrequency('17.919', false)).toBe('HFDL');
    expect(familyFromFrequency('1545.0', false)).toBe('IMS-L');
    expect(familyFromFrequency('1626.27', false)).toBe('IRDM');
    expect(familyFromFrequency('abc', false)).toBeNull();
    expect(familyFromFrequency('450.0', false)).toBeNull();
    // Padding only ever follows a whole number: "1310000" is 131 MHz, never 13.1 MHz.
    expect(familyFromFrequency('1310000', false)).toBe('ACARS');
    expect(familyFromFrequency('1000000', false)).toBe('HFDL');
    // 130 MHz or 13 MHz: both whole, both padded to this; the row does not say which.
    expect(familyFromFrequency('1300000', false)).toBeNull();
  });
});

describe('legacyIcao', () => {
  it('reads digits as decimal before the hex conversion and as hex after it', () => {
    expect(legacyIcao('11268872', true)).toEqual({ icao: 'ABF308', fromDecimal: true });
    expect(legacyIcao('436521', true)).toEqual({ icao: '06A929', fromDecimal: true });
    expect(legacyIcao('347245', false)).toEqual({ icao: '347245', fromDecimal: false });
    expect(legacyIcao('abf308', true)).toEqual({ icao: 'ABF308', fromDecimal: false });
    // No 24-bit hex value has more than six digits: such values are decimal in any era.
    expect(legacyIcao('11268872', false)).toEqual({ icao: 'ABF308', fromDecimal: true });
  });

  it('gives null for values that are no 24-bit address', () => {
    for (const v of ['', 'XYZ123', '99999999', '0', 'ABCDEF1']) expect(legacyIcao(v, true), v).toBeNull();
  });
});

describe('other fields', () => {
  it('spells NAK "!" and keeps other acknowledgements', () => {
    expect(legacyAck('false')).toBe('!');
    expect(legacyAck('!')).toBe('!');
    expect(legacyAck('A')).toBe('A');
    expect(legacyAck('')).toBeNull();
  });

  it('maps every type spelling ACARS Hub used', () => {
    expect(legacyType('VDL-M2')).toBe('VDL-M2');
    expect(legacyType('VDLM2')).toBe('VDL-M2');
    expect(legacyType('IMSL')).toBe('IMS-L');
    expect(legacyType('IMS-L')).toBe('IMS-L');
    expect(legacyType('irdm')).toBe('IRDM');
    expect(legacyType('FOO')).toBeNull();
    expect(legacyType('')).toBeNull();
  });

  it('reads numbers stored as text, and nothing else', () => {
    expect(legacyNumber('-27.7')).toBe(-27.7);
    expect(legacyNumber(' 37000 ')).toBe(37000);
    expect(legacyNumber('n/a')).toBeNull();
    expect(legacyNumber('')).toBeNull();
    expect(legacyNumber('   ')).toBeNull();
  });

  it('reads the error count; empty is 0, as ACARS Hub counted it, and no count is null', () => {
    expect(legacyErrorCount('0')).toBe(0);
    expect(legacyErrorCount('3')).toBe(3);
    expect(legacyErrorCount(2)).toBe(2);
    expect(legacyErrorCount(' 1 ')).toBe(1);
    for (const v of ['', '   ', null, undefined]) expect(legacyErrorCount(v), String(v)).toBe(0);
    // Not a count: words, negatives, fractions, and what a 32-bit integer (the analytics mirror) cannot hold.
    for (const v of ['many', 'x', '-1', '2.5', '1e30', '2147483648', Number.NaN, Buffer.from('1')]) expect(legacyErrorCount(v), String(v)).toBeNull();
    expect(legacyErrorCount('2147483647')).toBe(2 ** 31 - 1);
  });

  it('reads a message time: positive epoch seconds a Date can hold', () => {
    expect(legacyTime(1717157651)).toBe(1717157651);
    expect(legacyTime('1717157651.5')).toBe(1717157651.5);
    expect(legacyTime(8.64e12)).toBe(8.64e12);
    expect(Number.isSafeInteger(Math.round(8.64e12 * 1000))).toBe(true);
    for (const v of ['', 'many', null, 0, -5, 8.64e12 + 1, '1e30', 1e300, Number.POSITIVE_INFINITY]) expect(legacyTime(v), String(v)).toBeNull();
  });

  it('turns VDL-M2 addresses ACARS Hub stored as decimal back into hex', () => {
    expect(legacyAddress('10712974', 'VDL-M2')).toBe('A3778E');
    expect(legacyAddress('10712974', 'HFDL')).toBe('10712974');
    expect(legacyAddress('', 'VDL-M2')).toBeNull();
  });
});
