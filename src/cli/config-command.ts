/** `contrail config`: validate the environment and print the configuration Contrail would run with. */
import { readConfigOrExit } from './read-config.js';

export function configCommand(): void {
  const config = readConfigOrExit();
  // The admin token is a secret: say whether it is set, never print it.
  const secret = (t: string | null): string | null => (t === null ? null : '(set)');
  const shown = { ...config, database: { ...config.database, adminToken: secret(config.database.adminToken), readToken: secret(config.database.readToken) } };
  process.stdout.write(`${JSON.stringify(shown, null, 2)}\n`);
}
