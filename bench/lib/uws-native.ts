/** Benchmarks refuse to run on the uWebSockets.js JavaScript fallback: its numbers would mislead. */
import { loadUws } from '../../src/serve/uws.js';

export function requireNativeUws(): void {
  if (!loadUws().native) {
    throw new Error('uWebSockets.js native binary did not load (JavaScript fallback in use): benchmark results would be meaningless. Use Node 20 on linux-x64.');
  }
}
