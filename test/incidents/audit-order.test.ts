/**
 * The audit trail keeps the order things happened in: entries written in one step share their
 * `at` (one transaction's clock), and the timeline and the export read them back in the order
 * they were recorded, not in the order of a random id. (Issue 13: an exhausted ladder's "nobody
 * acknowledged" came before the last level it told.) Every audit write in the sources takes its
 * id from src/audit-ids.ts, so the order holds for every feature's entries.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { exportAudit, record, timeline } from '../../src/incidents/audit.js';
import { fileReport, useIncidentGateway, type IncidentGateway } from './support.js';

let gateway: IncidentGateway;
useIncidentGateway((started) => (gateway = started));

// Twelve entries with one time: a random tie-break keeps their order once in 12! (479 001 600).
const ACTIONS = Array.from({ length: 12 }, (_, n) => `incident.step_${String(n).padStart(2, '0')}`);

it('reads entries with the same time in the order they were recorded', async () => {
  const { id } = await fileReport(gateway, {});
  const at = new Date('2026-03-01T10:00:00.000Z');
  // Recorded in an order that is neither alphabetical nor its reverse.
  const order = [...ACTIONS.slice(6), ...ACTIONS.slice(0, 6).reverse()];
  await gateway.db.$transaction(async (tx) => {
    for (const action of order) await record(tx as never, { actor: 'system', action, subjectId: id, detail: {}, at });
  });
  const read = (await timeline(gateway.db, gateway.personalData, id)).filter((e) => e.at === at.toISOString()).map((e) => e.action);
  expect(read).toEqual(order);

  let exported = '';
  for await (const chunk of exportAudit(gateway.db, 'jsonl', { since: at, until: new Date(at.getTime() + 1) })) exported += chunk;
  expect(exported.trim().split('\n').map((line) => JSON.parse(line).action)).toEqual(order);
});

it('gives every audit write in the sources an ordered id', () => {
  const src = join(import.meta.dirname, '..', '..', 'src');
  const writes: string[] = [];
  for (const file of readdirSync(src, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ts') && !f.includes('generated'))) {
    const text = readFileSync(join(src, file), 'utf8');
    for (const m of text.matchAll(/auditEntry\.create\(\{\s*data:\s*\{([^}]*)/g)) writes.push(`${file}: ${/\bid: auditId\(\)/.test(m[1]!) ? 'ordered' : 'random'}`);
  }
  expect(writes.length).toBeGreaterThanOrEqual(7);
  expect(writes.filter((w) => w.endsWith('random'))).toEqual([]);
});
