/**
 * The dashboard's files over HTTP, from a real uWS app on port 0: content types, the hashed asset
 * URLs the page names and their caching, gzip when asked, 304 on a matching ETag, 404 otherwise.
 */
import http from 'node:http';
import { gunzipSync } from 'node:zlib';
import type { TemplatedApp, us_listen_socket } from 'uWebSockets.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerDashboard } from '../../src/serve/dashboard.js';
import { loadUws } from '../../src/serve/uws.js';

interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

let port = 0;
let socket: us_listen_socket | null = null;

function get(path: string, headers: Record<string, string> = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    http
      .get({ host: '127.0.0.1', port, path, headers }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks) }));
      })
      .on('error', reject);
  });
}

beforeAll(async () => {
  const { uws } = loadUws();
  const app: TemplatedApp = uws.App();
  registerDashboard(app);
  await new Promise<void>((resolve) =>
    app.listen('127.0.0.1', 0, (token) => {
      socket = token;
      port = uws.us_socket_local_port(token as unknown as Parameters<typeof uws.us_socket_local_port>[0]);
      resolve();
    }),
  );
});

afterAll(() => {
  if (socket) loadUws().uws.us_listen_socket_close(socket);
});

describe('the dashboard over HTTP', () => {
  it('serves the page, revalidated each time, naming each asset by its content hash', async () => {
    const page = await get('/');
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(page.headers['cache-control']).toBe('no-cache');
    expect(page.headers['content-security-policy']).toMatch(/script-src 'self'/);
    const html = page.body.toString('utf8');
    const refs = [...html.matchAll(/"(\/dashboard\/[\w.-]+)\?v=([\w-]+)"/g)].map((m) => ({ path: m[1]!, v: m[2]! }));
    expect(refs.map((r) => r.path).sort()).toEqual(['/dashboard/dashboard.css', '/dashboard/dashboard.js', '/dashboard/favicon.svg', '/dashboard/uPlot.iife.min.js', '/dashboard/uPlot.min.css']);
    const again = await get('/', { 'if-none-match': page.headers.etag! });
    expect(again.status).toBe(304);
    expect(again.body.length).toBe(0);
  });

  it('serves each asset with its type, kept a year under the hashed URL, gzipped when asked', async () => {
    const html = (await get('/')).body.toString('utf8');
    const script = /"\/dashboard\/dashboard\.js\?v=([\w-]+)"/.exec(html)![1]!;
    const hashed = await get(`/dashboard/dashboard.js?v=${script}`, { 'accept-encoding': 'gzip' });
    expect(hashed.status).toBe(200);
    expect(hashed.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(hashed.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(hashed.headers['content-encoding']).toBe('gzip');
    expect(gunzipSync(hashed.body).toString('utf8')).toContain('new WebSocket(');

    const plain = await get('/dashboard/dashboard.js');
    expect(plain.headers['cache-control']).toBe('no-cache');
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.body.equals(gunzipSync(hashed.body))).toBe(true);

    const uplot = await get('/dashboard/uPlot.iife.min.js');
    expect(uplot.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(uplot.body.toString('utf8')).toMatch(/uPlot/);
    expect((await get('/dashboard/uPlot.min.css')).headers['content-type']).toBe('text/css; charset=utf-8');
    expect((await get('/dashboard/favicon.svg')).headers['content-type']).toBe('image/svg+xml');
  });

  it('answers 404 for any other file', async () => {
    expect((await get('/dashboard/nope.js')).status).toBe(404);
    expect((await get('/dashboard/..%2Fdashboard.ts')).status).toBe(404);
  });
});
