/**
 * HTTP and WebSocket on one port, with uWebSockets.js: `/ws` for live clients, `/healthz`,
 * `/metrics`, the dashboard at `/`. Publishing hands uWS the payload bytes the writer produced;
 * uWS fans them out natively; a client whose unsent bytes pass the slow-client limit is paused,
 * told what it missed when it drains, or dropped (client-backpressure.ts).
 */
import type { HttpResponse, TemplatedApp, WebSocket, us_listen_socket } from 'uWebSockets.js';
import type { Logger } from 'pino';
import type { DecoderType } from '../decode/message.js';
import type { EngineMetrics } from '../metrics/engine-metrics.js';
import { ContrailError } from '../errors.js';
import { loadUws } from './uws.js';
import { registerDashboard } from './dashboard.js';
import type { PublishTopic } from '../store/publish-batch.js';
import type { AircraftQuery } from '../store/reads/aircraft-queries.js';
import type { AnalyticsRequest } from '../analytics/analytics-request.js';
import type { RecentRequest, SearchRequest } from '../store/reads/search-request.js';
import { ClientBackpressure, type BackpressurePolicy } from './client-backpressure.js';
import { TokenBucket } from './token-bucket.js';
import { anyTokenMatches, bearerMatches } from './admin-api.js';
import { errorReply, okReply, parseRequest, RequestError, resultReply, uwsTopicsFor, type ErrorCode, type RequestId, type Topic } from './ws-protocol.js';

interface ClientData {
  topics: Set<Topic>;
  /** uWS topics currently subscribed, derived from `topics` (none while the client is behind). */
  uwsTopics: Set<string>;
  backpressure: ClientBackpressure;
  requests: TokenBucket;
}

/** How often every client's unsent bytes are looked at (and on each uWS drain event). */
const BACKPRESSURE_CHECK_MS = 100;
/** A browser cannot set headers on a WebSocket: it offers its read token as this subprotocol. */
const TOKEN_PROTOCOL = 'contrail.token.';
/** WebSocket close code for a client dropped for staying behind (policy violation). */
const CLOSE_TOO_SLOW = 1008;

export interface LiveServerOptions {
  host: string;
  port: number;
  metrics: EngineMetrics;
  /** The body of /healthz; `ok: false` answers 503. */
  health: () => { ok: boolean } & Record<string, unknown>;
  log: Logger;
  /** More HTTP routes (the admin API), registered before the catch-all 404. */
  routes: (app: TemplatedApp) => void;
  /** Answers the `aircraft` request (in the reader pool); null when no aircraft matches. */
  aircraft: (q: AircraftQuery) => Promise<unknown>;
  /** Answers the `analytics` request (in the analytics thread). */
  analytics: (r: AnalyticsRequest) => Promise<unknown>;
  /** Answers `search` and `history` (in the reader pool). */
  reads: { search(r: SearchRequest): Promise<unknown>; recent(r: RecentRequest): Promise<unknown> };
  /** The slow-client policy. */
  backpressure: BackpressurePolicy;
  /** Connections, and requests per second per client. */
  limits: ClientLimits;
  /** With a read token, a WebSocket must present it (or the admin token): `Authorization: Bearer`, or a browser's subprotocol `contrail.token.<token>`. */
  tokens: { read: string | null; admin: string | null };
  /** The body of /readyz; `ok: false` answers 503. */
  ready: () => { ok: boolean } & Record<string, unknown>;
}

export interface ClientLimits {
  maxClients: number;
  requestsPerSecond: number;
}

/** Every client is subscribed to this topic from the start: engine events (migration progress). */
const SYSTEM_TOPIC = 'system';

const textDecoder = new TextDecoder();

/** The id of a request that will not be parsed (rate limited), when it can be read cheaply. */
function requestIdOf(message: ArrayBuffer): RequestId {
  try {
    const id = (JSON.parse(textDecoder.decode(message)) as { id?: unknown }).id;
    return typeof id === 'string' || typeof id === 'number' ? id : null;
  } catch {
    return null;
  }
}

/** The reply code for an error from the engine's own parts. */
function replyCode(e: unknown): ErrorCode {
  const code = e instanceof ContrailError ? e.code : null;
  if (code === 'CONTRAIL_ERR_USAGE' || code === 'CONTRAIL_ERR_BAD_REQUEST') return 'BAD_REQUEST';
  if (code === 'CONTRAIL_ERR_NOT_READY' || code === 'CONTRAIL_ERR_CLOSED' || code === 'CONTRAIL_ERR_WORKER') return 'UNAVAILABLE';
  if (code === 'CONTRAIL_ERR_BUSY') return 'BUSY';
  if (code === 'CONTRAIL_ERR_QUERY_TIMEOUT') return 'TIMEOUT';
  return 'INTERNAL';
}

export class LiveServer {
  readonly #options: LiveServerOptions;
  readonly #app: TemplatedApp;
  readonly #clients = new Set<WebSocket<ClientData>>();
  /** Clients behind (paused): messages published meanwhile are counted for them. */
  readonly #behind = new Set<WebSocket<ClientData>>();
  readonly #policy: BackpressurePolicy;
  #backpressureTimer: NodeJS.Timeout | null = null;
  #listenSocket: us_listen_socket | null = null;
  readonly native: boolean;

  constructor(options: LiveServerOptions) {
    this.#options = options;
    const { uws, native } = loadUws();
    this.native = native;
    this.#app = uws.App();
    this.#policy = options.backpressure;
    this.#routes();
    this.#backpressureTimer = setInterval(() => this.#checkBackpressure(), BACKPRESSURE_CHECK_MS);
    this.#backpressureTimer.unref();
  }

  listen(): Promise<{ host: string; port: number }> {
    const { uws } = loadUws();
    const { host, port } = this.#options;
    return new Promise((resolve, reject) => {
      this.#app.listen(host, port, (token) => {
        if (!token) {
          reject(new ContrailError('CONTRAIL_ERR_LISTEN', `cannot listen for HTTP/WebSocket on ${host}:${port}: address in use or not available (set CONTRAIL_HTTP_HOST / CONTRAIL_HTTP_PORT)`));
          return;
        }
        this.#listenSocket = token;
        resolve({ host, port: uws.us_socket_local_port(token as unknown as Parameters<typeof uws.us_socket_local_port>[0]) });
      });
    });
  }

  /** Sends one stored message's payload to its subscribers. */
  publish(payload: Uint8Array, type: DecoderType, topic: PublishTopic = 'messages'): void {
    if (this.#behind.size > 0) this.#countMissed(type, topic);
    if (topic === 'alerts') {
      this.#app.publish('alerts', payload, false);
      return;
    }
    this.#app.publish('messages', payload, false);
    this.#app.publish(`messages:${type}`, payload, false);
  }

  /** Clients subscribed to the stats topic: the engine computes stats only for someone. */
  get statsSubscribers(): number {
    return this.#app.numSubscribers('stats');
  }

  /** Publishes `{"topic":"stats","data":{...}}` to the clients subscribed to stats. */
  publishStats(data: Record<string, unknown>): void {
    this.#app.publish('stats', JSON.stringify({ topic: 'stats', data }), false);
  }

  /** Sends an engine event to every connected client: `{"topic":"system","data":{...}}`. */
  broadcast(data: Record<string, unknown>): void {
    this.#app.publish(SYSTEM_TOPIC, JSON.stringify({ topic: SYSTEM_TOPIC, data }), false);
  }

  /** Stops listening and closes every client. */
  close(): void {
    if (this.#backpressureTimer) clearInterval(this.#backpressureTimer);
    this.#backpressureTimer = null;
    const { uws } = loadUws();
    if (this.#listenSocket) uws.us_listen_socket_close(this.#listenSocket);
    this.#listenSocket = null;
    for (const ws of this.#clients) ws.end(1001, 'server shutting down');
    this.#clients.clear();
  }

  #routes(): void {
    const { metrics, log } = this.#options;
    this.#app.ws<ClientData>('/ws', {
      maxPayloadLength: 16 * 1024,
      // uWS's own hard stop: it drops, uncounted, what would pass it. The policy pauses a client far
      // below it (checked every 100 ms), so only a client taking megabytes in 100 ms could reach it.
      maxBackpressure: Math.max(16 * 1024 * 1024, 4 * this.#policy.maxBufferedBytes),
      idleTimeout: 120,
      sendPingsAutomatically: true,
      upgrade: (res, req, context) => {
        const { maxClients, requestsPerSecond } = this.#options.limits;
        const offered = req.getHeader('sec-websocket-protocol');
        const accepted = this.#acceptToken(req.getHeader('authorization'), offered);
        if (accepted === null) {
          metrics.wsRefused.inc({ reason: 'token' });
          const error = { code: 'CONTRAIL_ERR_UNAUTHORIZED', message: 'this server needs its read token: Authorization: Bearer <token>, or the WebSocket subprotocol contrail.token.<token>' };
          this.#json(res, '401 Unauthorized', JSON.stringify({ error }), { 'WWW-Authenticate': 'Bearer' });
          return;
        }
        if (this.#clients.size >= maxClients) {
          metrics.wsRefused.inc({ reason: 'max-clients' });
          this.#json(res, '503 Service Unavailable', JSON.stringify({ error: { code: 'CONTRAIL_ERR_BUSY', message: `${maxClients} WebSocket clients already connected (CONTRAIL_WS_MAX_CLIENTS): try again later` } }));
          return;
        }
        res.upgrade<ClientData>(
          {
            topics: new Set(),
            uwsTopics: new Set(),
            backpressure: new ClientBackpressure(this.#policy),
            requests: new TokenBucket(requestsPerSecond, 2 * requestsPerSecond, Date.now()),
          },
          req.getHeader('sec-websocket-key'),
          accepted,
          req.getHeader('sec-websocket-extensions'),
          context,
        );
      },
      open: (ws) => {
        ws.subscribe(SYSTEM_TOPIC);
        this.#clients.add(ws);
        metrics.wsClients.set(this.#clients.size);
      },
      message: (ws, message, isBinary) => this.#onRequest(ws, message, isBinary),
      drain: (ws) => this.#checkClient(ws, Date.now()),
      close: (ws) => {
        this.#clients.delete(ws);
        this.#behind.delete(ws);
        metrics.wsBehind.set(this.#behind.size);
        metrics.wsClients.set(this.#clients.size);
      },
    });
    this.#app.get('/healthz', (res) => {
      const body = this.#options.health();
      this.#json(res, body.ok ? '200 OK' : '503 Service Unavailable', JSON.stringify(body));
    });
    this.#app.get('/readyz', (res) => {
      const body = this.#options.ready();
      this.#json(res, body.ok ? '200 OK' : '503 Service Unavailable', JSON.stringify(body));
    });
    this.#app.get('/metrics', (res) => {
      let aborted = false;
      res.onAborted(() => (aborted = true));
      metrics.registry.metrics().then(
        (text) => {
          if (aborted) return;
          res.cork(() => {
            res.writeStatus('200 OK').writeHeader('Content-Type', metrics.registry.contentType).end(text);
          });
        },
        (err: Error) => {
          log.error({ err }, 'metrics collection failed');
          if (!aborted) res.cork(() => res.writeStatus('500 Internal Server Error').end(err.message));
        },
      );
    });
    this.#options.routes(this.#app);
    registerDashboard(this.#app, log);
    this.#app.any('/*', (res) => this.#json(res, '404 Not Found', JSON.stringify({ error: 'not found', routes: ['/', '/ws', '/healthz', '/readyz', '/metrics', '/api/v1/db/status', '/api/v1/db/backups'] })));
  }

  #json(res: HttpResponse, status: string, body: string, headers: Record<string, string> = {}): void {
    res.cork(() => {
      res.writeStatus(status).writeHeader('Content-Type', 'application/json');
      for (const [k, v] of Object.entries(headers)) res.writeHeader(k, v);
      res.end(body);
    });
  }

  #onRequest(ws: WebSocket<ClientData>, message: ArrayBuffer, isBinary: boolean): void {
    try {
      if (isBinary) throw new RequestError(null, 'BAD_REQUEST', 'requests are JSON text frames');
      const data = ws.getUserData();
      if (!data.requests.take(Date.now())) {
        this.#options.metrics.wsRateLimited.inc();
        const { requestsPerSecond } = this.#options.limits;
        throw new RequestError(requestIdOf(message), 'RATE_LIMITED', `more than ${requestsPerSecond} requests a second (bursts of ${2 * requestsPerSecond}): this one was not run; slow down (CONTRAIL_WS_REQUESTS_PER_SECOND)`);
      }
      const req = parseRequest(textDecoder.decode(message));
      switch (req.op) {
        case 'subscribe': {
          for (const t of req.topics) data.topics.add(t);
          this.#syncTopics(ws, data);
          const history = req.history;
          if (history === null) ws.send(okReply(req.id), false);
          // Live messages may arrive before this reply: a client merges by id.
          else this.#answer(ws, req.id, async () => ({ history: (await this.#options.reads.recent(history)) as unknown }));
          break;
        }
        case 'search':
          this.#answer(ws, req.id, () => this.#options.reads.search(req.request));
          break;
        case 'history':
          this.#answer(ws, req.id, () => this.#options.reads.recent(req.request));
          break;
        case 'unsubscribe':
          for (const t of req.topics) data.topics.delete(t);
          this.#syncTopics(ws, data);
          ws.send(okReply(req.id), false);
          break;
        case 'ping':
          ws.send(okReply(req.id), false);
          break;
        case 'aircraft':
          this.#answer(ws, req.id, () => this.#options.aircraft(req.query));
          break;
        case 'analytics':
          this.#answer(ws, req.id, () => this.#options.analytics(req.request));
          break;
      }
    } catch (e) {
      if (e instanceof RequestError) ws.send(errorReply(e), false);
      else throw e;
    }
  }

  /** Sends one reply for an asynchronous request, unless the client left meanwhile. */
  #answer(ws: WebSocket<ClientData>, id: RequestId, work: () => Promise<unknown>): void {
    const send = (text: string): void => {
      if (this.#clients.has(ws)) ws.send(text, false);
    };
    Promise.resolve()
      .then(work)
      .then(
        (value) => send(resultReply(id, value)),
        (e: unknown) => {
          const err = e instanceof RequestError ? e : new RequestError(id, replyCode(e), (e as Error).message);
          send(errorReply(err));
        },
      );
  }

  /**
   * The subprotocol to answer the upgrade with ('' for none), or null when a read token is needed
   * and neither the Authorization header nor an offered `contrail.token.<token>` carries it.
   */
  #acceptToken(authorization: string, offered: string): string | null {
    const { read, admin } = this.#options.tokens;
    const protocols = offered.split(',').map((p) => p.trim()).filter((p) => p.length > 0);
    const tokenProtocol = protocols.find((p) => p.startsWith(TOKEN_PROTOCOL));
    if (read === null) return tokenProtocol ?? '';
    if (bearerMatches(authorization, [read, admin])) return tokenProtocol ?? '';
    if (tokenProtocol !== undefined && anyTokenMatches(tokenProtocol.slice(TOKEN_PROTOCOL.length), [read, admin])) return tokenProtocol;
    return null;
  }

  #checkBackpressure(): void {
    const now = Date.now();
    for (const ws of this.#clients) this.#checkClient(ws, now);
  }

  /** Applies the slow-client policy to one client (see client-backpressure.ts). */
  #checkClient(ws: WebSocket<ClientData>, now: number): void {
    const data = ws.getUserData();
    const verdict = data.backpressure.check(ws.getBufferedAmount(), now);
    const { metrics, log } = this.#options;
    switch (verdict.action) {
      case 'none':
        return;
      case 'pause':
        for (const t of data.uwsTopics) ws.unsubscribe(t);
        ws.unsubscribe(SYSTEM_TOPIC);
        data.uwsTopics = new Set();
        this.#behind.add(ws);
        metrics.wsBehind.set(this.#behind.size);
        return;
      case 'resume':
        this.#behind.delete(ws);
        metrics.wsBehind.set(this.#behind.size);
        metrics.wsMissed.inc(verdict.missed);
        ws.subscribe(SYSTEM_TOPIC);
        this.#syncTopics(ws, data);
        ws.send(JSON.stringify({ topic: SYSTEM_TOPIC, data: { event: 'missed', missed: verdict.missed } }), false);
        return;
      case 'disconnect':
        this.#behind.delete(ws);
        metrics.wsBehind.set(this.#behind.size);
        metrics.wsMissed.inc(verdict.missed);
        metrics.wsSlowDisconnects.inc();
        log.warn({ missed: verdict.missed, behindMs: this.#policy.maxBehindMs }, 'WebSocket client disconnected: it stayed behind');
        ws.end(CLOSE_TOO_SLOW, `too slow: behind for ${Math.round(this.#policy.maxBehindMs / 1000)} s, ${verdict.missed} messages missed`);
        return;
    }
  }

  /** A message published while some clients are behind: each one it was meant for misses it. */
  #countMissed(type: DecoderType, topic: PublishTopic): void {
    for (const ws of this.#behind) {
      const { topics, backpressure } = ws.getUserData();
      const wanted = topic === 'alerts' ? topics.has('alerts') : topics.has('messages') || topics.has(`messages:${type}`);
      if (wanted) backpressure.miss();
    }
  }

  #syncTopics(ws: WebSocket<ClientData>, data: ClientData): void {
    // A client behind stays off its topics until it is resumed; its subscriptions still change.
    if (data.backpressure.behind) return;
    const want = new Set<string>(uwsTopicsFor(data.topics));
    for (const t of data.uwsTopics) if (!want.has(t)) ws.unsubscribe(t);
    for (const t of want) if (!data.uwsTopics.has(t)) ws.subscribe(t);
    data.uwsTopics = want;
  }
}
