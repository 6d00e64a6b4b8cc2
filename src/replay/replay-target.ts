/** Parses a replay destination: udp://host:port (one frame per datagram) or tcp://host:port (newline-delimited). */
import { UsageError } from '../errors.js';

export interface ReplayTarget {
  protocol: 'udp' | 'tcp';
  host: string;
  port: number;
}

export function parseReplayTarget(text: string): ReplayTarget {
  const m = /^(udp|tcp):\/\/(\[[0-9a-fA-F:.]+\]|[^:/[\]]+):(\d{1,5})\/?$/.exec(text.trim());
  const port = m ? Number(m[3]) : NaN;
  if (!m || port < 1 || port > 65535) {
    throw new UsageError(`--to ${JSON.stringify(text)}: expected udp://HOST:PORT or tcp://HOST:PORT (port 1-65535), e.g. udp://127.0.0.1:5550`);
  }
  const host = m[2]!.startsWith('[') ? m[2]!.slice(1, -1) : m[2]!;
  return { protocol: m[1] as 'udp' | 'tcp', host, port };
}
