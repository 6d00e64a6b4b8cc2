/**
 * Loads the native batched UDP receiver (native/, built by scripts/build-native.mjs during
 * `npm ci`), or says why it cannot: not Linux, not built (the build's own reason when it left
 * one), or built for another Node or another version of this code. Loaded once per process.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The layout and API this code expects; native/src/addon.cc's kAbiVersion. */
const NATIVE_UDP_ABI = 1;

export interface NativeUdpOptions {
  /** A numeric IPv4 or IPv6 address (names are resolved before). */
  host: string;
  /** 0: any free port. */
  port: number;
  recvBufferBytes?: number;
  /** Bytes per receive slot; a larger datagram arrives truncated and flagged (default 65536: any UDP datagram). */
  slotBytes?: number;
  datagramsPerRead?: number;
  maxBatchDatagrams?: number;
  maxBatchBytes?: number;
  /** Batches handed to JavaScript and not yet processed (default 2); with those waiting and the next batch full, the reader stops reading. */
  maxInFlight?: number;
  /** How long a batch may wait for more datagrams after its first, in microseconds (default 1000). */
  lingerUs?: number;
}

export interface NativeUdpAddress {
  address: string;
  port: number;
  family: 'IPv4' | 'IPv6';
  /** As the kernel reports it (twice the usable size on Linux), like dgram's getRecvBufferSize(). */
  recvBufferBytes: number;
  /** SO_RCVBUFFORCE worked, so net.core.rmem_max did not cap the buffer. */
  bufferForced: boolean;
}

export interface NativeUdpStats {
  datagrams: number;
  bytes: number;
  batches: number;
  truncated: number;
  /** The kernel's drop count for this socket as SO_RXQ_OVFL last reported it. */
  kernelDrops: number;
  /** Times the reader stopped reading: its next batch full and maxInFlight batches waiting for JavaScript. */
  stalls: number;
  readErrors: number;
  lastError: string | null;
}

export interface NativeUdpReceiver {
  address(): NativeUdpAddress;
  stats(): NativeUdpStats;
  /** Joins the reader thread, closes the socket, and resolves once every batch already read was delivered. Idempotent. */
  close(): Promise<void>;
}

export interface NativeUdpAddon {
  abiVersion: number;
  /** Binds and starts reading at once; throws like dgram's bind (err.code EADDRINUSE...). `onBatch` runs on the main thread. */
  UdpReceiver: new (options: NativeUdpOptions, onBatch: (batch: ArrayBuffer) => void) => NativeUdpReceiver;
}

export type NativeUdpLoad = { ok: true; addon: NativeUdpAddon } | { ok: false; reason: string };

/** Where the build puts the addon and its result note, under the package root. */
const NATIVE_DIR = findNativeDir();
const NATIVE_UDP_PATH = join(NATIVE_DIR, 'build', 'Release', 'contrail_udp.node');
/** Written by scripts/build-native.mjs: { ok, reason?, at }. */
const NATIVE_BUILD_NOTE = join(NATIVE_DIR, 'build', 'contrail-build.json');

let loaded: NativeUdpLoad | undefined;

export function loadNativeUdp(): NativeUdpLoad {
  loaded ??= load();
  return loaded;
}

function load(): NativeUdpLoad {
  if (process.platform !== 'linux') return { ok: false, reason: `the native UDP receiver is Linux only (this is ${process.platform})` };
  if (!existsSync(NATIVE_UDP_PATH)) return { ok: false, reason: `not built (${buildNote()}); run \`npm run build:native\`` };
  let addon: NativeUdpAddon;
  try {
    addon = createRequire(import.meta.url)(NATIVE_UDP_PATH) as NativeUdpAddon;
  } catch (err) {
    return { ok: false, reason: `${NATIVE_UDP_PATH} did not load: ${(err as Error).message.split('\n')[0]}; rebuild with \`npm run build:native\`` };
  }
  if (addon.abiVersion !== NATIVE_UDP_ABI) {
    return { ok: false, reason: `${NATIVE_UDP_PATH} is version ${String(addon.abiVersion)}, this code needs ${NATIVE_UDP_ABI}; rebuild with \`npm run build:native\`` };
  }
  return { ok: true, addon };
}

/** The build's own account of its failure, when it left one. */
function buildNote(): string {
  try {
    const note = JSON.parse(readFileSync(NATIVE_BUILD_NOTE, 'utf8')) as { ok?: boolean; reason?: string };
    if (note.ok === false && note.reason) return `the build failed: ${note.reason}`;
  } catch {
    // no note: the build never ran here
  }
  return 'no native/build/Release/contrail_udp.node';
}

/** native/ beside package.json, found upwards from this file (src/ingest or dist/src/ingest). */
function findNativeDir(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(dir, 'native', 'binding.gyp'))) return join(dir, 'native');
    const up = dirname(dir);
    if (up === dir) return join(dirname(fileURLToPath(import.meta.url)), 'native');
    dir = up;
  }
}
