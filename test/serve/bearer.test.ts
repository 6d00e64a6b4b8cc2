import { describe, expect, it } from 'vitest';
import { bearerMatches } from '../../src/serve/admin-api.js';

describe('Authorization: Bearer', () => {
  const token = 'admintoken-0123456789abcdef';
  it('takes the scheme in any case, and only the exact token', () => {
    for (const scheme of ['Bearer', 'bearer', 'BEARER']) expect(bearerMatches(`${scheme} ${token}`, [token])).toBe(true);
    expect(bearerMatches(`Bearer ${token}x`, [token])).toBe(false);
    expect(bearerMatches(`Basic ${token}`, [token])).toBe(false);
    expect(bearerMatches(token, [token])).toBe(false);
    expect(bearerMatches(`Bearer ${token}`, [null])).toBe(false);
  });
});
