/**
 * The reader pool: a few Piscina threads (workers/reader), each with its own read-only SQLite
 * connection, answering searches, history and aircraft lookups off the main thread and off the
 * writer. Every task has a time limit; the queue is bounded.
 *
 * Past the limit the task is aborted: Piscina terminates its thread and starts another, and the
 * caller gets CONTRAIL_ERR_QUERY_TIMEOUT at once. A terminated thread stops only when SQLite
 * returns to JavaScript, at the end of the statement it is in (better-sqlite3 cannot interrupt a
 * statement): until then it still uses a core. So while as many such threads as the pool has are
 * still finishing, new tasks are refused (CONTRAIL_ERR_BUSY) rather than piling up more of them.
 *
 * The queue bound is counted here: Piscina keeps tasks that carry an AbortSignal in a queue of
 * their own that its maxQueue does not bound (piscina 5.1).
 */
import { Piscina } from 'piscina';
import { ClosedError, ContrailError, WorkerError } from '../errors.js';
import type { AircraftQuery } from '../store/reads/aircraft-queries.js';
import type { RecentRequest, SearchRequest } from '../store/reads/search-request.js';
import type { HistoryRequest } from '../store/reads/subscription-history.js';
import type { ReaderReply, ReaderResults, ReaderTask, ReaderWorkerData } from '../threads/reader-protocol.js';

const READER_URL = new URL('../../workers/reader.js', import.meta.url);
/** Tasks waiting for a thread, per thread; past it a task is refused with CONTRAIL_ERR_BUSY. */
const QUEUE_PER_THREAD = 16;

export interface ReaderPoolOptions {
  dbPath: string;
  threads: number;
  /** Time limit of every task, from submission (queueing included). */
  timeoutMs: number;
  /** Tasks that may wait for a thread besides those running; default threads × 16. */
  maxQueue?: number;
  /** The compiled thread entry (tests running TypeScript point at dist/). */
  workerUrl?: URL;
  /** A thread failed outside any task (it could not start, or crashed idle); its tasks fail on their own. */
  onError?: (err: Error) => void;
}

type Kind = ReaderTask['kind'];

/** How a timed-out task is named to the client. */
const NOUN: Record<Kind, string> = { search: 'search', recent: 'history query', history: 'history query', message: 'message lookup', aircraft: 'aircraft lookup', spin: 'test statement' };

export class ReaderPool {
  readonly #pool: Piscina;
  readonly #threads: number;
  readonly #timeoutMs: number;
  readonly #maxQueue: number;
  /** Tasks submitted and not settled: running and waiting. */
  #inFlight = 0;
  /** Threads started and not yet exited, and those of them Piscina has let go (terminated). */
  readonly #alive = new Set<number>();
  readonly #finishing = new Set<number>();
  #closed = false;
  #closing: Promise<void> | null = null;

  constructor(o: ReaderPoolOptions) {
    this.#threads = o.threads;
    this.#timeoutMs = o.timeoutMs;
    this.#maxQueue = o.maxQueue ?? o.threads * QUEUE_PER_THREAD;
    const workerData: ReaderWorkerData = { dbPath: o.dbPath };
    this.#pool = new Piscina({
      filename: (o.workerUrl ?? READER_URL).href,
      minThreads: o.threads,
      maxThreads: o.threads,
      idleTimeout: Infinity,
      workerData,
    });
    this.#pool.on('workerCreate', (w: { id: number }) => {
      // Read now: a thread's id reads -1 once it has exited.
      const id = w.id;
      const worker = this.#pool.threads.find((t) => t.threadId === id);
      if (!worker) return;
      this.#alive.add(id);
      worker.once('exit', () => {
        this.#alive.delete(id);
        this.#finishing.delete(id);
      });
    });
    this.#pool.on('workerDestroy', (w: { id: number }) => {
      if (this.#alive.has(w.id)) this.#finishing.add(w.id);
    });
    this.#pool.on('error', (err: Error) => o.onError?.(err));
  }

  search(request: SearchRequest): Promise<ReaderResults['search']> {
    return this.#run({ kind: 'search', request });
  }

  recent(request: RecentRequest): Promise<ReaderResults['recent']> {
    return this.#run({ kind: 'recent', request });
  }

  /** A `subscribe` request's history: the newest messages its subscriptions would have delivered live. */
  history({ subscriptions, limit }: HistoryRequest): Promise<ReaderResults['history']> {
    return this.#run({ kind: 'history', subscriptions, limit });
  }

  message(id: number): Promise<ReaderResults['message']> {
    return this.#run({ kind: 'message', id });
  }

  aircraft(query: AircraftQuery): Promise<ReaderResults['aircraft']> {
    return this.#run({ kind: 'aircraft', query });
  }

  /** A statement that runs as long as asked: for the tests of the time limit only. */
  spin(upTo: number): Promise<number> {
    return this.#run({ kind: 'spin', upTo });
  }

  /** Threads terminated at a time limit that are still finishing their statement. */
  get finishing(): number {
    return this.#finishing.size;
  }

  async #run<T extends ReaderTask>(task: T): Promise<ReaderResults[T['kind']]> {
    if (this.#closed) throw new ClosedError('the reader pool');
    if (this.#finishing.size >= this.#threads) {
      throw new ContrailError('CONTRAIL_ERR_BUSY', `${this.#finishing.size} earlier queries that ran past the time limit are still finishing; try again in a few seconds`);
    }
    if (this.#inFlight >= this.#threads + this.#maxQueue) {
      throw new ContrailError('CONTRAIL_ERR_BUSY', `${this.#inFlight - this.#threads} queries are already waiting for a reader thread; try again shortly`);
    }
    const abort = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      abort.abort();
    }, this.#timeoutMs);
    let reply: ReaderReply;
    this.#inFlight++;
    try {
      reply = (await this.#pool.run(task, { signal: abort.signal })) as ReaderReply;
    } catch (e) {
      if (timedOut) {
        throw new ContrailError(
          'CONTRAIL_ERR_QUERY_TIMEOUT',
          `the ${NOUN[task.kind]} did not finish within ${this.#timeoutMs} ms (CONTRAIL_QUERY_TIMEOUT_MS) and was stopped: narrow it with a time range (from, to), an identifier (flight, tail, icao) or whole words (text) rather than a substring alone`,
          { cause: e },
        );
      }
      if (this.#closed) throw new ClosedError('the reader pool');
      throw new WorkerError('reader', (e as Error).message, { cause: e });
    } finally {
      this.#inFlight--;
      clearTimeout(timer);
    }
    if (!reply.ok) throw new ContrailError(reply.code, reply.message);
    return reply.value as ReaderResults[T['kind']];
  }

  /** Refuses new tasks, lets the running ones finish, stops the threads. Idempotent. */
  close(): Promise<void> {
    this.#closed = true;
    this.#closing ??= this.#pool.close({ force: true });
    return this.#closing;
  }
}
