/**
 * How values are written in the environment: ACARS Hub's boolean words and connection
 * descriptors (accepted unchanged), plus Contrail's number and host grammar. Every function
 * here is pure and reports a reason instead of throwing, so load-config can collect them all.
 */
import { isIPv4, isIPv6 } from 'node:net';
import { z } from 'zod';
import type { SourceKind } from './config-types.js';

/** `NAME="value"`, JSON-escaped so a value with quotes or newlines stays on one line. */
export function assignment(name: string, value: string): string {
  return `${name}=${JSON.stringify(value)}`;
}

/** One problem line: names the variable, quotes the value, says what to fix. */
export function problem(name: string, value: string, what: string): string {
  return `${assignment(name, value)}: ${what}`;
}

// ---- booleans -------------------------------------------------------------------------------

export const TRUTHY_WORDS = ['1', 'true', 'on', 'enabled', 'enable', 'yes', 'y', 'ok', 'always', 'set', 'external'] as const;
/** Empty counts as off: `ENABLE_X=` in a compose file means "not this one". */
export const FALSY_WORDS = ['0', 'false', 'off', 'disabled', 'disable', 'no', 'n', ''] as const;

export const BOOLEAN_ALLOWED =
  `one of ${TRUTHY_WORDS.join(', ')} (on) or ${FALSY_WORDS.filter((w) => w !== '').join(', ')}, empty (off)`;

/** Case-insensitive and trimmed, as ACARS Hub reads them. `undefined` means "not a boolean word". */
export function parseBoolean(raw: string): boolean | undefined {
  const word = raw.trim().toLowerCase();
  if ((TRUTHY_WORDS as readonly string[]).includes(word)) return true;
  if ((FALSY_WORDS as readonly string[]).includes(word)) return false;
  return undefined;
}

// ---- numbers (zod does the checking; callers format the failure themselves) ------------------

/** Plain decimal only: "1e3", "0x10", "1.5", " 80" are mistakes, not numbers. */
export function integerSchema(min: number, max: number): z.ZodType<number, string> {
  return z
    .string()
    .regex(/^-?[0-9]+$/)
    .transform(Number)
    .pipe(z.int().min(min).max(max));
}

/** Positive decimal, fractions allowed ("0.5" keeps twelve hours). */
export function daysSchema(max: number): z.ZodType<number, string> {
  return z
    .string()
    .regex(/^([0-9]+(\.[0-9]*)?|\.[0-9]+)$/)
    .transform(Number)
    .pipe(z.number().positive().max(max));
}

// ---- hosts ----------------------------------------------------------------------------------

/** RFC 1123 labels; underscores allowed because Docker service names use them. */
const HOSTNAME = /^(?=.{1,253}\.?$)[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?(?:\.[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?)*\.?$/;

/** An IPv4 literal, an unbracketed IPv6 literal, or a hostname; all-numeric names must be valid IPv4. */
export function isHost(host: string): boolean {
  if (isIPv4(host) || isIPv6(host)) return true;
  if (/^[0-9.]+$/.test(host)) return false;
  return HOSTNAME.test(host);
}

export const WILDCARD_HOSTS: readonly string[] = ['0.0.0.0', '::'];

// ---- connection descriptors -----------------------------------------------------------------

export const DESCRIPTOR_FORMS = 'udp, udp://bind:port, tcp://host:port, tcp-listen://bind:port, zmq://host:port';

const SCHEMES: Readonly<Record<string, SourceKind>> = {
  udp: 'udp',
  tcp: 'tcp-connect',
  'tcp-listen': 'tcp-listen',
  zmq: 'zmq',
};

/** Kinds that bind a local port, where port 0 (any free port) makes sense. */
export function bindsLocally(kind: SourceKind): boolean {
  return kind === 'udp' || kind === 'tcp-listen';
}

export interface Endpoint {
  kind: SourceKind;
  /** Without brackets, e.g. "::1". */
  host: string;
  port: number;
  /** The user's own text, trimmed. */
  descriptor: string;
}

export type Parsed<T> = { ok: true; value: T } | { ok: false; reason: string };

const fail = (reason: string): { ok: false; reason: string } => ({ ok: false, reason });

/** One descriptor, already trimmed and non-empty. `udpPort` is what a bare `udp` means for this decoder type. */
export function parseDescriptor(text: string, udpPort: number, udpBind: string): Parsed<Endpoint> {
  const match = /^([A-Za-z][A-Za-z0-9+.-]*):\/\/(.*)$/s.exec(text);
  if (!match) {
    const word = text.toLowerCase();
    if (word === 'udp') return { ok: true, value: { kind: 'udp', host: udpBind, port: udpPort, descriptor: text } };
    if (word in SCHEMES) return fail(`${word} needs an address: write ${word}://host:port`);
    return fail(`not a connection descriptor; allowed forms: ${DESCRIPTOR_FORMS}`);
  }
  const scheme = (match[1] ?? '').toLowerCase();
  const kind = SCHEMES[scheme];
  if (kind === undefined) return fail(`unknown scheme "${scheme}"; allowed forms: ${DESCRIPTOR_FORMS}`);
  const address = splitAddress(match[2] ?? '', scheme);
  if (!address.ok) return address;
  const { host, portText } = address.value;
  const port = parsePort(portText, kind, scheme);
  if (!port.ok) return port;
  return { ok: true, value: { kind, host, port: port.value, descriptor: text } };
}

/** `host:port` or `[v6]:port` into its parts, with the host checked. */
function splitAddress(rest: string, scheme: string): Parsed<{ host: string; portText: string }> {
  let host: string;
  let after: string;
  if (rest.startsWith('[')) {
    const close = rest.indexOf(']');
    if (close < 0) return fail(`missing "]" after the IPv6 address; write ${scheme}://[address]:port`);
    host = rest.slice(1, close);
    after = rest.slice(close + 1);
    if (!isIPv6(host)) return fail(`"${host}" is not an IPv6 address`);
  } else {
    const colons = rest.split(':').length - 1;
    if (colons > 1) return fail(`IPv6 addresses go in brackets, e.g. ${scheme}://[::1]:5550`);
    const colon = rest.indexOf(':');
    host = colon < 0 ? rest : rest.slice(0, colon);
    after = colon < 0 ? '' : rest.slice(colon);
    if (host === '') return fail(`missing host; write ${scheme}://host:port (0.0.0.0 listens on every interface)`);
    if (colon < 0 && /^[0-9]+$/.test(host)) return fail(`missing host; write ${scheme}://host:${host}`);
    if (!isHost(host)) return fail(`"${host}" is not an IP address or hostname`);
  }
  if (after === '') return fail(`missing port; write ${scheme}://${rest}:port`);
  if (!after.startsWith(':')) return fail(`unexpected "${after}" after the address; write ${scheme}://host:port`);
  return { ok: true, value: { host, portText: after.slice(1) } };
}

function parsePort(text: string, kind: SourceKind, scheme: string): Parsed<number> {
  const listens = bindsLocally(kind);
  const range = listens ? '1-65535, or 0 for any free port' : '1-65535';
  if (!/^[0-9]+$/.test(text)) return fail(`port "${text}" is not a number (${range})`);
  const port = Number(text);
  if (port > 65535) return fail(`port ${port} is out of range (${range})`);
  if (port === 0 && !listens) return fail(`port 0 is not allowed for ${scheme}:// (connecting out needs a real port, 1-65535)`);
  return { ok: true, value: port };
}

/** Comma-separated; whitespace around items and empty items are ignored. */
export function splitDescriptorList(raw: string): string[] {
  return raw
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');
}
