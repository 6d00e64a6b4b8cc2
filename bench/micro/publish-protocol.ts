/** What crosses the IPC channel between the publish suite and its WebSocket client process. */

/** Parent to child. */
export type ToClients =
  /** Wait until no message arrived for a while, then send `counts`. */
  | { kind: 'report' }
  /** Close every client and exit. */
  | { kind: 'exit' };

/** Child to parent. */
export type FromClients =
  | { kind: 'ready'; clients: number }
  | { kind: 'counts'; received: number; minPerClient: number; maxPerClient: number; closedEarly: number }
  | { kind: 'error'; message: string };

export interface ClientArgs {
  port: number;
  clients: number;
}
