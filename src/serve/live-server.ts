/**
 * HTTP and WebSocket on one port, with uWebSockets.js: `/ws` for live clients, `/healthz`,
 * `/readyz`, `/metrics`, the dashboard at `/`. Publishing hands uWS the payload bytes the writer
 * produced and uWS fans them out natively; narrow subscriptions (a flight, a label, a filter) go
 * through the router (ws-router.ts); MessagePack clients get each message re-encoded once. A
 * client whose unsent bytes pass the slow-client limit is paused, told what it missed when it
 * drains, or dropped (client-backpressure.ts). Requests are run by ws-requests.ts.
 */
import type { HttpResponse, TemplatedApp, WebSocket, us_listen_socket } from 'uWebSockets.js';
import type { Logger } from 'pino';
import { DECODER_TYPES, type DecoderType } from '../decode/message.js';
import type { EngineMetrics } from '../metrics/engine-metrics.js';
import { ContrailError } from '../errors.js';
import { loadUws } from './uws.js';
import { registerDashboard } from './dashboard.js';
import { forEachPublished, type PublishTopic } from '../store/publish-batch.js';
import type { BackpressurePolicy } from './client-backpressure.js';
import { anyTokenMatches, bearerMatches } from './admin-api.js';
import { decodeFrame, encodeFrame, FrameError, jsonToMsgpack, MSGPACK_PROTOCOL, type Encoding } from './ws-encoding.js';
import { errorReply, parseRequest, PROTOCOL_VERSION, readId, replyCode, RequestError, resultReply, type RequestId } from './ws-protocol.js';
import { handleRequest, type ClientSession, type RequestServices } from './ws-requests.js';
import { MessageRouter } from './ws-router.js';
import { planDelivery } from './ws-topics.js';
import { ClientState, uwsTopic, type UserData } from './ws-client-state.js';

/** How often every client's unsent bytes are looked at (and on each uWS drain event). */
const BACKPRESSURE_CHECK_MS = 100;
/** uWS's ListenOptions.LIBUS_LISTEN_EXCLUSIVE_PORT (its typings declare the enum but no value to import). */
const LIBUS_LISTEN_EXCLUSIVE_PORT = 1;
/** A browser cannot set headers on a WebSocket: it offers its token as this subprotocol. */
const TOKEN_PROTOCOL = 'contrail.token.';
/** Asks for JSON frames explicitly (the default). */
const JSON_PROTOCOL = 'contrail.json';
/** WebSocket close code for a client dropped for staying behind (policy violation). */
const CLOSE_TOO_SLOW = 1008;
/** Largest request: a bigger frame gets a TOO_LARGE reply, unread, and the connection stays. */
const MAX_REQUEST_BYTES = 16 * 1024;
/** uWS's own limit, far above: past it uWS drops the connection without a close frame (1006). Bounds what one client can make it buffer. */
const HARD_MAX_FRAME_BYTES = 256 * 1024;

export interface LiveServerOptions {
  host: string;
  port: number;
  metrics: EngineMetrics;
  /** The body of /healthz; `ok: false` answers 503. */
  health: () => { ok: boolean } & Record<string, unknown>;
  log: Logger;
  /** More HTTP routes (the admin API), registered before the catch-all 404. */
  routes: (app: TemplatedApp) => void;
  /** What WebSocket requests are answered by (reads, analytics, admin operations). */
  services: Omit<RequestServices, 'maxSubscriptions' | 'adminToken' | 'onAuthRefused'>;
  /** The slow-client policy. */
  backpressure: BackpressurePolicy;
  /** Connections, requests per second and subscriptions per client. */
  limits: ClientLimits;
  /** With a read token, a WebSocket must present it (or the admin token): `Authorization: Bearer`, or a browser's subprotocol `contrail.token.<token>`. The admin token also makes the connection admin. */
  tokens: { read: string | null; admin: string | null };
  /** The body of /readyz; `ok: false` answers 503. */
  ready: () => { ok: boolean } & Record<string, unknown>;
}

export interface ClientLimits {
  maxClients: number;
  requestsPerSecond: number;
  maxSubscriptions: number;
}

/** uWS topic names per encoding, built once rather than per published message. */
const names = (topic: string): { json: string; mp: string } => ({ json: uwsTopic('json', topic), mp: uwsTopic('msgpack', topic) });
const TOPIC = { messages: names('messages'), alerts: names('alerts'), stats: names('stats'), database: names('database') };
const TYPE_TOPIC = Object.fromEntries(DECODER_TYPES.map((t) => [t, names(`messages:${t}`)])) as Record<DecoderType, { json: string; mp: string }>;

/** What the upgrade decided: the subprotocol to answer with, the encoding, and whether the client is admin. */
interface Accepted {
  protocol: string;
  encoding: Encoding;
  admin: boolean;
}

export class LiveServer {
  readonly #options: LiveServerOptions;
  readonly #services: RequestServices;
  readonly #app: TemplatedApp;
  readonly #clients = new Set<ClientState>();
  /** Clients behind (paused): messages published meanwhile are counted for them. */
  readonly #behind = new Set<ClientState>();
  readonly #router = new MessageRouter<ClientState>();
  readonly #policy: BackpressurePolicy;
  /** Connected MessagePack clients: while none, nothing is re-encoded. */
  #msgpackClients = 0;
  #backpressureTimer: NodeJS.Timeout | null = null;
  #listenSocket: us_listen_socket | null = null;
  readonly native: boolean;

  constructor(options: LiveServerOptions) {
    this.#options = options;
    this.#services = {
      ...options.services,
      adminToken: options.tokens.admin,
      maxSubscriptions: options.limits.maxSubscriptions,
      onAuthRefused: () => options.metrics.wsRefused.inc({ reason: 'auth' }),
    };
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
    // uWS listens with SO_REUSEPORT by default: a second engine on the same port would start
    // and take half the connections. Exclusive, it fails like any other listener in use.
    const listenExclusive = this.#app.listen as unknown as (host: string, port: number, options: number, cb: (token: us_listen_socket | false) => void) => TemplatedApp;
    return new Promise((resolve, reject) => {
      listenExclusive.call(this.#app, host, port, LIBUS_LISTEN_EXCLUSIVE_PORT, (token) => {
        if (!token) {
          reject(new ContrailError('CONTRAIL_ERR_LISTEN', `cannot listen for HTTP/WebSocket on ${host}:${port}: address in use or not available (set CONTRAIL_HTTP_HOST / CONTRAIL_HTTP_PORT)`));
          return;
        }
        this.#listenSocket = token;
        resolve({ host, port: uws.us_socket_local_port(token as unknown as Parameters<typeof uws.us_socket_local_port>[0]) });
      });
    });
  }

  /**
   * Sends a commit's messages (a publish batch from the writer) to their subscribers: native
   * topics first, in order, then each routed client's share in one corked write.
   */
  publishBatch(buffer: ArrayBuffer): void {
    const app = this.#app;
    const routing = this.#router.size > 0;
    const msgpack = this.#msgpackClients > 0;
    const outbox = new Map<ClientState, Uint8Array[]>();
    forEachPublished(buffer, (p) => {
      if (this.#behind.size > 0) this.#countMissed(p.type, p.topic);
      let packed: Uint8Array | null = null;
      const packedPayload = (): Uint8Array => (packed ??= jsonToMsgpack(p.payload));
      if (p.topic === 'alerts') {
        app.publish(TOPIC.alerts.json, p.payload, false);
        if (msgpack && app.numSubscribers(TOPIC.alerts.mp) > 0) app.publish(TOPIC.alerts.mp, packedPayload(), true);
        return;
      }
      const typeTopic = TYPE_TOPIC[p.type];
      app.publish(TOPIC.messages.json, p.payload, false);
      app.publish(typeTopic.json, p.payload, false);
      if (msgpack && (app.numSubscribers(TOPIC.messages.mp) > 0 || app.numSubscribers(typeTopic.mp) > 0)) {
        app.publish(TOPIC.messages.mp, packedPayload(), true);
        app.publish(typeTopic.mp, packedPayload(), true);
      }
      if (!routing) return;
      this.#router.route(p.meta(), (c) => {
        if (c.backpressure.behind) {
          c.backpressure.miss();
          return;
        }
        let frames = outbox.get(c);
        if (!frames) outbox.set(c, (frames = []));
        frames.push(c.encoding === 'json' ? p.payload : packedPayload());
      });
    });
    for (const [c, frames] of outbox) {
      if (!this.#clients.has(c)) continue;
      const binary = c.encoding === 'msgpack';
      c.ws.cork(() => {
        for (const f of frames) c.ws.send(f, binary);
      });
    }
  }

  /** Connected clients, and those paused for being behind. */
  get clientCounts(): { connected: number; behind: number; msgpack: number } {
    return { connected: this.#clients.size, behind: this.#behind.size, msgpack: this.#msgpackClients };
  }

  /** Clients subscribed to the stats topic: the engine computes stats only for someone. */
  get statsSubscribers(): number {
    return this.#app.numSubscribers(TOPIC.stats.json) + this.#app.numSubscribers(TOPIC.stats.mp);
  }

  /** Publishes `{"topic":"stats","data":{...}}` to the clients subscribed to stats. */
  publishStats(data: Record<string, unknown>): void {
    this.#publishEvent('stats', data);
  }

  /** Database progress (migrations, rescans, the mirror's catch-up) to the `database` topic. */
  publishDatabase(data: Record<string, unknown>): void {
    this.#publishEvent('database', data);
  }

  /** Stops listening and closes every client. */
  close(): void {
    if (this.#backpressureTimer) clearInterval(this.#backpressureTimer);
    this.#backpressureTimer = null;
    const { uws } = loadUws();
    if (this.#listenSocket) uws.us_listen_socket_close(this.#listenSocket);
    this.#listenSocket = null;
    for (const c of [...this.#clients]) c.ws.end(1001, 'server shutting down');
    this.#clients.clear();
  }

  #publishEvent(topic: 'stats' | 'database', data: Record<string, unknown>): void {
    const frame = { topic, data };
    this.#app.publish(TOPIC[topic].json, JSON.stringify(frame), false);
    if (this.#msgpackClients > 0) this.#app.publish(TOPIC[topic].mp, encodeFrame('msgpack', frame), true);
  }

  #routes(): void {
    const { metrics, log } = this.#options;
    this.#app.ws<UserData>('/ws', {
      maxPayloadLength: HARD_MAX_FRAME_BYTES,
      // uWS's own hard stop: it drops, uncounted, what would pass it. The policy pauses a client far
      // below it (checked every 100 ms), so only a client taking megabytes in 100 ms could reach it.
      maxBackpressure: Math.max(16 * 1024 * 1024, 4 * this.#policy.maxBufferedBytes),
      idleTimeout: 120,
      sendPingsAutomatically: true,
      upgrade: (res, req, context) => {
        const { maxClients, requestsPerSecond } = this.#options.limits;
        const accepted = this.#acceptUpgrade(req.getHeader('authorization'), req.getHeader('sec-websocket-protocol'));
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
        const state = new ClientState(accepted.encoding, this.#policy, requestsPerSecond, Date.now());
        state.session = this.#session(state, accepted.admin);
        res.upgrade<UserData>(
          { state },
          req.getHeader('sec-websocket-key'),
          accepted.protocol,
          req.getHeader('sec-websocket-extensions'),
          context,
        );
      },
      open: (ws) => this.#open(ws),
      message: (ws, message, isBinary) => this.#onRequest(ws.getUserData().state, message, isBinary),
      drain: (ws) => this.#checkClient(ws.getUserData().state, Date.now()),
      close: (ws) => {
        const c = ws.getUserData().state;
        this.#clients.delete(c);
        this.#behind.delete(c);
        this.#router.drop(c, c.plan.routed);
        if (c.encoding === 'msgpack') this.#msgpackClients--;
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

  #open(ws: WebSocket<UserData>): void {
    const c = ws.getUserData().state;
    c.ws = ws;
    this.#clients.add(c);
    if (c.encoding === 'msgpack') this.#msgpackClients++;
    this.#syncNative(c);
    this.#options.metrics.wsClients.set(this.#clients.size);
    c.session.send({ topic: 'system', data: { event: 'hello', protocol: PROTOCOL_VERSION, encoding: c.encoding, admin: c.session.admin } });
  }

  /** The client as requests see it; its closures touch the socket only once it is open, and never after it closed. */
  #session(c: ClientState, admin: boolean): ClientSession {
    const encode = (frame: object): string | Uint8Array => encodeFrame(c.encoding, frame);
    const binary = c.encoding === 'msgpack';
    const send = (frame: object): void => {
      if (this.#clients.has(c)) c.ws.send(encode(frame), binary);
    };
    return {
      encoding: c.encoding,
      subscriptions: new Map(),
      admin,
      send,
      answer: (id, work) => this.#answer(c, id, work),
      subscriptionsChanged: () => {
        // A request answered after the client left (a failed history) must not put it back in the router.
        if (!this.#clients.has(c)) return;
        const plan = planDelivery(c.session.subscriptions.values());
        this.#router.set(c, c.plan.routed, plan.routed);
        c.plan = plan;
        this.#syncNative(c);
      },
    };
  }

  #json(res: HttpResponse, status: string, body: string, headers: Record<string, string> = {}): void {
    res.cork(() => {
      res.writeStatus(status).writeHeader('Content-Type', 'application/json');
      for (const [k, v] of Object.entries(headers)) res.writeHeader(k, v);
      res.end(body);
    });
  }

  #onRequest(c: ClientState, message: ArrayBuffer, isBinary: boolean): void {
    let id: RequestId = null;
    try {
      if (message.byteLength > MAX_REQUEST_BYTES) {
        throw new RequestError(null, 'TOO_LARGE', `a request frame of ${message.byteLength} bytes is over the ${MAX_REQUEST_BYTES}-byte limit: it was not read`);
      }
      let value: unknown;
      try {
        value = decodeFrame(c.encoding, message, isBinary);
      } catch (e) {
        if (e instanceof FrameError) throw new RequestError(null, 'BAD_REQUEST', e.message);
        throw e;
      }
      id = readId(value);
      if (!c.requests.take(Date.now())) {
        this.#options.metrics.wsRateLimited.inc();
        const { requestsPerSecond } = this.#options.limits;
        throw new RequestError(id, 'RATE_LIMITED', `more than ${requestsPerSecond} requests a second (bursts of ${2 * requestsPerSecond}): this one was not run; slow down (CONTRAIL_WS_REQUESTS_PER_SECOND)`);
      }
      handleRequest(parseRequest(value), c.session, this.#services);
    } catch (e) {
      if (e instanceof RequestError) {
        c.session.send(errorReply(e));
        return;
      }
      // A fault of ours: the client still gets its one reply, and the log says what happened.
      this.#options.log.error({ err: e }, 'WebSocket request failed');
      c.session.send(errorReply(new RequestError(id, 'INTERNAL', (e as Error).message)));
    }
  }

  /** Sends one reply for an asynchronous request, unless the client left meanwhile. */
  #answer(c: ClientState, id: RequestId, work: () => Promise<unknown>): void {
    Promise.resolve()
      .then(work)
      .then(
        (value) => c.session.send(resultReply(id, value)),
        (e: unknown) => {
          const err = e instanceof RequestError ? e : new RequestError(id, replyCode(e), (e as Error).message);
          if (err.code === 'INTERNAL') this.#options.log.error({ err: e }, 'WebSocket request failed');
          c.session.send(errorReply(err));
        },
      );
  }

  /**
   * What to answer the upgrade with, or null when a read token is needed and neither the
   * Authorization header nor an offered `contrail.token.<token>` carries it (or the admin token).
   * A client offering `contrail.msgpack` gets MessagePack frames (and that subprotocol back).
   */
  #acceptUpgrade(authorization: string, offered: string): Accepted | null {
    const { read, admin } = this.#options.tokens;
    const protocols = offered.split(',').map((p) => p.trim()).filter((p) => p.length > 0);
    const tokenProtocol = protocols.find((p) => p.startsWith(TOKEN_PROTOCOL));
    const offeredToken = tokenProtocol?.slice(TOKEN_PROTOCOL.length) ?? null;
    const isAdmin = admin !== null && (bearerMatches(authorization, [admin]) || (offeredToken !== null && anyTokenMatches(offeredToken, [admin])));
    if (read !== null && !isAdmin && !bearerMatches(authorization, [read]) && !(offeredToken !== null && anyTokenMatches(offeredToken, [read]))) return null;
    const encoding: Encoding = protocols.includes(MSGPACK_PROTOCOL) ? 'msgpack' : 'json';
    const protocol = encoding === 'msgpack' ? MSGPACK_PROTOCOL : protocols.includes(JSON_PROTOCOL) ? JSON_PROTOCOL : (tokenProtocol ?? '');
    return { protocol, encoding, admin: isAdmin };
  }

  #checkBackpressure(): void {
    const now = Date.now();
    for (const c of this.#clients) this.#checkClient(c, now);
  }

  /** Applies the slow-client policy to one client (see client-backpressure.ts). */
  #checkClient(c: ClientState, now: number): void {
    if (!this.#clients.has(c)) return;
    const verdict = c.backpressure.check(c.ws.getBufferedAmount(), now);
    const { metrics, log } = this.#options;
    switch (verdict.action) {
      case 'none':
        return;
      case 'pause':
        for (const t of c.uwsTopics) c.ws.unsubscribe(t);
        c.uwsTopics = new Set();
        this.#behind.add(c);
        metrics.wsBehind.set(this.#behind.size);
        return;
      case 'resume':
        this.#behind.delete(c);
        metrics.wsBehind.set(this.#behind.size);
        metrics.wsMissed.inc(verdict.missed);
        this.#syncNative(c);
        c.session.send({ topic: 'system', data: { event: 'missed', missed: verdict.missed } });
        return;
      case 'disconnect':
        this.#behind.delete(c);
        metrics.wsBehind.set(this.#behind.size);
        metrics.wsMissed.inc(verdict.missed);
        metrics.wsSlowDisconnects.inc();
        log.warn({ missed: verdict.missed, behindMs: this.#policy.maxBehindMs }, 'WebSocket client disconnected: it stayed behind');
        c.ws.end(CLOSE_TOO_SLOW, `too slow: behind for ${Math.round(this.#policy.maxBehindMs / 1000)} s, ${verdict.missed} messages missed`);
        return;
    }
  }

  /** A message published while some clients are behind: each one its native topics meant it for misses it (the router counts its own). */
  #countMissed(type: DecoderType, topic: PublishTopic): void {
    for (const c of this.#behind) {
      const wanted = topic === 'alerts' ? c.plan.native.has('alerts') : c.plan.nativeTypes.has(type);
      if (wanted) c.backpressure.miss();
    }
  }

  /** Puts the client on the uWS topics its plan wants; a client behind stays off until resumed. */
  #syncNative(c: ClientState): void {
    if (c.backpressure.behind) return;
    const want = c.wantedUwsTopics();
    for (const t of c.uwsTopics) if (!want.has(t)) c.ws.unsubscribe(t);
    for (const t of want) if (!c.uwsTopics.has(t)) c.ws.subscribe(t);
    c.uwsTopics = want;
  }
}
