/**
 * The database part of the HTTP API: `GET /api/v1/db/status`, `POST /api/v1/db/migrate`,
 * `GET|POST /api/v1/db/backups`, `POST /api/v1/db/restore/:id`. Reads are open (like /healthz);
 * writes need `Authorization: Bearer <CONTRAIL_ADMIN_TOKEN>` and are disabled without a token.
 */
import { timingSafeEqual } from 'node:crypto';
import type { HttpRequest, HttpResponse, TemplatedApp } from 'uWebSockets.js';
import type { Logger } from 'pino';
import { ContrailError } from '../errors.js';
import { replyCode, type ErrorCode } from './ws-protocol.js';

export interface DbAdmin {
  status(): Promise<unknown>;
  /** Starts the consented migration; resolves when it has started (progress goes to WebSocket clients). */
  migrate(): Promise<{ status: 202 | 200; body: unknown }>;
  backups(): unknown;
  backup(): Promise<unknown>;
  restore(id: string): Promise<unknown>;
}

/** The HTTP status of each reply code (replyCode() maps the engine's errors to those). */
const HTTP_STATUS: Record<ErrorCode, string> = {
  BAD_REQUEST: '400 Bad Request',
  TOO_LARGE: '413 Payload Too Large',
  UNKNOWN_OP: '404 Not Found',
  UNKNOWN_TOPIC: '404 Not Found',
  TOO_MANY_TOPICS: '400 Bad Request',
  UNAUTHORIZED: '401 Unauthorized',
  FORBIDDEN: '403 Forbidden',
  NOT_FOUND: '404 Not Found',
  CONFLICT: '409 Conflict',
  UNAVAILABLE: '503 Service Unavailable',
  BUSY: '409 Conflict',
  TIMEOUT: '504 Gateway Timeout',
  RATE_LIMITED: '429 Too Many Requests',
  INTERNAL: '500 Internal Server Error',
};

function send(res: HttpResponse, status: string, body: unknown, headers: Record<string, string> = {}): void {
  res.cork(() => {
    res.writeStatus(status).writeHeader('Content-Type', 'application/json');
    for (const [k, v] of Object.entries(headers)) res.writeHeader(k, v);
    res.end(JSON.stringify(body));
  });
}

function tokenMatches(given: string, token: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

export interface ApiHelpers {
  /** Runs `work` with the response guarded against the client going away; errors become JSON errors with a status. */
  handle(res: HttpResponse, work: () => Promise<{ status: string; body: unknown }>): void;
  /** Admin writes: checks the token before anything else; answers and returns false if refused. */
  authorized(res: HttpResponse, req: HttpRequest): boolean;
  /** Reads: with a read token configured, it or the admin token; answers 401 and returns false if refused. */
  readable(res: HttpResponse, req: HttpRequest): boolean;
}

/** `given` matches one of `tokens`, each compared in constant time. */
export function anyTokenMatches(given: string, tokens: readonly (string | null)[]): boolean {
  let ok = false;
  // Every token is compared, so the time taken does not say which one (or whether the first) matched.
  for (const t of tokens) if (t !== null && tokenMatches(given, t)) ok = true;
  return ok;
}

/** A bearer token matching one of `tokens`, from `Authorization`. */
export function bearerMatches(authorization: string, tokens: readonly (string | null)[]): boolean {
  // The scheme is case-insensitive (RFC 9110, section 11.1): "bearer" and "BEARER" are the same.
  const m = /^Bearer +(.+)$/i.exec(authorization);
  return m !== null && anyTokenMatches(m[1]!, tokens);
}

/** Query-string parameters as a plain object (the last of a repeated one). */
export function queryObject(query: string): Record<string, string> {
  return Object.fromEntries(new URLSearchParams(query));
}

export function apiHelpers(token: string | null, log: Logger, readToken: string | null): ApiHelpers {
  /** Runs `work` with the response guarded against the client going away. */
  const handle = (res: HttpResponse, work: () => Promise<{ status: string; body: unknown }>): void => {
    let aborted = false;
    res.onAborted(() => (aborted = true));
    work().then(
      ({ status, body }) => !aborted && send(res, status, body),
      (e: unknown) => {
        const code = e instanceof ContrailError ? e.code : 'CONTRAIL_ERR_INTERNAL';
        const status = HTTP_STATUS[replyCode(e)];
        if (status.startsWith('500')) log.error({ err: e }, 'admin API request failed');
        if (!aborted) send(res, status, { error: { code, message: (e as Error).message } });
      },
    );
  };

  /** Admin writes: checks the token before anything else; answers and returns false if refused. */
  const authorized = (res: HttpResponse, req: HttpRequest): boolean => {
    if (token === null) {
      send(res, '403 Forbidden', { error: { code: 'CONTRAIL_ERR_FORBIDDEN', message: 'the admin API is disabled: set CONTRAIL_ADMIN_TOKEN to enable it' } });
      return false;
    }
    if (!bearerMatches(req.getHeader('authorization'), [token])) {
      send(res, '401 Unauthorized', { error: { code: 'CONTRAIL_ERR_UNAUTHORIZED', message: 'missing or wrong admin token (Authorization: Bearer <CONTRAIL_ADMIN_TOKEN>)' } }, { 'WWW-Authenticate': 'Bearer' });
      return false;
    }
    return true;
  };
  const readable = (res: HttpResponse, req: HttpRequest): boolean => {
    if (readToken === null || bearerMatches(req.getHeader('authorization'), [readToken, token])) return true;
    send(res, '401 Unauthorized', { error: { code: 'CONTRAIL_ERR_UNAUTHORIZED', message: 'missing or wrong read token (Authorization: Bearer <CONTRAIL_READ_TOKEN or CONTRAIL_ADMIN_TOKEN>)' } }, { 'WWW-Authenticate': 'Bearer' });
    return false;
  };
  return { handle, authorized, readable };
}

export function registerDbApi(app: TemplatedApp, admin: DbAdmin, { handle, authorized, readable }: ApiHelpers): void {
  app.get('/api/v1/db/status', (res, req) => {
    if (readable(res, req)) handle(res, async () => ({ status: '200 OK', body: await admin.status() }));
  });
  app.get('/api/v1/db/backups', (res, req) => {
    if (readable(res, req)) handle(res, async () => ({ status: '200 OK', body: admin.backups() }));
  });
  app.post('/api/v1/db/migrate', (res, req) => {
    if (!authorized(res, req)) return;
    handle(res, async () => {
      const r = await admin.migrate();
      return { status: r.status === 202 ? '202 Accepted' : '200 OK', body: r.body };
    });
  });
  app.post('/api/v1/db/backups', (res, req) => {
    if (!authorized(res, req)) return;
    handle(res, async () => ({ status: '201 Created', body: await admin.backup() }));
  });
  app.post('/api/v1/db/restore/:id', (res, req) => {
    if (!authorized(res, req)) return;
    const id = decodeURIComponent(req.getParameter(0) ?? '');
    handle(res, async () => ({ status: '200 OK', body: await admin.restore(id) }));
  });
}
