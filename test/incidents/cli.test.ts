/**
 * The command line of the incidents capability, on a program built as src/cli.ts builds it,
 * against a running test gateway's database and queues.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { auditOf, fileReport, Person, runIncidentCli, useIncidentGateway, type IncidentGateway } from './support.js';

const DEMO = join(import.meta.dirname, '..', '..', 'prisma', 'seed', 'rosters.yaml');
let gateway: IncidentGateway;

/** Runs one command; the lines it printed. */
async function cli(...args: string[]): Promise<string[]> {
  return (await runIncidentCli(gateway, ...args)).lines;
}

useIncidentGateway((started) => (gateway = started), { roster: null });

describe('the incidents command line', () => {
  it('imports and lists rosters', async () => {
    expect(await cli('rosters', 'import', DEMO)).toEqual(['applied 8 committees and 8 responders (16 new channel identities)']);
    const listed = await cli('rosters', 'list');
    expect(listed.find((l) => l.startsWith('kanzi-peace'))).toMatch(/local\s+kanzi\s+Kanzi Peace Committee: Amina Wekesa, Joseph Kariuki/);
  });

  it('adds a responder and a committee, and refuses bad options with the field', async () => {
    expect(await cli('committees', 'add', '--id', 'tessa-peace', '--name', 'Tessa Peace Committee', '--level', 'local', '--area', 'tessa')).toEqual(['committee tessa-peace saved']);
    expect(await cli('responders', 'add', '--id', 'tessa-one', '--name', 'Tessa One', '--sms', '+15550100077', '--committee', 'tessa-peace', '--committee', 'north-liaison')).toEqual(['responder tessa-one saved']);
    const listed = (await cli('responders', 'list')).find((l) => l.startsWith('tessa-one'))!;
    expect(listed).toContain('sms +15••••••077');
    expect(listed).toContain('north-liaison, tessa-peace');
    await expect(cli('committees', 'add', '--id', 'x', '--name', 'X', '--level', 'county', '--area', 'tessa')).rejects.toThrow(/options: committees\.0\.level: accepted: local, regional, national, desk/);
    expect(await cli('responders', 'remove', 'tessa-one')).toEqual(['responder tessa-one removed']);
    await expect(cli('responders', 'remove', 'tessa-one')).rejects.toThrow('no responder "tessa-one"');
  });

  it('lists, shows (audited), acknowledges and resolves incidents, and exports the audit trail', async () => {
    const reporter = new Person(gateway, 'cli-reporter');
    const incident = await fileReport(gateway, { areaId: 'kanzi', reporter: 'cli-reporter', description: 'Cattle raid at dawn' });
    const open = await cli('incidents', 'list', '--status', 'open');
    expect(open.some((l) => l.startsWith(incident.caseCode)), open.join('\n')).toBe(true);
    const shown = await cli('incidents', 'show', incident.caseCode.toLowerCase());
    expect(shown[1]).toBe('description: Cattle raid at dawn');
    expect(shown.some((l) => l.includes('incident.notified'))).toBe(true);
    const viewed = await auditOf(gateway.db, incident.id, 'incident.viewed');
    expect(viewed).toHaveLength(1);
    expect(viewed[0]!.actor).toMatch(/^cli:/);
    expect(await cli('incidents', 'ack', incident.caseCode)).toEqual([expect.stringContaining(`You acknowledged ${incident.caseCode}`)]);
    expect(await cli('incidents', 'ack', 'R-ZZZZZZ')).toEqual(['There is no case R-ZZZZZZ. Check the code. Nothing was changed.']);
    expect(await cli('incidents', 'resolve', incident.caseCode, 'raiders', 'left')).toEqual([`${incident.caseCode} is resolved. The reporter will be told. Thank you.`]);
    await reporter.next(`Your report ${incident.caseCode} has been resolved`);
    const { written } = await runIncidentCli(gateway, 'incidents', 'audit', '--format', 'jsonl');
    const actions = written.trim().split('\n').map((l) => (JSON.parse(l) as { action: string }).action);
    expect(actions).toEqual(expect.arrayContaining(['incident.acknowledged', 'incident.resolved', 'incident.viewed', 'responder.created']));
    expect(written).not.toContain('raiders');
  });
});
