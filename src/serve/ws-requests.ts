/**
 * Runs one parsed WebSocket request for one client: subscriptions change here, reads and admin
 * operations go to the parts that answer them (reader pool, analytics thread, writer), and every
 * request ends in exactly one reply or error.
 */
import type { AlertTermKind } from '../alerts/alert-term.js';
import type { AircraftQuery } from '../store/reads/aircraft-queries.js';
import type { AnalyticsRequest } from '../analytics/analytics-request.js';
import type { RecentRequest, SearchRequest } from '../store/reads/search-request.js';
import type { HistoryRequest } from '../store/reads/subscription-history.js';
import { anyTokenMatches, type DbAdmin } from './admin-api.js';
import type { IntelAdmin } from './intel-api.js';
import type { Encoding } from './ws-encoding.js';
import { ADMIN_OPS, okReply, PROTOCOL_VERSION, RequestError, type AdminOp, type ClientRequest, type RequestId } from './ws-protocol.js';
import { filterToJson, isMessageTopic, type Subscription } from './ws-topics.js';

export interface RequestServices {
  /** Answers `search`, `history` and a subscribe's history (in the reader pool). */
  reads: { search(r: SearchRequest): Promise<unknown>; recent(r: RecentRequest): Promise<unknown>; history(r: HistoryRequest): Promise<unknown> };
  /** Answers the `aircraft` request (in the reader pool); null when no aircraft matches. */
  aircraft: (q: AircraftQuery) => Promise<unknown>;
  /** Answers the `analytics` request (in the analytics thread). */
  analytics: (r: AnalyticsRequest) => Promise<unknown>;
  db: DbAdmin;
  intel: Omit<IntelAdmin, 'aircraft'>;
  /** Admin operations need it (given at the upgrade or with `auth`); null disables them. */
  adminToken: string | null;
  maxSubscriptions: number;
  /** A wrong token given to `auth` (counted like a refused upgrade). */
  onAuthRefused(): void;
}

/** One client, as requests see it. */
export interface ClientSession {
  readonly encoding: Encoding;
  readonly subscriptions: Map<string, Subscription>;
  admin: boolean;
  send(frame: object): void;
  /** Sends one reply for asynchronous work, unless the client left meanwhile. */
  answer(id: RequestId, work: () => Promise<unknown>): void;
  /** The subscriptions changed: re-plan native topics and router entries. */
  subscriptionsChanged(): void;
}

function isAdminOp(op: string): op is AdminOp {
  return (ADMIN_OPS as readonly string[]).includes(op);
}

function requireAdmin(req: ClientRequest, s: ClientSession, services: RequestServices): void {
  if (services.adminToken === null) throw new RequestError(req.id, 'FORBIDDEN', `${req.op} is an admin operation and admin operations are disabled: set CONTRAIL_ADMIN_TOKEN to enable them`);
  if (!s.admin) throw new RequestError(req.id, 'UNAUTHORIZED', `${req.op} needs the admin token: send {"op":"auth","token":"<CONTRAIL_ADMIN_TOKEN>"} first, or connect with it (Authorization: Bearer)`);
}

/** Runs a request; throws RequestError for refusals known before any work starts. */
export function handleRequest(req: ClientRequest, s: ClientSession, services: RequestServices): void {
  if (isAdminOp(req.op)) requireAdmin(req, s, services);
  switch (req.op) {
    case 'subscribe': {
      const added = req.topics.filter((t) => !s.subscriptions.has(t.name)).length;
      const total = s.subscriptions.size + added;
      if (total > services.maxSubscriptions) {
        throw new RequestError(req.id, 'TOO_MANY_TOPICS', `a client may hold ${services.maxSubscriptions} subscriptions (CONTRAIL_WS_MAX_SUBSCRIPTIONS); this would make ${total}: unsubscribe some first`);
      }
      // What this request replaces, to put back if its history fails.
      const replaced = req.topics.map((t) => [t.name, s.subscriptions.get(t.name)] as const);
      const subs: Subscription[] = req.topics.map((topic) => ({ topic, filter: isMessageTopic(topic) ? req.filter : null }));
      for (const sub of subs) s.subscriptions.set(sub.topic.name, sub);
      s.subscriptionsChanged();
      if (req.history === null) {
        s.send(okReply(req.id));
        return;
      }
      // The history is what these subscriptions would have delivered live; alerts, stats and
      // database carry none.
      const history: HistoryRequest = { subscriptions: subs.filter((sub) => isMessageTopic(sub.topic)), limit: req.history.limit };
      // Subscribed first so nothing falls between the history and the live messages (a client
      // merges by id); if the history fails, the error reply means this request changed nothing.
      s.answer(req.id, async () => {
        try {
          if (history.subscriptions.length === 0) return { history: { messages: [], complete: true } };
          return { history: await services.reads.history(history) };
        } catch (e) {
          for (const [name, sub] of replaced) {
            if (sub === undefined) s.subscriptions.delete(name);
            else s.subscriptions.set(name, sub);
          }
          s.subscriptionsChanged();
          throw e;
        }
      });
      return;
    }
    case 'unsubscribe':
      for (const t of req.topics) s.subscriptions.delete(t.name);
      s.subscriptionsChanged();
      s.send(okReply(req.id));
      return;
    case 'subscriptions':
      s.answer(req.id, async () => ({
        protocol: PROTOCOL_VERSION,
        encoding: s.encoding,
        admin: s.admin,
        subscriptions: [...s.subscriptions.values()].map(({ topic, filter }) => ({ topic: topic.name, filter: filterToJson(filter) })),
      }));
      return;
    case 'ping':
      s.send(okReply(req.id));
      return;
    case 'auth': {
      if (services.adminToken === null) throw new RequestError(req.id, 'FORBIDDEN', 'admin operations are disabled: set CONTRAIL_ADMIN_TOKEN to enable them');
      if (!anyTokenMatches(req.token, [services.adminToken])) {
        services.onAuthRefused();
        throw new RequestError(req.id, 'UNAUTHORIZED', 'wrong admin token');
      }
      s.admin = true;
      s.answer(req.id, async () => ({ admin: true }));
      return;
    }
    case 'search':
      s.answer(req.id, () => services.reads.search(req.request));
      return;
    case 'history':
      s.answer(req.id, () => services.reads.recent(req.request));
      return;
    case 'aircraft':
      s.answer(req.id, () => services.aircraft(req.query));
      return;
    case 'analytics':
      s.answer(req.id, () => services.analytics(req.request));
      return;
    case 'alerts.terms':
      s.answer(req.id, () => services.intel.listTerms());
      return;
    case 'alerts.add': {
      const kind: AlertTermKind = req.ignore ? 'ignore' : 'alert';
      s.answer(req.id, () => services.intel.addTerm(kind, { term: req.term, regex: req.regex }));
      return;
    }
    case 'alerts.remove': {
      const kind: AlertTermKind = req.ignore ? 'ignore' : 'alert';
      s.answer(req.id, () => services.intel.removeTerm(kind, req.term));
      return;
    }
    case 'alerts.rescan':
      s.answer(req.id, () => services.intel.rescan());
      return;
    case 'db.status':
      s.answer(req.id, () => services.db.status());
      return;
    case 'db.backups':
      s.answer(req.id, async () => services.db.backups());
      return;
    case 'db.backup':
      s.answer(req.id, () => services.db.backup());
      return;
    case 'db.migrate':
      s.answer(req.id, async () => (await services.db.migrate()).body);
      return;
    case 'db.restore':
      s.answer(req.id, () => services.db.restore(req.backup));
      return;
  }
}
