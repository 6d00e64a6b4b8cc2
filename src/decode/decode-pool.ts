/** The Piscina pool of decode threads. One task per batch; buffers are moved, not copied. */
import { Piscina } from 'piscina';
import type { DecodeWorkerData } from '../threads/protocol.js';

const DECODE_URL = new URL('../../workers/decode.js', import.meta.url);

export class DecodePool {
  readonly #pool: Piscina;

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
    return this.#pool.run(Piscina.move(batch)) as Promise<ArrayBuffer>;
  }

  get threads(): number {
    return this.#pool.threads.length;
  }

  close(): Promise<void> {
    return this.#pool.close();
  }
}
