/** The one place that hands process.env to the config loader. */
import type { Config } from '../config/config-types.js';
import { loadConfig } from '../config/load-config.js';
import { ConfigError } from '../errors.js';

/** A bad value stops start-up with every problem listed, exit code 2. */
export function readConfigOrExit(): Config {
  try {
    return loadConfig(process.env, process.cwd());
  } catch (e) {
    if (e instanceof ConfigError) {
      process.stderr.write(`contrail: ${e.message}\nSee docs/configuration.md for every setting.\n`);
      process.exit(2);
    }
    throw e;
  }
}
