/**
 * The analytics over HTTP: `GET /api/v1/analytics/<query>?from=&to=&resolution=&field=&limit=&aircraft=&source=`
 * for rates, signal, frequencies, top, timeline and alerts; the reply names the path that
 * answered (`source`) and, when the SQLite path stood in for a mirror that is behind, why
 * (`fallback`). `compare` runs every query on both paths and lists the differences (admin
 * token: it is the heaviest request there is). `GET /api/v1/stats`: what the `stats` topic pushes
 * every 5 s (the last hour's rates, the mirror, clients and queues), on demand.
 */
import type { TemplatedApp } from 'uWebSockets.js';
import { parseAnalyticsRequest, type AnalyticsRequest } from '../analytics/analytics-request.js';
import { queryObject, type ApiHelpers } from './admin-api.js';

export function registerAnalyticsApi(app: TemplatedApp, ask: (r: AnalyticsRequest) => Promise<unknown>, stats: () => Promise<unknown>, { handle, authorized, readable }: ApiHelpers): void {
  app.get('/api/v1/stats', (res, req) => {
    if (readable(res, req)) handle(res, async () => ({ status: '200 OK', body: await stats() }));
  });
  app.get('/api/v1/analytics/:query', (res, req) => {
    const query = req.getParameter(0) ?? '';
    if (query === 'compare' ? !authorized(res, req) : !readable(res, req)) return;
    const params = queryObject(req.getQuery() ?? '');
    handle(res, async () => ({ status: '200 OK', body: await ask(parseAnalyticsRequest(query, params)) }));
  });
}
