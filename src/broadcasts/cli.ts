/**
 * Command-line views of broadcasts, added by the broadcasts capability:
 *   broadcasts list [--status S]               broadcasts, newest first (and until when quiet hours hold one)
 *   broadcasts show <id>                       one broadcast and its progress (and until when quiet hours hold it)
 *   broadcasts recipients <id> [--status S]    per-recipient delivery state (never addresses)
 *   broadcasts cancel <id> --as <name>         stop what has not gone out
 */
import type { Command } from 'commander';
import type { Db } from '../db/client.js';
import type { Queues } from '../jobs/queues.js';
import { fanoutJobId } from './fanout.js';
import { broadcastView } from './model.js';
import { heldUntil } from './hold.js';
import { broadcastProgress, broadcastRecipients, waitingOf } from './progress.js';
import { cancelQueued } from './service.js';
import { auditId } from '../audit-ids.js';

export interface BroadcastCliDeps {
  withDatabase<T>(fn: (db: Db) => Promise<T>): Promise<T>;
  withQueues<T>(fn: (queues: Queues) => Promise<T>): Promise<T>;
  /** Where lines go (default console.log). */
  print?: (line: string) => void;
}

const when = (d: Date | null | undefined) => (d ? d.toISOString() : '-');

export function registerBroadcastCommands(program: Command, deps: BroadcastCliDeps): void {
  const print = deps.print ?? ((line: string) => console.log(line));
  const broadcasts = program.command('broadcasts').description('announcements: progress, recipients, cancel');

  broadcasts
    .command('list')
    .option('--status <status>', 'only broadcasts in this state')
    .action(async (options: { status?: string }) => {
      const { rows, waiting } = await deps.withDatabase(async (db) => {
        const found = await db.broadcast.findMany({ where: options.status ? { status: options.status } : {}, orderBy: { createdAt: 'desc' }, take: 200 });
        return { rows: found, waiting: await waitingOf(db, found.map((b) => b.id)) };
      });
      if (rows.length === 0) print('no broadcasts');
      for (const b of rows) {
        const held = heldUntil(b.urgent, waiting.get(b.id)?.nextReleaseAt ?? null);
        print(`${b.id}  ${b.status.padEnd(16)} ${String(b.written).padStart(7)}/${String(b.audienceSize ?? '?').padEnd(7)} ${(b.areaId ?? 'all').padEnd(10)} ${b.title}${held ? `  (held until ${when(held)})` : ''}`);
      }
    });

  broadcasts
    .command('show <id>')
    .action(async (id: string) => {
      const shown = await deps.withDatabase(async (db) => {
        const row = await db.broadcast.findUnique({ where: { id } });
        return row ? { view: broadcastView(row), progress: await broadcastProgress(db, id) } : null;
      });
      if (!shown) throw new Error(`no broadcast ${id}`);
      const { view, progress } = shown;
      print(`broadcast ${view.id}: ${view.title}`);
      const held = progress!.heldUntil;
      print(`status:    ${view.status}${view.urgent ? ' (urgent)' : ''}${held ? `, held by quiet hours until ${when(held)}` : ''}`);
      print(`audience:  area ${view.audience.areaId ?? 'all'}, topic ${view.audience.topic ?? 'any'}, ${view.audienceSize ?? '?'} recipients at approval`);
      print(`created:   ${when(view.createdAt)} by ${view.createdBy.name}; approved: ${view.approvedBy ? `${when(view.approvedBy.at)} by ${view.approvedBy.name}` : '-'}`);
      print(`schedule:  ${when(view.scheduledAt)}; started ${when(view.startedAt)}; dispatched ${when(view.dispatchedAt)}; cancelled ${when(view.cancelledAt)}`);
      print(`written:   ${progress!.written} (skipped ${progress!.skipped}), finished ${progress!.finished}${progress!.done ? ', done' : ''}`);
      print(`delivery:  ${Object.entries(progress!.byStatus).map(([s, n]) => `${s} ${n}`).join(', ') || '-'}`);
      print(`feedback:  ${Object.entries(progress!.feedback).map(([s, n]) => `${s} ${n}`).join(', ') || '-'}`);
    });

  broadcasts
    .command('recipients <id>')
    .option('--status <status>', 'only recipients in this delivery state (queued, sent, delivered, failed...)')
    .option('--after <messageId>', 'continue after this message id')
    .option('--limit <n>', 'how many (at most 1000)', '100')
    .action(async (id: string, options: { status?: string; after?: string; limit: string }) => {
      const page = await deps.withDatabase((db) => broadcastRecipients(db, id, { status: options.status, after: options.after, limit: Number(options.limit) }));
      for (const r of page.items) {
        print(`${r.messageId}  ${r.channel.padEnd(8)} ${r.status.padEnd(11)} ${when(r.sentAt)}  ${r.errorCode ? `${r.errorCode}: ${r.errorMessage ?? ''}` : ''}`.trimEnd());
      }
      if (page.next) print(`more: --after ${page.next}`);
    });

  broadcasts
    .command('cancel <id>')
    .requiredOption('--as <name>', 'who cancels (written to the audit log)')
    .action(async (id: string, options: { as: string }) => {
      const cancelled = await deps.withQueues((queues) =>
        deps.withDatabase(async (db) => {
          const row = await db.broadcast.findUnique({ where: { id } });
          if (!row) throw new Error(`no broadcast ${id}`);
          if (row.status === 'cancelled' || row.status === 'rejected') throw new Error(`the broadcast is ${row.status} already`);
          await db.broadcast.updateMany({ where: { id, status: row.status }, data: { status: 'cancelled', cancelledAt: new Date() } });
          await queues.cancel(fanoutJobId(id));
          const count = await cancelQueued({ db, queues }, id);
          await db.auditEntry.create({ data: { id: auditId(), actor: `${options.as} (cli)`, action: 'broadcast.cancel', subjectType: 'broadcast', subjectId: id, detail: JSON.stringify({ cancelledMessages: count }) } });
          return count;
        }),
      );
      print(`cancelled ${id}: ${cancelled} queued messages will not be sent`);
    });
}
