/**
 * Runs async jobs one at a time, in the order they were queued. A job starts once the one before
 * it has settled, whether it fulfilled or rejected; its caller gets its own job's result or error,
 * never an earlier job's.
 */
export class SerialQueue {
  /** Settles when the last job queued settles; never rejects. */
  #tail: Promise<unknown> = Promise.resolve();

  run<T>(job: () => Promise<T>): Promise<T> {
    const result = this.#tail.then(() => job());
    this.#tail = result.catch(() => {});
    return result;
  }
}
