/**
 * The HTTP API for alert terms and aircraft:
 * - `GET /api/v1/alerts/terms`: alert and ignore terms with hit counts;
 * - `POST /api/v1/alerts/terms` `{"term": "...", "regex": false, "ignore": false}` (admin);
 * - `DELETE /api/v1/alerts/terms/:term` (`?ignore=1` for an ignore term) (admin);
 * - `POST /api/v1/alerts/rescan`: re-match stored messages in the background (admin);
 * - `GET /api/v1/aircraft?icao=|tail=|flight=|id=&limit=`: the aircraft, its last position and newest messages.
 * Alert terms are read and written by the writer thread, aircraft are looked up by the reader
 * pool; this only moves requests and replies.
 */
import type { HttpResponse, TemplatedApp } from 'uWebSockets.js';
import { ContrailError, NotFoundError } from '../errors.js';
import type { AlertTermKind } from '../alerts/alert-term.js';
import { parseAircraftQuery, type AircraftQuery } from '../store/reads/aircraft-queries.js';
import { queryObject, type ApiHelpers } from './admin-api.js';

export interface IntelAdmin {
  listTerms(): Promise<unknown>;
  addTerm(kind: AlertTermKind, term: unknown): Promise<unknown>;
  removeTerm(kind: AlertTermKind, term: string): Promise<unknown>;
  rescan(): Promise<unknown>;
  aircraft(q: AircraftQuery): Promise<unknown>;
}

const MAX_BODY = 16 * 1024;

/** Reads a small JSON body. */
function readJson(res: HttpResponse): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    res.onData((chunk, last) => {
      size += chunk.byteLength;
      if (size > MAX_BODY) return reject(new ContrailError('CONTRAIL_ERR_BAD_REQUEST', `request body over ${MAX_BODY} bytes`));
      chunks.push(Buffer.from(chunk.slice(0)));
      if (!last) return;
      try {
        const v: unknown = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}');
        if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new Error('not an object');
        resolve(v as Record<string, unknown>);
      } catch {
        reject(new ContrailError('CONTRAIL_ERR_BAD_REQUEST', 'the body must be a JSON object, e.g. {"term": "WN4899"}'));
      }
    });
  });
}

export function registerIntelApi(app: TemplatedApp, admin: IntelAdmin, { handle, authorized, readable }: ApiHelpers): void {
  app.get('/api/v1/alerts/terms', (res, req) => {
    if (readable(res, req)) handle(res, async () => ({ status: '200 OK', body: await admin.listTerms() }));
  });
  app.post('/api/v1/alerts/terms', (res, req) => {
    if (!authorized(res, req)) return;
    const body = readJson(res);
    handle(res, async () => {
      const b = await body;
      const kind: AlertTermKind = b.ignore === true ? 'ignore' : 'alert';
      return { status: '201 Created', body: await admin.addTerm(kind, { term: b.term, regex: b.regex }) };
    });
  });
  app.del('/api/v1/alerts/terms/:term', (res, req) => {
    if (!authorized(res, req)) return;
    const term = decodeURIComponent(req.getParameter(0) ?? '');
    const kind: AlertTermKind = ['1', 'true'].includes(queryObject(req.getQuery() ?? '').ignore ?? '') ? 'ignore' : 'alert';
    handle(res, async () => ({ status: '200 OK', body: await admin.removeTerm(kind, term) }));
  });
  app.post('/api/v1/alerts/rescan', (res, req) => {
    if (!authorized(res, req)) return;
    handle(res, async () => ({ status: '202 Accepted', body: await admin.rescan() }));
  });
  app.get('/api/v1/aircraft', (res, req) => {
    if (!readable(res, req)) return;
    const query = queryObject(req.getQuery() ?? '');
    handle(res, async () => {
      const found = await admin.aircraft(parseAircraftQuery(query));
      if (found === null) throw new NotFoundError('no aircraft matches');
      return { status: '200 OK', body: found };
    });
  });
}
