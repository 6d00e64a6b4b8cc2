/**
 * A lock file naming its holder: created with O_EXCL, so of two processes exactly one gets it.
 * A lock left by a dead process on this host is taken over; one from another host (a shared
 * volume) is not, because we cannot tell whether its holder lives: the message says what to do.
 */
import { closeSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { dirname } from 'node:path';
import { LockedError } from '../../errors.js';

export interface LockHolder {
  pid: number;
  host: string;
  /** What holds it, e.g. "contrail db migrate" or "contrail serve". */
  command: string;
  /** Epoch ms. */
  since: number;
  /** Whatever the holder wants others to see (an engine's state, a migration's progress). */
  state?: Record<string, unknown>;
}

export function readLock(path: string): LockHolder | null {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw e;
  }
  try {
    return JSON.parse(text) as LockHolder;
  } catch {
    // Written by a process that died between create and write: no holder to name.
    return { pid: 0, host: hostname(), command: '(unknown: empty lock file)', since: 0 };
  }
}

/** Whether the holder is known to be gone: same host, and its pid is not running. */
export function isStale(h: LockHolder): boolean {
  if (h.host !== hostname()) return false;
  if (h.pid === process.pid) return false;
  if (h.pid <= 0) return true;
  try {
    process.kill(h.pid, 0);
    return false;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

/** A live holder of the lock at `path`, or null if free (a stale lock counts as free). */
export function lockHolder(path: string): LockHolder | null {
  const h = readLock(path);
  return h && !isStale(h) ? h : null;
}

export function describeHolder(h: LockHolder): string {
  const since = h.since > 0 ? `since ${new Date(h.since).toISOString()}` : 'since an unknown time';
  return `pid ${h.pid} on ${h.host} (${h.command}, ${since})`;
}

export class ProcessLock {
  readonly path: string;
  #held: LockHolder;
  #released = false;

  private constructor(path: string, holder: LockHolder) {
    this.path = path;
    this.#held = holder;
  }

  /** Takes the lock or throws LockedError naming the holder. `what` completes "cannot …". */
  static acquire(path: string, command: string, what: string, state?: Record<string, unknown>): ProcessLock {
    mkdirSync(dirname(path), { recursive: true });
    const holder: LockHolder = { pid: process.pid, host: hostname(), command, since: Date.now(), ...(state ? { state } : {}) };
    for (let attempt = 0; attempt < 2; attempt++) {
      let fd: number;
      try {
        fd = openSync(path, 'wx');
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
        const other = readLock(path);
        if (other && !isStale(other)) {
          const remote = other.host !== hostname() ? ` It was taken on another host; if that process is gone, delete ${path}.` : '';
          throw new LockedError(`cannot ${what}: ${path} is held by ${describeHolder(other)}.${remote}`);
        }
        rmSync(path, { force: true });
        continue;
      }
      try {
        writeSync(fd, JSON.stringify(holder));
      } finally {
        closeSync(fd);
      }
      return new ProcessLock(path, holder);
    }
    throw new LockedError(`cannot ${what}: another process keeps taking ${path}`);
  }

  /** Replaces the holder's state for others to read; written whole (rename), never half. */
  update(state: Record<string, unknown>): void {
    if (this.#released) return;
    this.#held = { ...this.#held, state };
    const tmp = `${this.path}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify(this.#held));
    renameSync(tmp, this.path);
  }

  release(): void {
    if (this.#released) return;
    this.#released = true;
    // Only our own lock: a stale-lock takeover by another process must not be undone.
    if (readLock(this.path)?.pid === process.pid) rmSync(this.path, { force: true });
  }
}
