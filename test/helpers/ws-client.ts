/**
 * A real WebSocket client (the `ws` package) that records published messages and matches replies
 * by id. It speaks either encoding of docs/protocol.md: JSON text frames (the default) or
 * MessagePack binary frames (subprotocol `contrail.msgpack`, decoded with msgpackr's `unpack`).
 */
import { Packr, unpack } from 'msgpackr';
import WebSocket from 'ws';

type Json = Record<string, unknown>;

export type WsEncoding = 'json' | 'msgpack';

export interface WsConnectOptions {
  /** `msgpack` offers the `contrail.msgpack` subprotocol (unless `protocols` says otherwise) and sends requests as MessagePack. */
  encoding?: WsEncoding;
  /** Subprotocols to offer; default none for JSON, `contrail.msgpack` for MessagePack. */
  protocols?: string[];
  headers?: Record<string, string>;
}

/** Requests as plain MessagePack maps (no msgpackr records), as any MessagePack library writes them. */
const packr = new Packr({ useRecords: false });

/** A top-level MessagePack map: fixmap, map16 or map32 (not an extension such as msgpackr's records). */
function isPlainMap(first: number | undefined): boolean {
  return first !== undefined && ((first >= 0x80 && first <= 0x8f) || first === 0xde || first === 0xdf);
}

export class WsClient {
  readonly messages: Json[] = [];
  /** Alert publications (topic `alerts`). */
  readonly alerts: Json[] = [];
  /** Engine events: topic `system` (hello, missed) and topic `database` (migration, rescan and mirror progress). */
  readonly events: Json[] = [];
  /** Stats publications (topic `stats`). */
  readonly stats: Json[] = [];
  /** Every frame that is not a reply, in arrival order: `{topic, data}`. */
  readonly published: Json[] = [];
  /** Every reply (a frame with no topic), in arrival order. */
  readonly replies: Json[] = [];
  /** Frames that did not match the encoding: text on a MessagePack connection, binary on a JSON one, or a MessagePack frame that is not a plain map. */
  readonly badFrames: string[] = [];
  /** The first frame the server sent. */
  first: Json | null = null;
  /** How the server closed the connection, once it has. */
  closedWith: { code: number; reason: string } | null = null;
  readonly encoding: WsEncoding;
  readonly #ws: WebSocket;
  #waiters: (() => void)[] = [];

  private constructor(ws: WebSocket, encoding: WsEncoding) {
    this.#ws = ws;
    this.encoding = encoding;
    ws.on('message', (data: Buffer, isBinary: boolean) => {
      if (isBinary !== (encoding === 'msgpack')) this.badFrames.push(`${isBinary ? 'binary' : 'text'} frame on a ${encoding} connection`);
      let frame: Json;
      if (isBinary) {
        if (!isPlainMap(data[0])) this.badFrames.push(`MessagePack frame starting with 0x${(data[0] ?? 0).toString(16)}, not a plain map`);
        frame = unpack(data) as Json;
      } else {
        frame = JSON.parse(data.toString()) as Json;
      }
      this.first ??= frame;
      if (typeof frame.topic === 'string') this.published.push(frame);
      if (frame.topic === 'messages') this.messages.push(frame.data as Json);
      else if (frame.topic === 'system' || frame.topic === 'database') this.events.push(frame.data as Json);
      else if (frame.topic === 'alerts') this.alerts.push(frame.data as Json);
      else if (frame.topic === 'stats') this.stats.push(frame.data as Json);
      else this.replies.push(frame);
      this.#wake();
    });
    ws.on('close', (code: number, reason: Buffer) => {
      this.closedWith = { code, reason: reason.toString() };
      this.#wake();
    });
  }

  static connect(url: string, options: WsConnectOptions = {}): Promise<WsClient> {
    const encoding = options.encoding ?? 'json';
    const protocols = options.protocols ?? (encoding === 'msgpack' ? ['contrail.msgpack'] : []);
    const ws = new WebSocket(url, protocols, { headers: options.headers ?? {} });
    return new Promise((resolve, reject) => {
      ws.once('open', () => resolve(new WsClient(ws, encoding)));
      ws.once('error', reject);
    });
  }

  /** The subprotocol the server answered with ('' for none). */
  get protocol(): string {
    return this.#ws.protocol;
  }

  /** Resolves with the first frame (the hello event). */
  waitForFirst(timeoutMs = 10_000): Promise<Json> {
    return this.#until(() => this.first ?? undefined, 'the first frame', timeoutMs);
  }

  /** A value as a frame in the connection's encoding: JSON text, or a plain MessagePack map (no records). */
  encode(value: unknown): string | Uint8Array {
    return this.encoding === 'msgpack' ? packr.pack(value) : JSON.stringify(value);
  }

  /** Sends a request object in the connection's encoding and resolves with the reply carrying its id. */
  request(req: Json): Promise<Json> {
    return this.requestRaw(this.encode(req), req.id ?? null);
  }

  /**
   * Sends a raw frame (a string as a text frame, bytes as a binary frame); resolves with the next
   * reply whose id matches (null for unreadable requests).
   */
  async requestRaw(frame: string | Uint8Array, id: unknown = null): Promise<Json> {
    const before = this.repliesTo(id).length;
    this.#ws.send(frame);
    const what = typeof frame === 'string' ? frame.slice(0, 60) : `${frame.length} bytes`;
    return this.#until(() => this.repliesTo(id)[before], `reply to ${what}`);
  }

  /** Sends a raw frame without waiting for anything. */
  send(frame: string | Uint8Array): void {
    this.#ws.send(frame);
  }

  /** The replies received so far carrying this id. */
  repliesTo(id: unknown): Json[] {
    return this.replies.filter((r) => r.id === id);
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

  /** Resolves with how the server closed the connection. */
  waitForClose(timeoutMs = 10_000): Promise<{ code: number; reason: string }> {
    return this.#until(() => this.closedWith ?? undefined, 'the connection to close', timeoutMs);
  }

  #wake(): void {
    const w = this.#waiters;
    this.#waiters = [];
    for (const f of w) f();
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
