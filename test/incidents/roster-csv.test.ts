/** Responder lists kept in a spreadsheet: CSV import through the parser, the CLI path and the API. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createToken } from '../../src/admin/tokens.js';
import { rosterFromCsv } from '../../src/incidents/roster-csv.js';
import { RosterError } from '../../src/incidents/roster-model.js';
import { applyRoster, readRosterFile } from '../../src/incidents/rosters.js';
import { useIncidentGateway, type IncidentGateway } from './support.js';

const CSV = [
  'id,name,language,committees,preferred_channel,sms,telegram,slack,console',
  'rose-atieno,Rose Atieno,fr,kanzi-peace;north-liaison,telegram,+15550100201,100000201,,',
  '"njeri-wambui","Njeri Wambui, MP",en,north-liaison,,+15550100202,,U0NJERI01,njeri',
].join('\n');

let gateway: IncidentGateway;
useIncidentGateway((started) => (gateway = started));

describe('rosters from CSV', () => {
  it('reads one responder per row, with their channels and committees', () => {
    const roster = rosterFromCsv(CSV);
    expect(roster.committees).toEqual([]);
    expect(roster.responders).toEqual([
      expect.objectContaining({ id: 'rose-atieno', name: 'Rose Atieno', language: 'fr', preferredChannel: 'telegram', committees: ['kanzi-peace', 'north-liaison'], identities: [{ channel: 'sms', address: '+15550100201' }, { channel: 'telegram', address: '100000201' }] }),
      expect.objectContaining({ id: 'njeri-wambui', name: 'Njeri Wambui, MP', identities: [{ channel: 'sms', address: '+15550100202' }, { channel: 'slack', address: 'U0NJERI01' }, { channel: 'console', address: 'njeri' }] }),
    ]);
  });

  it('names the line of a bad row and an unknown column', () => {
    const bad = 'id,name,sms\nok-one,Ok One,+15550100203\nno-address,No Address,\n';
    expect(() => rosterFromCsv(bad, 'team.csv')).toThrow(RosterError);
    expect(() => rosterFromCsv(bad, 'team.csv')).toThrow(/team\.csv: line 3: identities: a responder needs at least one channel identity/);
    expect(() => rosterFromCsv('id,name,fax\nx,X,123\n', 'team.csv')).toThrow(/unknown column\(s\) fax/);
  });

  it('applies a CSV file from the command line path', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'roster-')), 'team.csv');
    writeFileSync(file, CSV);
    const result = await applyRoster(gateway.db, gateway.personalData, readRosterFile(file), 'cli:test');
    expect(result).toEqual({ committees: 0, responders: 2, identitiesAdded: 5 });
    const rose = await gateway.db.responder.findUniqueOrThrow({ where: { id: 'rose-atieno' }, include: { memberships: true } });
    expect(rose.memberships.map((m) => m.committeeId).sort()).toEqual(['kanzi-peace', 'north-liaison']);
  });

  it('imports CSV over the admin API, and refuses a committee that does not exist', async () => {
    const { token } = await createToken(gateway.db, { name: 'roster desk', role: 'coordinator' });
    const post = (body: string) =>
      fetch(`${gateway.url}/api/v1/rosters/import`, { method: 'POST', headers: { 'content-type': 'text/csv', authorization: `Bearer ${token}` }, body });
    const ok = await post('id,name,sms,committees\napi-one,Api One,+15550100204,oroma-peace\n');
    expect(ok.status).toBe(200);
    expect(((await ok.json()) as { applied: { responders: number } }).applied.responders).toBe(1);
    const refused = await post('id,name,sms,committees\napi-two,Api Two,+15550100205,atlantis-peace\n');
    expect(refused.status).toBe(400);
    const { problems } = (await refused.json()) as { problems: string[] };
    expect(problems.join('\n')).toMatch(/unknown committee "atlantis-peace"/);
    expect(await gateway.db.responder.findUnique({ where: { id: 'api-two' } })).toBeNull();
  });
});
