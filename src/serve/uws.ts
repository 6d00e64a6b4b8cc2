/**
 * Loads uWebSockets.js and tells whether its native binary loaded. The package silently falls
 * back to a slow pure-JavaScript shim when the binary does not fit this Node build; the engine
 * must say so loudly, and benchmarks must refuse to run on it.
 */
import { createRequire } from 'node:module';

type Uws = typeof import('uWebSockets.js');

const require = createRequire(import.meta.url);

export interface LoadedUws {
  uws: Uws;
  /** False when the JavaScript fallback is in use. */
  native: boolean;
}

let loaded: LoadedUws | null = null;

export function loadUws(): LoadedUws {
  if (loaded) return loaded;
  const uws = require('uWebSockets.js') as Uws;
  // Only the native binding has SSLApp; the fallback exports App and a few helpers.
  loaded = { uws, native: typeof (uws as { SSLApp?: unknown }).SSLApp === 'function' };
  return loaded;
}
