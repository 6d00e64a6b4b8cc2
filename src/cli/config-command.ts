/** `contrail config`: validate the environment and print the configuration Contrail would run with. */
import { readConfigOrExit } from './read-config.js';

export function configCommand(): void {
  process.stdout.write(`${JSON.stringify(readConfigOrExit(), null, 2)}\n`);
}
