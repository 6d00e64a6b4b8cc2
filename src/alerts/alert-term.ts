/**
 * Validation of one alert or ignore term as configured, before any matcher is compiled, so a bad
 * term is refused with a message naming it instead of failing inside a decode worker.
 */

import { ContrailError } from '../errors.js';
import { canMatchEmpty, compileLinear } from './linear-regex.js';

/** A validated term: `term` is trimmed; `regex` terms run on the linear-time engine. */
export interface AlertTermSpec {
  term: string;
  regex: boolean;
}

export type AlertTermKind = 'alert' | 'ignore';

/** Longest term accepted, in characters (code points). */
export const MAX_TERM_LENGTH = 200;

/** An alert or ignore term was refused; the message names it and says what is allowed. */
export class AlertTermError extends ContrailError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('CONTRAIL_ERR_ALERT_TERM', message, options);
  }
}

const RULES = `a term is 1 to ${MAX_TERM_LENGTH} characters after trimming, with no control characters`;
const REGEX_RULES =
  'a regex term must also compile under the linear-time engine (no backreferences, no lookahead ' +
  'or lookbehind, counted repetitions of at most 16) and must not match an empty string';

/**
 * Accepts a string (a literal term) or `{ term: string, regex?: boolean }` and returns the
 * trimmed spec. Throws AlertTermError otherwise.
 */
export function validateTerm(input: unknown, kind: AlertTermKind): AlertTermSpec {
  const { raw, regex } = readInput(input, kind);
  const term = raw.trim();
  const length = [...term].length;
  if (length === 0) {
    throw new AlertTermError(`${kind} term ${JSON.stringify(raw)} is empty: ${RULES}`);
  }
  if (length > MAX_TERM_LENGTH) {
    throw new AlertTermError(`${kind} term ${label(term)} is ${length} characters long: ${RULES}`);
  }
  const control = /\p{Cc}/u.exec(term);
  if (control !== null) {
    const code = control[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, '0');
    throw new AlertTermError(`${kind} term ${label(term)} contains control character U+${code}: ${RULES}`);
  }
  if (regex) {
    try {
      compileLinear(term);
    } catch (err) {
      const why = err instanceof Error ? err.message : String(err);
      throw new AlertTermError(`${kind} regex term ${label(term)} is refused: ${why}; ${REGEX_RULES}`, {
        cause: err,
      });
    }
    if (canMatchEmpty(term)) {
      throw new AlertTermError(
        `${kind} regex term ${label(term)} can match an empty string, so it would match every ` +
          `message; ${REGEX_RULES}`,
      );
    }
  }
  return { term, regex };
}

function readInput(input: unknown, kind: AlertTermKind): { raw: string; regex: boolean } {
  if (typeof input === 'string') return { raw: input, regex: false };
  let got = input === null ? 'null' : Array.isArray(input) ? 'an array' : typeof input;
  if (typeof input === 'object' && input !== null && !Array.isArray(input)) {
    const { term, regex } = input as { term?: unknown; regex?: unknown };
    if (typeof term === 'string' && (regex === undefined || typeof regex === 'boolean')) {
      return { raw: term, regex: regex ?? false };
    }
    got = `{ term: ${typeof term}, regex: ${typeof regex} }`;
  }
  throw new AlertTermError(
    `${kind} term must be a string or { term: string, regex: boolean }, got ${got}: ${RULES}`,
  );
}

/** The term quoted for a message, cut short so a 200-character term does not flood the log. */
function label(term: string): string {
  const chars = [...term];
  return JSON.stringify(chars.length > 60 ? `${chars.slice(0, 60).join('')}…` : term);
}
