/**
 * Command-line commands of the incidents capability, added to the gateway's program by
 * `registerIncidentCommands(program, deps)`:
 *   rosters import <file> | rosters list
 *   committees add --id --name --level --area [--desk] | committees remove <id>
 *   responders list | responders add --id --name [--sms --telegram --slack] [--committee ...] | responders remove <id>
 *   incidents list [--status] | incidents show <code>
 *   incidents ack|resolve|note|verify|reassign|ask <code> [...]
 *   incidents audit [--format jsonl|csv] [--since ISO]
 * Actions from here are audited as `cli:<user>`; viewing a report is audited too.
 */
import { join } from 'node:path';
import { userInfo } from 'node:os';
import type { Command } from 'commander';
import type { Config } from '../config.js';
import { dialectOf, type Db } from '../db/client.js';
import { transaction } from '../db/transaction.js';
import { loadTranslator } from '../i18n.js';
import { createLogger } from '../logger.js';
import { createPersonalData, resolveKey } from '../personal-data.js';
import type { Queues } from '../jobs/queues.js';
import * as actions from './actions.js';
import { outcomeText } from './notify.js';
import { AreaTreeCache } from '../areas/tree.js';
import { exportAudit, record, timeline } from './audit.js';
import { runAfterCommit, type AfterCommit, type IncidentDeps } from './deps.js';
import { incidentSettingsSchema } from './settings.js';
import { run } from './middleware.js';
import type { CommandName } from './commands.js';
import { loadPolicies } from './policies.js';
import { parseRoster } from './roster-model.js';
import { applyRoster, listCommittees, listResponders, readRosterFile, removeCommittee, removeResponder } from './rosters.js';

/** What the gateway's CLI provides (src/cli.ts has all three). */
export interface IncidentCliDeps {
  config: () => Config;
  withDatabase: <T>(fn: (db: Db) => Promise<T>) => Promise<T>;
  withQueues: <T>(fn: (queues: Queues) => Promise<T>) => Promise<T>;
  /** Where output lines go (default console.log). */
  print?: (line: string) => void;
  /** Where exports are written (default process.stdout). */
  write?: (chunk: string) => void;
}

function cliActor(): string {
  let name = 'operator';
  try {
    name = userInfo().username || name;
  } catch {
    // no user database (containers)
  }
  return `cli:${name}`;
}

function incidentDeps(cfg: Config, db: Db, queues: Queues): IncidentDeps {
  const { key } = resolveKey(cfg.DATA_ENCRYPTION_KEY, join(cfg.DATA_DIR, 'encryption.key'));
  const channels = new Set<string>(Object.entries(cfg.channels).flatMap(([name, on]) => (on ? [name] : [])));
  if (cfg.consoleEnabled) channels.add('console');
  const settings = incidentSettingsSchema.parse(cfg.env);
  const scale = settings.INCIDENT_DELAY_SCALE;
  const file = settings.INCIDENT_POLICY_FILE;
  return {
    db,
    queues,
    logger: createLogger(cfg.LOG_LEVEL),
    personalData: createPersonalData(key),
    dialect: dialectOf(cfg.databaseUrl),
    translator: loadTranslator(cfg.LOCALES_DIR, cfg.DEFAULT_LANGUAGE),
    channels,
    policies: loadPolicies(file, Number.isFinite(scale) && scale > 0 ? scale : 1),
    areas: new AreaTreeCache(),
    now: () => new Date(),
  };
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

export function registerIncidentCommands(program: Command, deps: IncidentCliDeps): void {
  const print = deps.print ?? ((line: string) => console.log(line));
  const write = deps.write ?? ((chunk: string) => void process.stdout.write(chunk));
  const personalData = () => {
    const cfg = deps.config();
    return createPersonalData(resolveKey(cfg.DATA_ENCRYPTION_KEY, join(cfg.DATA_DIR, 'encryption.key')).key);
  };

  const rosters = program.command('rosters').description('committees and responders');
  rosters
    .command('import <file>')
    .description('apply a roster file (YAML, see prisma/seed/rosters.yaml)')
    .action(async (file: string) => {
      const roster = readRosterFile(file);
      const result = await deps.withDatabase((db) => applyRoster(db, personalData(), roster, cliActor()));
      print(`applied ${result.committees} committees and ${result.responders} responders (${result.identitiesAdded} new channel identities)`);
    });
  rosters.command('list').action(async () => {
    for (const c of await deps.withDatabase(listCommittees)) {
      print(`${c.id.padEnd(20)} ${c.level.padEnd(9)} ${c.areaId.padEnd(10)} ${c.name}${c.desk ? ` [${c.desk}]` : ''}: ${c.members.map((m) => m.name).join(', ') || '(no members)'}`);
    }
  });

  const committees = program.command('committees').description('responder committees');
  committees
    .command('add')
    .requiredOption('--id <id>', 'stable id, e.g. kanzi-peace')
    .requiredOption('--name <name>')
    .requiredOption('--level <level>', 'local | regional | national | desk')
    .requiredOption('--area <areaId>')
    .option('--desk <desk>', 'for a desk: what it handles, e.g. human_rights')
    .action(async (o: { id: string; name: string; level: string; area: string; desk?: string }) => {
      const roster = parseRoster({ committees: [{ id: o.id, name: o.name, level: o.level, area: o.area, ...(o.desk ? { desk: o.desk } : {}) }] }, 'options');
      await deps.withDatabase((db) => applyRoster(db, personalData(), roster, cliActor()));
      print(`committee ${o.id} saved`);
    });
  committees.command('remove <id>').action(async (id: string) => {
    if (!(await deps.withDatabase((db) => removeCommittee(db, id, cliActor())))) throw new Error(`no committee "${id}"`);
    print(`committee ${id} removed`);
  });

  const responders = program.command('responders').description('people who receive escalations');
  responders.command('list').action(async () => {
    for (const r of await deps.withDatabase((db) => listResponders(db, personalData()))) {
      const channels = r.channels.map((c) => `${c.channel} ${c.address}${c.stopped ? ' (stopped)' : ''}`).join(', ');
      print(`${r.id.padEnd(20)} ${r.active ? 'active  ' : 'inactive'} ${r.name} | ${channels} | ${r.committees.join(', ')}`);
    }
  });
  responders
    .command('add')
    .requiredOption('--id <id>', 'stable id, e.g. amina-wekesa')
    .requiredOption('--name <name>', 'shown to other responders and staff')
    .option('--sms <number>', 'E.164 phone number')
    .option('--telegram <chatId>')
    .option('--slack <userId>')
    .option('--language <code>')
    .option('--prefer <channel>', 'channel tried first')
    .option('--committee <id>', 'committee membership (repeat for several)', collect, [])
    .action(async (o: { id: string; name: string; sms?: string; telegram?: string; slack?: string; language?: string; prefer?: string; committee: string[] }) => {
      const identities = (['sms', 'telegram', 'slack'] as const).flatMap((channel) => (o[channel] ? [{ channel, address: o[channel] }] : []));
      const roster = parseRoster(
        { responders: [{ id: o.id, name: o.name, identities, committees: o.committee, ...(o.language ? { language: o.language } : {}), ...(o.prefer ? { preferredChannel: o.prefer } : {}) }] },
        'options',
      );
      await deps.withDatabase((db) => applyRoster(db, personalData(), roster, cliActor()));
      print(`responder ${o.id} saved`);
    });
  responders.command('remove <id>').action(async (id: string) => {
    if (!(await deps.withDatabase((db) => removeResponder(db, id, cliActor())))) throw new Error(`no responder "${id}"`);
    print(`responder ${id} removed`);
  });

  const incidents = program.command('incidents').description('incidents and their escalation');
  incidents
    .command('list')
    .option('--status <status>', 'open | acknowledged | resolved')
    .option('--limit <n>', 'how many, newest first', '50')
    .action(async (o: { status?: string; limit: string }) => {
      const rows = await deps.withDatabase((db) =>
        db.incident.findMany({ where: { status: o.status }, orderBy: { createdAt: 'desc' }, take: Number(o.limit) || 50 }),
      );
      for (const i of rows) print(`${i.caseCode}  ${i.status.padEnd(12)} ${i.severity.padEnd(8)} ${(i.areaId ?? '-').padEnd(10)} ${i.category}  ${i.createdAt.toISOString()}`);
    });
  incidents.command('show <code>').action(async (code: string) => {
    await deps.withDatabase(async (db) => {
      const found = await actions.findIncident(db, code);
      if ('outcome' in found) throw new Error(`${found.outcome.key}: ${code}`);
      const incident = found.incident;
      const pd = personalData();
      await record(db, { actor: cliActor(), action: 'incident.viewed', subjectId: incident.id, detail: { via: 'cli' }, at: new Date() });
      print(`${incident.caseCode}  ${incident.status}  severity ${incident.severity}  ${incident.category}  area ${incident.areaId ?? '-'}  verification ${incident.verification}`);
      print(`description: ${pd.decrypt(incident.descriptionEnc)}`);
      for (const entry of await timeline(db, pd, incident.id)) {
        print(`  ${entry.at}  ${entry.action.padEnd(32)} ${entry.actorName}  ${JSON.stringify(entry.detail)}`);
      }
    });
  });

  const act = (name: CommandName, usage: string) =>
    incidents
      .command(`${name} <code> [text...]`)
      .description(usage)
      .action(async (code: string, words: string[]) => {
        const cfg = deps.config();
        const outcome = await deps.withQueues((queues) =>
          deps.withDatabase(async (db) => {
            const incidentDepsValue = incidentDeps(cfg, db, queues);
            const after: AfterCommit = [];
            const result = await transaction(db, async (tx) =>
              run({ tx, deps: incidentDepsValue, after, now: new Date() }, { name, code, rest: words.join(' '), button: false }, { ref: cliActor(), name: cliActor().slice(4), channel: 'cli' }),
            );
            await runAfterCommit(after);
            return { result, text: outcomeText(incidentDepsValue.translator, 'en', result) };
          }),
        );
        print(outcome.text);
        if (!outcome.result.ok) process.exitCode = 1;
      });
  act('ack', 'acknowledge');
  act('resolve', 'resolve, with an optional note');
  act('note', 'add a note');
  act('verify', 'verified | unverified | false, then an optional note');
  act('reassign', 'hand over to a committee (its id)');
  act('ask', 'relay a question to the reporter');
  act('link', 'link to the case code of the same event');

  incidents
    .command('audit')
    .description('export the audit trail of incidents and rosters')
    .option('--format <format>', 'jsonl | csv', 'jsonl')
    .option('--since <iso>', 'from this time')
    .action(async (o: { format: string; since?: string }) => {
      if (o.format !== 'jsonl' && o.format !== 'csv') throw new Error('--format: accepted jsonl, csv');
      await deps.withDatabase(async (db) => {
        await record(db, { actor: cliActor(), action: 'audit.exported', subjectId: '-', detail: { format: o.format, since: o.since }, at: new Date() });
        for await (const chunk of exportAudit(db, o.format as 'jsonl' | 'csv', { since: o.since ? new Date(o.since) : undefined })) write(chunk);
      });
    });
}
