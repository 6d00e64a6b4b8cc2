/**
 * validateTerm: what a term may be, and that each refusal names the term and the rule.
 */

import { beforeAll, describe, expect, it } from 'vitest';
import { AlertTermError, MAX_TERM_LENGTH, validateTerm } from '../../src/alerts/alert-term.js';
import { ContrailError } from '../../src/errors.js';
import { enableLinearRegex } from '../../src/alerts/linear-regex.js';

beforeAll(() => {
  expect(enableLinearRegex()).toBe(true);
});

/** The AlertTermError thrown by validateTerm (fails the test if it does not throw). */
function refusal(input: unknown, kind: 'alert' | 'ignore' = 'alert'): AlertTermError {
  try {
    validateTerm(input, kind);
  } catch (err) {
    expect(err).toBeInstanceOf(AlertTermError);
    return err as AlertTermError;
  }
  throw new Error(`validateTerm accepted ${JSON.stringify(input)}`);
}

describe('literal terms', () => {
  it('accepts a string or an object and trims it', () => {
    expect(validateTerm('  MAYDAY \t', 'alert')).toEqual({ term: 'MAYDAY', regex: false });
    expect(validateTerm({ term: ' C++ ' }, 'ignore')).toEqual({ term: 'C++', regex: false });
    expect(validateTerm({ term: 'SQUAWK 7700', regex: false }, 'alert')).toEqual({ term: 'SQUAWK 7700', regex: false });
  });

  it('keeps special characters as they are', () => {
    for (const term of ['(', '$', '\\', '[', 'A.B', '(a)\\1', 'ZÜRICH']) {
      expect(validateTerm(term, 'alert')).toEqual({ term, regex: false });
    }
  });

  it('refuses an empty or blank term, naming it and the rule', () => {
    const err = refusal('   ');
    expect(err.code).toBe('CONTRAIL_ERR_ALERT_TERM');
    expect(err).toBeInstanceOf(ContrailError);
    expect(err.name).toBe('AlertTermError');
    expect(err.message).toContain('alert term "   " is empty');
    expect(err.message).toContain('1 to 200 characters after trimming');
    expect(refusal('', 'ignore').message).toMatch(/^ignore term "" is empty/);
  });

  it('counts characters, not UTF-16 units, up to 200', () => {
    expect(validateTerm('✈'.repeat(MAX_TERM_LENGTH), 'alert').term).toHaveLength(MAX_TERM_LENGTH);
    expect(validateTerm('🛩'.repeat(MAX_TERM_LENGTH), 'alert').term).toHaveLength(2 * MAX_TERM_LENGTH);
    const err = refusal('X'.repeat(MAX_TERM_LENGTH + 1));
    expect(err.message).toContain('is 201 characters long');
    expect(err.message).toContain(`"${'X'.repeat(60)}…"`);
  });

  it('refuses control characters inside a term, naming the character', () => {
    const err = refusal('FUEL\u0007LEAK');
    expect(err.message).toContain('"FUEL\\u0007LEAK"');
    expect(err.message).toContain('U+0007');
    expect(err.message).toContain('no control characters');
    expect(refusal('FUEL\r\nLEAK').message).toContain('U+000D');
    expect(refusal('A\u0085B').message).toContain('U+0085');
    // Surrounding whitespace, tabs included, is trimmed away first.
    expect(validateTerm('\tFUEL LEAK\n', 'alert').term).toBe('FUEL LEAK');
  });

  it('refuses values that are not terms', () => {
    expect(refusal(42).message).toContain('alert term must be a string or { term: string, regex: boolean }, got number');
    expect(refusal(null, 'ignore').message).toContain('ignore term must be a string');
    expect(refusal(['A']).message).toContain('got an array');
    expect(refusal({ term: 'A', regex: 'yes' }).message).toContain('got { term: string, regex: string }');
    expect(refusal({ regex: true }).message).toContain('got { term: undefined, regex: boolean }');
  });
});

describe('regex terms', () => {
  it('accepts patterns the linear-time engine runs, including ones that backtrack badly elsewhere', () => {
    expect(validateTerm({ term: ' SQUAWK\\s*7[5-7]00 ', regex: true }, 'alert')).toEqual({
      term: 'SQUAWK\\s*7[5-7]00',
      regex: true,
    });
    expect(validateTerm({ term: '^(a+)+$', regex: true }, 'alert').regex).toBe(true);
    expect(validateTerm({ term: '\\bN\\d{1,5}[A-Z]{0,2}\\b', regex: true }, 'ignore').regex).toBe(true);
  });

  it('refuses a backreference with a message naming it and the engine', () => {
    const err = refusal({ term: '(A)\\1', regex: true });
    expect(err.code).toBe('CONTRAIL_ERR_ALERT_TERM');
    expect(err.message).toContain('alert regex term "(A)\\\\1" is refused');
    expect(err.message).toContain('cannot run in linear time');
    expect(err.message).toContain('backreference \\1');
    expect(err.message).toContain('must not match an empty string');
    expect(err.cause).toBeInstanceOf(SyntaxError);
    expect(refusal({ term: '(?<x>A)\\k<x>', regex: true }).message).toContain('backreference \\k<');
  });

  it('refuses lookarounds and over-long counted repetitions', () => {
    expect(refusal({ term: 'FUEL(?= LEAK)', regex: true }).message).toContain('lookahead (?=');
    expect(refusal({ term: '(?<!NO )FIRE', regex: true }).message).toContain('lookbehind (?<!');
    expect(refusal({ term: 'A{17}', regex: true }).message).toContain('counted repetition over 16');
    expect(refusal({ term: '(?:AB{4}){5}', regex: true }).message).toContain('counted repetition over 16');
  });

  it('refuses invalid patterns, saying why', () => {
    expect(refusal({ term: '[A-', regex: true }).message).toContain('is invalid: Unterminated character class');
    expect(refusal({ term: 'A)', regex: true }, 'ignore').message).toMatch(/^ignore regex term "A\)" is refused: .*Unmatched '\)'/);
    expect(refusal({ term: '\\p{L}+', regex: true }).message).toContain('need the u flag');
  });

  it('refuses patterns that can match an empty string', () => {
    for (const term of ['A*', '(?:SQUAWK)?', 'X|', '^', '\\b', 'MAYDAY|\\b', '\\B$']) {
      const err = refusal({ term, regex: true });
      expect(err.message, term).toContain('can match an empty string, so it would match every message');
    }
  });

  it('does not confuse a literal term with a pattern', () => {
    // As a literal, a backreference-looking term is fine; as a regex it is refused.
    expect(validateTerm({ term: '(A)\\1', regex: false }, 'alert').term).toBe('(A)\\1');
    expect(validateTerm('A*', 'alert').term).toBe('A*');
  });
});
