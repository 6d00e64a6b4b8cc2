/** The engine's HTTP API from a test: one request, its status and its JSON body. */
import type { RunningEngine } from '../../bench/lib/engine-process.js';

export type Json = Record<string, unknown>;

export async function apiRequest(engine: RunningEngine, path: string, options: { method?: string; token?: string; body?: Json } = {}): Promise<{ status: number; body: Json }> {
  const headers: Record<string, string> = {};
  if (options.token !== undefined) headers.authorization = `Bearer ${options.token}`;
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(`http://127.0.0.1:${engine.httpPort}${path}`, {
    method: options.method ?? 'GET',
    headers,
    ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}),
  });
  return { status: res.status, body: (await res.json()) as Json };
}
