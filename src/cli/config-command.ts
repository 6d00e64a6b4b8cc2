/** `contrail config`: validate the environment and print the configuration Contrail would run with. */
import { readConfigOrExit } from './read-config.js';

export function configCommand(): void {
  const config = readConfigOrExit();
  // The admin token is a secret: say whether it is set, never print it.
  const shown = { ...config, database: { ...config.database, adminToken: config.database.adminToken === null ? null : '(set)' } };
  process.stdout.write(`${JSON.stringify(shown, null, 2)}\n`);
}
