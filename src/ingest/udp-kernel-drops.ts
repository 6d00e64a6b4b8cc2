/**
 * Datagrams the kernel dropped for our UDP sockets because their receive buffer was full: the
 * one loss no counter in the engine can see, read from /proc/net/udp and /proc/net/udp6 (the
 * last column, `drops`, per socket). Linux only; elsewhere it reads nothing.
 *
 * Sockets of the native receiver also report the same kernel counter themselves (SO_RXQ_OVFL,
 * carried on each datagram) and register it here: their count is the larger of the two, since
 * SO_RXQ_OVFL only moves when a datagram arrives after the drops, and /proc may be unreadable.
 */
import { readFileSync } from 'node:fs';

/** Bound port -> the socket's own drop count (native receiver sockets). */
const reported = new Map<number, () => number>();

/** A socket that knows its own kernel drop count; returns the unregister function. */
export function reportUdpDrops(port: number, read: () => number): () => void {
  reported.set(port, read);
  return () => {
    if (reported.get(port) === read) reported.delete(port);
  };
}

/** Drops per local port in one /proc/net/udp{,6} text, for the given ports only. */
export function parseUdpDrops(text: string, ports: ReadonlySet<number>): Map<number, number> {
  const out = new Map<number, number>();
  for (const line of text.split('\n').slice(1)) {
    const cols = line.trim().split(/\s+/);
    const local = cols[1];
    const drops = Number(cols[cols.length - 1]);
    if (!local || !Number.isFinite(drops)) continue;
    const port = parseInt(local.slice(local.lastIndexOf(':') + 1), 16);
    if (ports.has(port)) out.set(port, (out.get(port) ?? 0) + drops);
  }
  return out;
}

export function readUdpDrops(ports: ReadonlySet<number>): Map<number, number> {
  const total = new Map<number, number>();
  for (const file of ['/proc/net/udp', '/proc/net/udp6']) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      continue;
    }
    for (const [port, n] of parseUdpDrops(text, ports)) total.set(port, (total.get(port) ?? 0) + n);
  }
  for (const port of ports) {
    const read = reported.get(port);
    if (read) total.set(port, Math.max(total.get(port) ?? 0, read()));
  }
  return total;
}
