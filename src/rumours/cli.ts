/**
 * Command-line view of the misinformation desk, added by the rumours capability:
 *   rumours list [--status S]    rumours with their report counts
 */
import type { Command } from 'commander';
import type { Db } from '../db/client.js';

export interface RumourCliDeps {
  withDatabase<T>(fn: (db: Db) => Promise<T>): Promise<T>;
  /** Where lines go (default console.log). */
  print?: (line: string) => void;
}

export function registerRumourCommands(program: Command, deps: RumourCliDeps): void {
  const print = deps.print ?? ((line: string) => console.log(line));
  program
    .command('rumours')
    .description('rumours and their report counts')
    .command('list')
    .option('--status <status>', 'new, investigating, verified_true, false, unverifiable')
    .action(async (options: { status?: string }) => {
      const rows = await deps.withDatabase((db) => db.rumour.findMany({ where: options.status ? { status: options.status } : {}, orderBy: { lastReportAt: 'desc' }, take: 200 }));
      if (rows.length === 0) print('no rumours');
      for (const r of rows) {
        const languages = Object.keys(JSON.parse(r.answers) as Record<string, string>).join(',') || '-';
        print(`${r.id}  ${r.status.padEnd(13)} reports ${String(r.reportCount).padStart(4)}  ${(r.areaId ?? '-').padEnd(10)} answers ${languages.padEnd(8)} ${r.publishedAt ? 'published' : ''} ${r.title ?? ''}`.trimEnd());
      }
    });
}
