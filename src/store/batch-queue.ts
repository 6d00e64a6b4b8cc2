/**
 * The writer thread's queue of batches to commit, in order. A storage error that time can fix
 * (disk full, I/O error, read-only file system, database locked) does not fail the batch: the
 * queue stalls on it, retries, and resumes by itself, because committing later batches first
 * would move the journal checkpoint past the one that failed. Other errors fail only that batch.
 */
export const RETRY_MS = 1000;

const RETRYABLE = /^SQLITE_(FULL|IOERR|READONLY|CANTOPEN|BUSY|LOCKED)/;

export function isRetryableStorageError(e: unknown): boolean {
  const code = (e as { code?: unknown } | null)?.code;
  return typeof code === 'string' && RETRYABLE.test(code);
}

export interface BatchQueueHandlers<T> {
  write(item: T): void;
  fail(item: T, err: unknown): void;
  stalled(err: unknown): void;
  resumed(): void;
}

export class BatchQueue<T> {
  readonly #h: BatchQueueHandlers<T>;
  readonly #items: T[] = [];
  #stalled = false;
  #timer: NodeJS.Timeout | null = null;

  constructor(handlers: BatchQueueHandlers<T>) {
    this.#h = handlers;
  }

  get length(): number {
    return this.#items.length;
  }

  push(item: T): void {
    this.#items.push(item);
    if (!this.#stalled) this.#pump();
  }

  /** Stops retrying (on close); what is queued stays unwritten. */
  stop(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
  }

  #pump(): void {
    while (this.#items.length > 0) {
      const item = this.#items[0]!;
      try {
        this.#h.write(item);
      } catch (e) {
        if (isRetryableStorageError(e)) {
          if (!this.#stalled) {
            this.#stalled = true;
            this.#h.stalled(e);
          }
          this.#timer = setTimeout(() => {
            this.#timer = null;
            this.#pump();
          }, RETRY_MS);
          return;
        }
        this.#items.shift();
        this.#h.fail(item, e);
        continue;
      }
      this.#items.shift();
      if (this.#stalled) {
        this.#stalled = false;
        this.#h.resumed();
      }
    }
  }
}
