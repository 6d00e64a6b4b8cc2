/**
 * A reader thread's work: one read-only connection to the database, opened at the first task,
 * and the dispatch of each task to its query. The connection is reopened when the file at the
 * path is no longer the one it opened (a restore swaps the file in by rename).
 */
import { statSync } from 'node:fs';
import Database from 'better-sqlite3';
import { ContrailError, StoreError } from '../errors.js';
import type { Db } from '../store/open-database.js';
import { aircraftLookup } from '../store/reads/aircraft-queries.js';
import { prepared } from '../store/reads/prepared.js';
import { messageById, recent, search } from '../store/reads/search.js';
import { subscriptionHistory } from '../store/reads/subscription-history.js';
import { errorCode } from '../threads/protocol.js';
import type { ReaderReply, ReaderTask, ReaderWorkerData } from '../threads/reader-protocol.js';

/** SQLite's own page cache per reader connection (the OS caches the file besides). */
const CACHE_KIB = 16 * 1024;

export class ReaderService {
  readonly #path: string;
  #db: Db | null = null;
  #inode = -1;

  constructor(data: ReaderWorkerData) {
    this.#path = data.dbPath;
  }

  #connection(): Db {
    let inode: number;
    try {
      inode = statSync(this.#path).ino;
    } catch (cause) {
      throw new StoreError(`cannot read database ${this.#path}: ${(cause as Error).message}`, { cause });
    }
    if (this.#db !== null && inode === this.#inode) return this.#db;
    this.#db?.close();
    this.#db = null;
    const db = new Database(this.#path, { readonly: true, fileMustExist: true });
    // A checkpoint or a WAL reset holds readers out briefly; wait rather than fail.
    db.pragma('busy_timeout = 5000');
    db.pragma(`cache_size = -${CACHE_KIB}`);
    db.pragma('temp_store = MEMORY');
    this.#db = db;
    this.#inode = inode;
    return db;
  }

  run(task: ReaderTask): ReaderReply {
    try {
      return { ok: true, value: this.#answer(task) };
    } catch (e) {
      const code = e instanceof ContrailError ? e.code : errorCode(e) === 'SQLITE_BUSY' ? 'CONTRAIL_ERR_BUSY' : 'CONTRAIL_ERR_STORE';
      return { ok: false, code, message: (e as Error).message };
    }
  }

  #answer(task: ReaderTask): unknown {
    const db = this.#connection();
    switch (task.kind) {
      case 'search':
        return search(db, task.request);
      case 'recent':
        return recent(db, task.request);
      case 'history':
        return subscriptionHistory(db, task.subscriptions, task.limit);
      case 'message':
        return messageById(db, task.id);
      case 'aircraft':
        return aircraftLookup(db, task.query);
      case 'spin':
        return prepared(db, 'WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < ?) SELECT count(*) FROM c').pluck().get(task.upTo);
      default:
        throw new ContrailError('CONTRAIL_ERR_INTERNAL', `reader: unknown task kind ${String((task as { kind: unknown }).kind)}`);
    }
  }

  close(): void {
    this.#db?.close();
    this.#db = null;
  }
}
