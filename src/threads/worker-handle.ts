/**
 * The main thread's side of a long-lived worker thread with a handshake, requests and a close:
 * the parts the writer and the analytics thread share. The thread posts `ready` once (its
 * payload resolves `ready()`), answers each request with one `reply` carrying its id, reports a
 * fatal error as `fatal` and confirms a close with `closed`. Every other message goes to the
 * owner's `onMessage`. If the thread dies, pending requests fail and `onDead` fires once (while
 * starting, `ready()` rejects instead).
 */
import { Worker } from 'node:worker_threads';
import { ClosedError, ContrailError, WorkerError } from '../errors.js';

export type Reply = { kind: 'reply'; id: number; ok: true; value: unknown } | { kind: 'reply'; id: number; ok: false; code: string; message: string };
type Control<Ready> = ({ kind: 'ready' } & Ready) | Reply | { kind: 'fatal'; code: string; message: string } | { kind: 'closed' };

export interface WorkerHandleOptions<Ready, Other> {
  /** Names the thread in errors ("writer worker: ...") and in its thread name. */
  what: string;
  url: URL;
  workerData: unknown;
  onMessage(m: Other): void;
  onDead(err: WorkerError): void;
  /** When the thread is ready (before `ready()` resolves). */
  onReady?(r: Ready): void;
}

export type WorkerState = 'starting' | 'ready' | 'closing' | 'closed' | 'dead';

export class WorkerHandle<Ready extends object, Other extends { kind: string }> {
  readonly #worker: Worker;
  readonly #what: string;
  #state: WorkerState = 'starting';
  readonly #ready: Promise<Ready>;
  #closed: Promise<void> | null = null;
  #resolveClosed: (() => void) | null = null;
  #nextRequest = 1;
  readonly #requests = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();

  constructor(o: WorkerHandleOptions<Ready, Other>) {
    this.#what = o.what;
    this.#worker = new Worker(o.url, { workerData: o.workerData, name: `contrail-${o.what}` });
    this.#ready = new Promise((resolve, reject) => {
      const fail = (err: WorkerError): void => {
        for (const r of this.#requests.values()) r.reject(err);
        this.#requests.clear();
        if (this.#state === 'starting') reject(err);
        else if (this.#state === 'ready' || this.#state === 'closing') o.onDead(err);
        this.#state = 'dead';
        this.#resolveClosed?.();
      };
      this.#worker.on('message', (m: Control<Ready> | Other) => {
        switch (m.kind) {
          case 'ready': {
            const { kind: _k, ...ready } = m as { kind: 'ready' } & Ready;
            this.#state = 'ready';
            o.onReady?.(ready as Ready);
            resolve(ready as Ready);
            break;
          }
          case 'reply': {
            const r = m as Reply;
            const pending = this.#requests.get(r.id);
            this.#requests.delete(r.id);
            if (r.ok) pending?.resolve(r.value);
            else pending?.reject(new ContrailError(r.code, r.message));
            break;
          }
          case 'fatal': {
            const f = m as { code: string; message: string };
            fail(new WorkerError(o.what, `${f.code}: ${f.message}`));
            break;
          }
          case 'closed':
            this.#state = 'closed';
            this.#resolveClosed?.();
            break;
          default:
            o.onMessage(m as Other);
        }
      });
      this.#worker.on('error', (e) => fail(new WorkerError(o.what, e.message, { cause: e })));
      this.#worker.on('exit', (code) => {
        if (this.#state !== 'closed') fail(new WorkerError(o.what, `thread exited with code ${code}`));
      });
    });
  }

  get state(): WorkerState {
    return this.#state;
  }

  /** The thread's `ready` payload; rejects if it dies first. */
  ready(): Promise<Ready> {
    return this.#ready;
  }

  /** Posts a message to the thread (transferring `transfer`); throws once it is not running. */
  post(message: unknown, transfer: ArrayBuffer[] = []): void {
    if (this.#state !== 'ready' && this.#state !== 'starting') throw new ClosedError(this.#what);
    this.#worker.postMessage(message, transfer);
  }

  /** One request, one reply: `wrap` puts the id into the thread's request message. */
  request(wrap: (id: number) => unknown): Promise<unknown> {
    if (this.#state !== 'ready') return Promise.reject(new ClosedError(this.#what));
    const id = this.#nextRequest++;
    return new Promise((resolve, reject) => {
      this.#requests.set(id, { resolve, reject });
      this.#worker.postMessage(wrap(id));
    });
  }

  /** Sends `message` (the thread finishes its work, answers `closed`), then ends the thread. Idempotent. */
  close(message: unknown): Promise<void> {
    if (this.#closed) return this.#closed;
    if (this.#state === 'dead' || this.#state === 'closed') return (this.#closed = Promise.resolve());
    this.#state = 'closing';
    this.#closed = new Promise<void>((resolve) => {
      this.#resolveClosed = resolve;
    }).then(() => this.#worker.terminate().then(() => undefined));
    this.#worker.postMessage(message);
    return this.#closed;
  }
}
