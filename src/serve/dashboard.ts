/**
 * The built-in dashboard: `GET /` (the page) and `GET /dashboard/<file>` (its script, styles, icon
 * and uPlot, the chart library, from its npm package). The files are small: they are read and
 * gzipped once, at start, and served from memory. The page's references carry each asset's
 * content hash (`?v=`), so a browser may keep an asset for a year under that URL; the page itself
 * is revalidated (ETag) on every load, so an upgrade shows at once.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import type { HttpRequest, HttpResponse, TemplatedApp } from 'uWebSockets.js';
import type { Logger } from 'pino';

interface Asset {
  type: string;
  body: Buffer;
  /** Null when gzip does not make it smaller. */
  gzip: Buffer | null;
  etag: string;
  /** Content hash, the `v` of the page's references to it. */
  version: string;
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
};

/** The page's own files, beside this module (the build copies them next to the compiled one). */
const OWN_FILES = ['dashboard.js', 'dashboard.css', 'favicon.svg'];
/** uPlot's browser build (a global `uPlot`) and its stylesheet, from the installed package. */
const UPLOT_FILES = ['uPlot.iife.min.js', 'uPlot.min.css'];

/** Scripts and styles from this origin only; live data over this origin's WebSocket. */
const CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

function asset(name: string, body: Buffer): Asset {
  const version = createHash('sha256').update(body).digest('base64url').slice(0, 16);
  const gz = gzipSync(body, { level: 9 });
  const ext = name.slice(name.lastIndexOf('.'));
  return { type: TYPES[ext] ?? 'application/octet-stream', body, gzip: gz.length < body.length ? gz : null, etag: `"${version}"`, version };
}

/** Reads every file once; throws naming the file that is missing. */
export function loadDashboard(): { page: Asset; assets: Map<string, Asset> } {
  const dir = fileURLToPath(new URL('./dashboard/', import.meta.url));
  const require = createRequire(import.meta.url);
  const uplotDir = `${dirname(require.resolve('uplot'))}/`;
  const assets = new Map<string, Asset>();
  for (const f of OWN_FILES) assets.set(f, asset(f, readFileSync(`${dir}${f}`)));
  for (const f of UPLOT_FILES) assets.set(f, asset(f, readFileSync(`${uplotDir}${f}`)));
  // Every `/dashboard/<file>` reference in the page gets that file's content hash.
  const html = readFileSync(`${dir}index.html`, 'utf8').replace(/\/dashboard\/([\w.-]+)/g, (ref, f: string) => {
    const a = assets.get(f);
    if (!a) throw new Error(`dashboard: index.html refers to /dashboard/${f}, which is not served`);
    return `${ref}?v=${a.version}`;
  });
  return { page: asset('index.html', Buffer.from(html)), assets };
}

function send(res: HttpResponse, req: HttpRequest, a: Asset, cacheControl: string, headers: Record<string, string> = {}): void {
  const gzip = a.gzip !== null && /\bgzip\b/.test(req.getHeader('accept-encoding'));
  const notModified = req.getHeader('if-none-match') === a.etag;
  res.cork(() => {
    res.writeStatus(notModified ? '304 Not Modified' : '200 OK');
    for (const [k, v] of Object.entries(headers)) res.writeHeader(k, v);
    res.writeHeader('Content-Type', a.type);
    res.writeHeader('Cache-Control', cacheControl);
    res.writeHeader('ETag', a.etag);
    res.writeHeader('Vary', 'Accept-Encoding');
    res.writeHeader('X-Content-Type-Options', 'nosniff');
    if (notModified) return void res.endWithoutBody();
    if (gzip) res.writeHeader('Content-Encoding', 'gzip');
    res.end(gzip ? a.gzip! : a.body);
  });
}

/**
 * Registers `GET /` and `GET /dashboard/*`. If the files cannot be read (a build without them),
 * the engine still runs: the error is logged and `/` answers 500 saying what is missing.
 */
export function registerDashboard(app: TemplatedApp, log?: Logger): void {
  let loaded: ReturnType<typeof loadDashboard>;
  try {
    loaded = loadDashboard();
  } catch (err) {
    const message = `the dashboard's files are missing (${(err as Error).message}); run \`npm run build\``;
    log?.error({ err }, message);
    app.get('/', (res) => {
      res.cork(() => res.writeStatus('500 Internal Server Error').writeHeader('Content-Type', 'text/plain; charset=utf-8').end(message));
    });
    return;
  }
  const { page, assets } = loaded;
  app.get('/', (res, req) => send(res, req, page, 'no-cache', { 'Content-Security-Policy': CSP, 'Referrer-Policy': 'no-referrer' }));
  app.get('/dashboard/:file', (res, req) => {
    const a = assets.get(req.getParameter(0) ?? '');
    if (!a) {
      res.cork(() => res.writeStatus('404 Not Found').writeHeader('Content-Type', 'text/plain; charset=utf-8').end('not found'));
      return;
    }
    // Only the URL the page names (with the current hash) may be kept without asking again.
    send(res, req, a, req.getQuery('v') === a.version ? 'public, max-age=31536000, immutable' : 'no-cache');
  });
}
