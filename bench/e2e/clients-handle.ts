/** The load generator's side of the WebSocket clients process. */
import { fork, type ChildProcess } from 'node:child_process';
import type { ClientPlan } from './client-plan.js';
import type { ClientsCommand, ClientsReport } from './ws-clients.js';

const SCRIPT = new URL('./ws-clients.js', import.meta.url);

export class ClientsHandle {
  readonly #child: ChildProcess;

  private constructor(child: ChildProcess) {
    this.#child = child;
  }

  /** `plan`: one entry per client (client-plan.ts). */
  static async start(url: string, plan: readonly ClientPlan[]): Promise<ClientsHandle> {
    const h = new ClientsHandle(fork(SCRIPT, [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] }));
    try {
      await h.#call({ cmd: 'connect', url, plan: [...plan] });
    } catch (e) {
      h.#child.kill();
      throw e;
    }
    return h;
  }

  get pid(): number {
    return this.#child.pid!;
  }

  /** `ids`: with each client's counts (`perClient`) and each id-checking client's ids received (`idSets`). */
  async report(ids = false): Promise<ClientsReport> {
    return ((await this.#call({ cmd: 'report', ids })) as { report: ClientsReport }).report;
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
