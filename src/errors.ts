/**
 * Every failure Contrail reports on purpose has a class and a stable code, so callers (and
 * users reading logs) match on the code, never on the message text. docs/errors.md lists them.
 */
export class ContrailError extends Error {
  readonly code: string;
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.name = new.target.name;
  }
}

/** A configuration value is invalid; `problems` holds one line per bad value. */
export class ConfigError extends ContrailError {
  readonly problems: readonly string[];
  constructor(problems: readonly string[]) {
    super('CONTRAIL_ERR_CONFIG', `invalid configuration:\n  ${problems.join('\n  ')}`);
    this.problems = problems;
  }
}

/** Work was handed to a component after close() or destroy(). */
export class ClosedError extends ContrailError {
  constructor(what: string) {
    super('CONTRAIL_ERR_CLOSED', `${what} is closed`);
  }
}

/** A worker thread died or reported an error; the tasks it held failed with it. */
export class WorkerError extends ContrailError {
  constructor(worker: string, message: string, options?: { cause?: unknown }) {
    super('CONTRAIL_ERR_WORKER', `${worker} worker: ${message}`, options);
  }
}

/** The database could not be opened, migrated or written. */
export class StoreError extends ContrailError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('CONTRAIL_ERR_STORE', message, options);
  }
}

/** A command-line argument is invalid. */
export class UsageError extends ContrailError {
  constructor(message: string) {
    super('CONTRAIL_ERR_USAGE', message);
  }
}

/** A request names something that does not exist: a backup, an alert term, a message (HTTP 404, WebSocket NOT_FOUND, exit 2). */
export class NotFoundError extends ContrailError {
  constructor(message: string) {
    super('CONTRAIL_ERR_NOT_FOUND', message);
  }
}

/** A migration failed (rolled back), an applied migration was edited, or the schema is not one this version knows. */
export class MigrationError extends ContrailError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('CONTRAIL_ERR_MIGRATION', message, options);
  }
}

/** Another process holds the lock this operation needs (a migration, or the engine itself). */
export class LockedError extends ContrailError {
  constructor(message: string) {
    super('CONTRAIL_ERR_LOCKED', message);
  }
}
