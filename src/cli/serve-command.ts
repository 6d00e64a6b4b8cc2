/** `contrail serve`: run the engine until SIGINT/SIGTERM, configured from the environment. */
import { Engine } from '../engine.js';
import { createLogger } from '../log.js';
import { readConfigOrExit } from './read-config.js';

export async function serveCommand(): Promise<void> {
  const config = readConfigOrExit();
  const log = createLogger(config.logLevel);
  let engine: Engine;
  try {
    engine = await Engine.start(config, log);
  } catch (err) {
    log.fatal({ err }, `start-up failed: ${(err as Error).message}`);
    process.exitCode = 1;
    return;
  }
  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'stopping');
    engine.close().then(
      () => process.exit(0),
      (err: unknown) => {
        log.fatal({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
  engine.onFatal = () => {
    stopping = true;
    engine.close().finally(() => process.exit(1));
  };
}
