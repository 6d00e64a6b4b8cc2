/** The load generator's side of the WebSocket clients process. */
import { fork, type ChildProcess } from 'node:child_process';
import type { ClientsCommand, ClientsReport } from './ws-clients.js';

const SCRIPT = new URL('./ws-clients.js', import.meta.url);

export class ClientsHandle {
  readonly #child: ChildProcess;

  private constructor(child: ChildProcess) {
    this.#child = child;
  }

  static async start(url: string, clients: number, topics: 'mixed' | 'all'): Promise<ClientsHandle> {
    const h = new ClientsHandle(fork(SCRIPT, [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] }));
    await h.#call({ cmd: 'connect', url, clients, topics });
    return h;
  }

  get pid(): number {
    return this.#child.pid!;
  }

  reset(): Promise<unknown> {
    return this.#call({ cmd: 'reset' });
  }

  async report(): Promise<ClientsReport> {
    return ((await this.#call({ cmd: 'report' })) as { report: ClientsReport }).report;
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      this.#child.once('exit', () => resolve());
      this.#child.send({ cmd: 'close' } satisfies ClientsCommand);
    });
  }

  #call(cmd: ClientsCommand): Promise<unknown> {
    return new Promise((resolve, reject) => {
      const onExit = (code: number | null): void => reject(new Error(`clients process exited with ${code}`));
      this.#child.once('exit', onExit);
      this.#child.once('message', (reply: { ok: boolean; error?: string }) => {
        this.#child.off('exit', onExit);
        if (reply.ok) resolve(reply);
        else reject(new Error(`clients: ${reply.error}`));
      });
      this.#child.send(cmd);
    });
  }
}
