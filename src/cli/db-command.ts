/** `contrail db …`: schema, backups, adoption and maintenance. Every subcommand has --help and --json. */
import { Command, Option } from 'commander';
import { backupCommand, backupsCommand, restoreCommand } from './db-backup-commands.js';
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

  return db;
}
