/**
 * A ZMQ SUB socket connected to a decoder's or router's PUB socket, subscribed to everything.
 * Each ZMQ message holds one JSON frame (the last part, if a publisher sends a topic part first).
 * ZMQ reconnects by itself; pausing stops reading, and the publisher's high-water mark applies.
 */
import { Subscriber } from 'zeromq';
import { SourceBase } from '../source.js';

export class ZmqSource extends SourceBase {
  #socket: Subscriber | null = null;
  #loop: Promise<void> | null = null;
  #resume: (() => void) | null = null;
  #paused = false;
  #closing = false;

  start(): Promise<null> {
    const host = this.config.host.includes(':') ? `[${this.config.host}]` : this.config.host;
    const endpoint = `tcp://${host}:${this.config.port}`;
    const socket = new Subscriber({ reconnectInterval: this.options.tcpReconnectMs, ipv6: this.config.host.includes(':') });
    socket.connect(endpoint);
    socket.subscribe();
    this.#socket = socket;
    this.log.info({ source: this.config.descriptor, type: this.config.type, endpoint }, 'ZMQ subscriber connecting');
    this.#loop = this.#receive(socket);
    return Promise.resolve(null);
  }

  async #receive(socket: Subscriber): Promise<void> {
    const framer = this.framer();
    while (!this.#closing) {
      if (this.#paused) await new Promise<void>((resolve) => (this.#resume = resolve));
      if (this.#closing) break;
      let parts: Buffer[];
      try {
        parts = await socket.receive();
      } catch (err) {
        if (this.#closing) break;
        this.log.error({ source: this.config.descriptor, err }, 'ZMQ receive failed');
        break;
      }
      const last = parts[parts.length - 1];
      if (!last) continue;
      this.sink.bytesRead(this.index, last.length);
      framer.pushMessage(last);
    }
  }

  pause(): void {
    this.#paused = true;
  }

  resume(): void {
    this.#paused = false;
    this.#resume?.();
    this.#resume = null;
  }

  async close(): Promise<void> {
    if (this.#closing) return this.#loop ?? undefined;
    this.#closing = true;
    this.#resume?.();
    this.#socket?.close();
    await this.#loop;
  }
}
