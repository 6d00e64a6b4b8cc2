/** The `contrail` command line (commander). Every command has --help. */
import { readFileSync } from 'node:fs';
import { Command, Option } from 'commander';
import { ContrailError } from '../errors.js';
import { alertsCommand } from './alerts-command.js';
import { compareCommand } from './compare-command.js';
import { configCommand } from './config-command.js';
import { dbCommand } from './db-command.js';
import { exportCommand } from './export-command.js';
import { redecodeCommand } from './redecode-command.js';
import { replayCommand, type ReplayOptions } from './replay-command.js';
import { serveCommand } from './serve-command.js';

const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string };

const program = new Command('contrail')
  .description('Contrail: ingest aviation datalink traffic (ACARS, VDL-M2, HFDL, IMS-L, IRDM), store it in SQLite, stream it live')
  .version(pkg.version)
  .showHelpAfterError();

program
  .command('serve')
  .description('run the engine (what `npm start` runs). Configured by environment variables: see docs/configuration.md')
  .action(serveCommand);

program
  .command('replay')
  .description('send a capture file (JSON frames, e.g. a decoder log) to a Contrail listener, paced, with progress')
  .argument('<file>', 'capture file: JSON objects, one per line, blank lines and glued objects allowed')
  .requiredOption('--to <url>', 'destination: udp://HOST:PORT (one frame per datagram) or tcp://HOST:PORT (newline-delimited, to a tcp-listen source)')
  .option('--rate <n>', 'frames per second; 0 sends as fast as the destination accepts', '0')
  .option('--loop <n>', 'send the file this many times', '1')
  .option('--no-progress', 'no progress line on stderr')
  .addOption(new Option('--json', 'print the summary as JSON'))
  .action((file: string, options: ReplayOptions) => replayCommand(file, options));

program
  .command('redecode')
  .description('rebuild stored messages from the raw frames in the journal with the current decoder; safe while the engine runs')
  .requiredOption('--since <when>', 'all, a duration back from now (30m, 6h, 2d), or an ISO-8601 time')
  .option('--no-progress', 'no progress line on stderr')
  .addOption(new Option('--json', 'print the summary as JSON'))
  .action((options: { since: string; json: boolean; progress: boolean }) => redecodeCommand(options));

program.addCommand(dbCommand());

program.addCommand(alertsCommand());

program.addCommand(exportCommand());

program.addCommand(compareCommand());

program
  .command('config')
  .description('validate the environment and print the configuration `serve` would run with')
  .action(configCommand);

/**
 * Commander's own usage errors (unknown command or option, missing or extra argument) exit 2,
 * like every CONTRAIL_ERR_USAGE; its message and help are printed as before. Help and --version
 * exit 0. Set on every command: subcommands built with `new Command()` do not inherit it.
 */
function usageErrorsExit2(command: Command): void {
  command.exitOverride((e) => process.exit(e.exitCode === 0 ? 0 : 2));
  for (const sub of command.commands) usageErrorsExit2(sub);
}
usageErrorsExit2(program);

program.parseAsync().catch((e: unknown) => {
  if (e instanceof ContrailError) {
    process.stderr.write(`contrail: ${e.message}\n`);
    process.exit(e.code === 'CONTRAIL_ERR_USAGE' || e.code === 'CONTRAIL_ERR_NOT_FOUND' ? 2 : 1);
  }
  throw e;
});
