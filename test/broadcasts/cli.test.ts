import { Command } from 'commander';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerRumourCommands } from '../../src/rumours/cli.js';
import { eventually, type TestGateway } from '../support/gateway.js';
import { addContact, api, broadcastCli, makeTokens, sendBroadcast, startBroadcastGateway, type Tokens } from './support.js';

let gateway: TestGateway;
let tokens: Tokens;

beforeAll(async () => {
  gateway = await startBroadcastGateway();
  tokens = await makeTokens(gateway);
  await addContact(gateway, { address: 'c1', areaId: 'kanzi', language: 'en' });
  await addContact(gateway, { address: 'c2', areaId: 'kanzi', language: 'en', stopped: true });
  await addContact(gateway, { address: 'c3', areaId: 'mbali', language: 'en' });
});

afterAll(async () => {
  await gateway?.close();
});

async function cli(...args: string[]): Promise<string[]> {
  if (args[0] === 'broadcasts') return broadcastCli(gateway, ...args);
  const lines: string[] = [];
  const program = new Command('gateway').exitOverride();
  registerRumourCommands(program, { withDatabase: (fn) => fn(gateway.db), print: (line: string) => lines.push(line) });
  await program.parseAsync(['node', 'gateway', ...args]);
  return lines;
}

describe('broadcast CLI', () => {
  it('shows progress and per-recipient delivery state, and lists broadcasts and rumours', async () => {
    const id = await sendBroadcast(gateway, tokens, { title: 'Clinic', texts: { en: 'The clinic opens at 8.' }, audience: { areaId: 'north' } });
    await eventually(async () => (await api(gateway, tokens.analyst, 'GET', `/broadcasts/${id}/progress`)).body.done, 10_000, 'done');
    const show = await cli('broadcasts', 'show', id);
    expect(show[0]).toBe(`broadcast ${id}: Clinic`);
    expect(show).toContain('status:    dispatched');
    expect(show).toContain('delivery:  delivered 2');
    expect(show.find((l) => l.startsWith('audience:'))).toBe('audience:  area north, topic any, 2 recipients at approval');
    const recipients = await cli('broadcasts', 'recipients', id, '--status', 'delivered');
    expect(recipients).toHaveLength(2);
    expect(recipients.every((l) => / console +delivered /.test(l))).toBe(true);
    const list = await cli('broadcasts', 'list');
    expect(list[0]).toMatch(new RegExp(`^${id}  dispatched +2/2 +north +Clinic$`));
    expect(await cli('rumours', 'list')).toEqual(['no rumours']);
  });

  it('cancels a broadcast that has not gone out', async () => {
    const created = await api(gateway, tokens.broadcaster, 'POST', '/broadcasts', { title: 'Later', texts: { en: 'Later.' }, audience: { areaId: 'kanzi' } });
    const id = created.body.broadcast.id;
    await api(gateway, tokens.approver, 'POST', `/broadcasts/${id}/approve`);
    await api(gateway, tokens.broadcaster, 'POST', `/broadcasts/${id}/schedule`, { at: new Date(Date.now() + 60_000).toISOString() });
    expect(await cli('broadcasts', 'cancel', id, '--as', 'duty officer')).toEqual([`cancelled ${id}: 0 queued messages will not be sent`]);
    expect((await gateway.db.broadcast.findUniqueOrThrow({ where: { id } })).status).toBe('cancelled');
    expect(await gateway.queues.timers.getJob(`broadcast-${id}`)).toBeUndefined();
    await expect(cli('broadcasts', 'cancel', id, '--as', 'duty officer')).rejects.toThrow(/cancelled already/);
  });
});
