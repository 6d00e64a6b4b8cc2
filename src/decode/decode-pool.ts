/**
 * The Piscina pool of decode threads. One task per batch; buffers are moved, not copied. The
 * alert terms travel with every task (a few hundred bytes): Piscina cannot broadcast to its
 * threads, and each thread compiles a new matcher only when the version changes.
 */
import { Piscina } from 'piscina';
import type { TermSet } from '../alerts/term-store.js';
import type { DecodeTask, DecodeWorkerData } from '../threads/protocol.js';

const DECODE_URL = new URL('../../workers/decode.js', import.meta.url);

export class DecodePool {
  readonly #pool: Piscina;
  #alerts: DecodeTask['alerts'] = { version: 0, terms: [], ignore: [] };

  constructor(threads: number, data: DecodeWorkerData, maxQueue: number) {
    this.#pool = new Piscina({
      filename: DECODE_URL.href,
      minThreads: threads,
      maxThreads: threads,
      workerData: data,
      idleTimeout: Infinity,
      // The pipeline bounds what is in flight, so Piscina's queue never refuses a task.
      maxQueue,
    });
  }

  /** Decodes one frame batch; the buffer is transferred (unusable afterwards). */
  decode(batch: ArrayBuffer): Promise<ArrayBuffer> {
    const task: DecodeTask = { batch, alerts: this.#alerts };
    return this.#pool.run(task, { transferList: [batch] }) as Promise<ArrayBuffer>;
  }

  /** New alert terms: tasks from now on match with them. */
  setAlertTerms(terms: TermSet): void {
    this.#alerts = { version: this.#alerts.version + 1, ...terms };
  }

  get threads(): number {
    return this.#pool.threads.length;
  }

  close(): Promise<void> {
    return this.#pool.close();
  }
}
