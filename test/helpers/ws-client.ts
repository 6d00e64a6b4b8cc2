/** A real WebSocket client (the `ws` package) that records published messages and matches replies by id. */
import WebSocket from 'ws';

type Json = Record<string, unknown>;

export class WsClient {
  readonly messages: Json[] = [];
  /** Alert publications (topic `alerts`). */
  readonly alerts: Json[] = [];
  /** Engine events: topic `system` (hello, missed) and topic `database` (migration, rescan and mirror progress). */
  readonly events: Json[] = [];
  /** Stats publications (topic `stats`). */
  readonly stats: Json[] = [];
  readonly #ws: WebSocket;
  readonly #replies: Json[] = [];
  #waiters: (() => void)[] = [];

  private constructor(ws: WebSocket) {
    this.#ws = ws;
    ws.on('message', (data) => {
      const frame = JSON.parse(data.toString()) as Json;
      if (frame.topic === 'messages') this.messages.push(frame.data as Json);
      else if (frame.topic === 'system' || frame.topic === 'database') this.events.push(frame.data as Json);
      else if (frame.topic === 'alerts') this.alerts.push(frame.data as Json);
      else if (frame.topic === 'stats') this.stats.push(frame.data as Json);
      else this.#replies.push(frame);
      const w = this.#waiters;
      this.#waiters = [];
      for (const f of w) f();
    });
  }

  static connect(url: string): Promise<WsClient> {
    const ws = new WebSocket(url);
    return new Promise((resolve, reject) => {
      ws.once('open', () => resolve(new WsClient(ws)));
      ws.once('error', reject);
    });
  }

  /** Sends a request object and resolves with the reply carrying its id. */
  request(req: Json): Promise<Json> {
    return this.requestRaw(JSON.stringify(req), req.id ?? null);
  }

  /** Sends raw text; resolves with the next reply whose id matches (null for unparseable requests). */
  async requestRaw(text: string, id: unknown = null): Promise<Json> {
    this.#ws.send(text);
    return this.#until(() => this.#replies.find((r) => r.id === id), `reply to ${text.slice(0, 60)}`);
  }

  /** Resolves once at least `n` messages have arrived. */
  async waitForCount(n: number, timeoutMs = 20_000): Promise<void> {
    await this.#until(() => (this.messages.length >= n ? true : undefined), `${n} messages (have ${this.messages.length})`, timeoutMs);
  }

  /** Resolves with the first stats publication. */
  waitForStats(timeoutMs = 20_000): Promise<Json> {
    return this.#until(() => this.stats[0], 'a stats publication', timeoutMs);
  }

  /** Resolves with the first engine event that satisfies `ok`. */
  waitForEvent(ok: (e: Json) => boolean, timeoutMs = 20_000): Promise<Json> {
    return this.#until(() => this.events.find(ok), 'an engine event', timeoutMs);
  }

  async #until<T>(check: () => T | undefined, what: string, timeoutMs = 10_000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const v = check();
      if (v !== undefined) return v;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out waiting for ${what}; have ${this.messages.length} messages`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.#waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  close(): void {
    this.#ws.close();
  }
}

/**
 * Opens a WebSocket and closes it at once: "open <subprotocol>" when the upgrade was accepted,
 * else the client's error (naming the HTTP status the server refused with).
 */
export function tryOpen(url: string, options: { protocols?: string[]; headers?: Record<string, string> } = {}): Promise<string> {
  return new Promise((resolve) => {
    const ws = new WebSocket(url, options.protocols ?? [], { headers: options.headers ?? {} });
    ws.once('open', () => {
      resolve(`open ${ws.protocol}`);
      ws.close();
    });
    ws.once('error', (e) => resolve(e.message));
  });
}
