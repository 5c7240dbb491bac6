/**
 * Command-line commands of accounts (no mail server needed: links are printed):
 *   users invite --username U --role R [--area A] [--responder ID]   prints a one-time link
 *   users reset <id | username>                                       prints a one-time reset link
 *   users list
 */
import { userInfo } from 'node:os';
import { join } from 'node:path';
import type { Command } from 'commander';
import type { CliContext } from '../cli-context.js';
import { createPersonalData, resolveKey } from '../personal-data.js';
import { accountSettingsSchema } from './settings.js';
import { Accounts } from './users.js';

function cliActor(): string {
  try {
    return `cli:${userInfo().username || 'operator'}`;
  } catch {
    return 'cli:operator';
  }
}

export function registerAccountCommands(program: Command, cli: CliContext, print: (line: string) => void = console.log): void {
  const withAccounts = <T>(fn: (accounts: Accounts) => Promise<T>) =>
    cli.withDatabase(async (db) => {
      const config = cli.config();
      const { key } = resolveKey(config.DATA_ENCRYPTION_KEY, join(config.DATA_DIR, 'encryption.key'));
      return fn(new Accounts({ db, personalData: createPersonalData(key), settings: accountSettingsSchema.parse(config.env), publicUrl: config.publicUrl, now: () => new Date() }));
    });

  const users = program.command('users').description('staff accounts of the console');
  users
    .command('invite')
    .description('create a user and print the one-time link that sets the password')
    .requiredOption('--username <name>', 'login name')
    .requiredOption('--role <role>', 'admin | coordinator | responder | broadcaster | approver | analyst')
    .option('--area <id>', 'limit the user to this area and below')
    .option('--responder <id>', 'the roster responder this user is')
    .action(async (options: { username: string; role: string; area?: string; responder?: string }) => {
      await withAccounts(async (accounts) => {
        const { user, link } = await accounts.invite({ username: options.username, role: options.role, areaId: options.area, responderId: options.responder }, cliActor());
        print(`invited ${user.username} (${user.role}${user.areaId ? `, area ${user.areaId}` : ''}); this link works once:`);
        print(link);
      });
    });
  users
    .command('reset <user>')
    .description('print a one-time password reset link (ends the user\'s sessions)')
    .action(async (who: string) => {
      await withAccounts(async (accounts) => print((await accounts.reset(who, cliActor())).link));
    });
  users
    .command('list')
    .action(async () => {
      await withAccounts(async (accounts) => {
        for (const u of await accounts.list()) print(`${u.username}\t${u.role}\t${u.areaId ?? '-'}\t${u.responderId ?? '-'}\t${u.active ? 'active' : 'invited'}${u.totpEnabled ? '\ttotp' : ''}`);
      });
    });
}
