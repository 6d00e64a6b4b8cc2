/**
 * The HTTP API for stored messages (open, like the other reads):
 * - `GET /api/v1/search?<filters>&limit=&cursor=`: `{messages, next, total}`, newest first;
 * - `GET /api/v1/messages?<filters>&limit=`: the newest messages (history), `{messages}`;
 * - `GET /api/v1/messages/:id`: one message, 404 when there is none.
 * Parameters are validated here (400 naming the parameter); the queries run in the reader pool.
 */
import type { TemplatedApp } from 'uWebSockets.js';
import { ContrailError, NotFoundError } from '../errors.js';
import type { MessageView } from '../store/reads/message-view.js';
import type { SearchPage } from '../store/reads/search.js';
import type { HistoryRequest, SubscriptionHistory } from '../store/reads/subscription-history.js';
import { parseRecentRequest, parseSearchRequest, type RecentRequest, type SearchRequest } from '../store/reads/search-request.js';
import type { ApiHelpers } from './admin-api.js';

export interface MessageReads {
  search(r: SearchRequest): Promise<SearchPage>;
  recent(r: RecentRequest): Promise<{ messages: MessageView[] }>;
  /** A WebSocket subscribe's history (not served over HTTP). */
  history(r: HistoryRequest): Promise<SubscriptionHistory>;
  message(id: number): Promise<MessageView | null>;
}

/** URL parameters; a repeated one is refused rather than silently narrowed to its last value. */
function queryParams(query: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of new URLSearchParams(query)) {
    if (k in out) throw new ContrailError('CONTRAIL_ERR_BAD_REQUEST', `parameter "${k}" given twice: give each filter once`);
    out[k] = v;
  }
  return out;
}

export function registerSearchApi(app: TemplatedApp, reads: MessageReads, { handle, readable }: ApiHelpers): void {
  app.get('/api/v1/search', (res, req) => {
    if (!readable(res, req)) return;
    const query = req.getQuery() ?? '';
    handle(res, async () => ({ status: '200 OK', body: await reads.search(parseSearchRequest(queryParams(query))) }));
  });
  app.get('/api/v1/messages', (res, req) => {
    if (!readable(res, req)) return;
    const query = req.getQuery() ?? '';
    handle(res, async () => ({ status: '200 OK', body: await reads.recent(parseRecentRequest(queryParams(query))) }));
  });
  app.get('/api/v1/messages/:id', (res, req) => {
    if (!readable(res, req)) return;
    const raw = req.getParameter(0) ?? '';
    handle(res, async () => {
      const id = Number(raw);
      if (!/^\d{1,15}$/.test(raw) || id < 1) throw new ContrailError('CONTRAIL_ERR_BAD_REQUEST', `message id "${raw}": a positive integer`);
      const found = await reads.message(id);
      if (found === null) throw new NotFoundError(`no message with id ${id}`);
      return { status: '200 OK', body: found };
    });
  });
}
