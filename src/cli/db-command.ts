/** `contrail db …`: schema, backups, adoption and maintenance. Every subcommand has --help and --json. */
import { Command, Option } from 'commander';
import { adoptCommand } from './db-adopt-command.js';
import { backupCommand, backupsCommand, restoreCommand } from './db-backup-commands.js';
import { optimizeCommand, pruneCommand, vacuumCommand } from './db-maintenance-commands.js';
import { migrateCommand, planCommand, rollbackCommand, statusCommand, verifyCommand } from './db-schema-commands.js';

const json = (): Option => new Option('--json', 'print the result as JSON');

export function dbCommand(): Command {
  const db = new Command('db').description('manage the database: schema migrations, backups, ACARS Hub adoption, maintenance');

  db.command('status')
    .description('schema version, pending migrations, last migration, latest backup, size, full-text index health')
    .addOption(json())
    .action(statusCommand);

  db.command('migrate')
    .description('back up, then apply pending migrations, each in one transaction (a failure leaves the database as it was)')
    .option('--yes', 'consent: apply without asking (required when not on a terminal)', false)
    .option('--to <migration>', 'stop after this migration (number or name)')
    .option('--no-progress', 'no progress bar on stderr')
    .addOption(json())
    .action(migrateCommand);

  db.command('rollback')
    .description('back up, then run down migrations until the given one is the last applied (the engine must be stopped)')
    .requiredOption('--to <migration>', 'migration number or name to return to; 0 empties the schema')
    .option('--yes', 'consent: roll back without asking', false)
    .option('--no-progress', 'no progress bar on stderr')
    .addOption(json())
    .action(rollbackCommand);

  db.command('plan')
    .description('dry run on a copy: what would run, the schema difference, the time it took, the disk space needed')
    .option('--to <migration>', 'plan up to this migration (number or name)')
    .addOption(json())
    .action(planCommand);

  db.command('backup').description('take a backup now (safe while the engine runs)').option('--no-progress', 'no progress bar on stderr').addOption(json()).action(backupCommand);

  db.command('backups').description('list backups, newest first').addOption(json()).action(backupsCommand);

  db.command('restore')
    .description('check a backup, keep the current database as a backup, then swap the backup in atomically (the engine must be stopped)')
    .argument('<id>', 'backup id, as `contrail db backups` lists it')
    .option('--yes', 'consent: replace the database', false)
    .addOption(json())
    .action(restoreCommand);

  db.command('verify')
    .description('integrity check, full-text index check against its content, and checksums of applied migrations; exit 1 if any fails')
    .addOption(json())
    .action(verifyCommand);

  db.command('adopt')
    .description('turn an ACARS Hub database (any schema generation) into a Contrail database; the original file is never modified')
    .argument('<file>', "the ACARS Hub database, e.g. messages.db")
    .option('--output <path>', 'where to write the Contrail database (default: the configured one, data/contrail.sqlite)')
    .option('--force', 'replace an output database that already holds messages (it is moved aside to replaced-<time>/, with its journal)', false)
    .option('--no-progress', 'no progress bar on stderr')
    .addOption(json())
    .action((file: string, o: { output?: string; force: boolean; json: boolean; progress: boolean }) => adoptCommand(file, o));

  db.command('prune')
    .description('delete messages past DB_SAVE_DAYS (DB_ALERT_SAVE_DAYS for alert matches) and over CONTRAIL_DB_MAX_BYTES, in small steps (safe while the engine runs)')
    .option('--dry-run', 'say what would be deleted, delete nothing', false)
    .option('--no-progress', 'no progress bar on stderr')
    .addOption(json())
    .action(pruneCommand);

  db.command('optimize')
    .description('merge the full-text index in bounded steps, PRAGMA optimize, and truncate the WAL (safe while the engine runs)')
    .option('--no-progress', 'no progress bar on stderr')
    .addOption(json())
    .action(optimizeCommand);

  db.command('vacuum')
    .description('return free pages to the file system in small steps (incremental vacuum); --full rewrites the whole file')
    .option('--full', 'full VACUUM: also switches an old database to incremental auto-vacuum; slow, needs about the database size free, engine stopped', false)
    .option('--yes', 'consent for --full', false)
    .option('--no-progress', 'no progress bar on stderr')
    .addOption(json())
    .action(vacuumCommand);

  return db;
}
