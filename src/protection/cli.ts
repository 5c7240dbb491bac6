/**
 * Command line of erasure, added by the protection capability:
 *   contacts erase <case code | contact id> [--as NAME]
 * Works with the database alone; when the gateway's Redis is reachable, the person's jobs go too.
 */
import type { Command } from 'commander';
import type { CliContext } from '../cli-context.js';
import { eraseContact, resolveContact } from './erase.js';

export function registerProtectionCommands(program: Command, cli: CliContext, print: (line: string) => void = (line) => console.log(line)): void {
  program
    .command('contacts')
    .description('contacts: erasure on request')
    .command('erase <target>')
    .description('erase a person (by case code or contact id): identities, messages, sessions, subscriptions, profile; incidents stay without them')
    .option('--as <name>', 'who asks (recorded in the audit trail)', process.env.USER ?? 'cli')
    .action(async (target: string, options: { as: string }) => {
      const report = await cli.withDatabase(async (db) => {
        const contactId = await resolveContact(db, target);
        const actor = `${options.as} (cli)`;
        try {
          return await cli.withQueues((queues) => eraseContact(db, queues, contactId, actor));
        } catch (error) {
          if (!/no Redis/.test((error as Error).message)) throw error;
          print('gateway Redis not reachable: queued jobs were not searched');
          return eraseContact(db, undefined, contactId, actor);
        }
      });
      print(`erased: ${Object.entries(report).map(([kind, count]) => `${kind} ${count}`).join(', ')}`);
    });
}
