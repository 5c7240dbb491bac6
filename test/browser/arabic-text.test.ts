/**
 * The Arabic console on a 360x740 phone, in real Chromium (issue 13): text of another direction
 * keeps its own. Every value put into a translated sentence (a committee name, a level, a person,
 * a date) is a bidirectional isolate (FSI U+2068 ... PDI U+2069), so "تم إبلاغ المستوى 1: Kanzi
 * Peace Committee" is not reordered into "Kanzi Peace :1"; a block written by a person (a French
 * report) takes dir="auto" and reads left to right with its full stop at its end. An incident
 * whose ladder ran out and was then acknowledged shows who acknowledged it and when, with no
 * alarm, and its timeline keeps the order things happened in.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { incidentsCapability } from '../../src/incidents/index.js';
import { eventually, startTestGateway, type TestGateway } from '../support/gateway.js';
import { fileReport, seedRoster } from '../incidents/support.js';
import { openBrowser, PHONE, screenshot, type Person } from './support/browser.js';
import { adminToken, logIn, makeStaff, type Staff } from './support/staff.js';

// Two levels a second apart and no repeat: the ladder runs out within seconds.
const POLICY = `policies:
  - id: brief
    match: { severity: [critical, high, medium, low] }
    ackTimeout: 1h
    levels:
      - { targets: [local], delay: 1s }
      - { targets: [regional], delay: 1s }
`;

const FSI = '\u2068';
const PDI = '\u2069';
const isolated = (value: string) => `${FSI}${value}${PDI}`;

let gateway: TestGateway;
let staff: Staff;
let caseCode: string;
let broadcastId: string;
const people: Person[] = [];

beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'console-policy-'));
  writeFileSync(join(dir, 'policies.yaml'), POLICY);
  gateway = await startTestGateway({ CONSOLE_CHANNEL: 'true' }, { capabilities: [incidentsCapability({ policyFile: join(dir, 'policies.yaml'), catchUpMs: 0 })] });
  await seedRoster(gateway);
  const clock = { now: () => new Date() };
  caseCode = (await fileReport({ ...gateway, clock: clock as never }, { severity: 'high', areaId: 'kanzi', category: 'displacement', description: "Des familles fuient vers l'école." })).caseCode;
  const bearer = await adminToken(gateway);
  const created = await fetch(`${gateway.url}/api/v1/broadcasts`, {
    method: 'POST',
    headers: { authorization: `Bearer ${bearer}`, 'content-type': 'application/json' },
    body: JSON.stringify({ title: 'Route fermée', texts: { fr: 'La route du nord est fermée.', ar: 'الطريق الشمالي مغلق.' }, defaultLanguage: 'fr', fallback: true }),
  });
  expect(created.status).toBe(201);
  broadcastId = ((await created.json()) as { broadcast: { id: string } }).broadcast.id;
  staff = await makeStaff(gateway, bearer, 'leila', 'admin');
  // Both levels told and nobody acknowledged: the ladder ran out.
  await eventually(async () => {
    const incident = await gateway.db.incident.findUniqueOrThrow({ where: { caseCode } });
    return (await gateway.db.escalation.findUnique({ where: { incidentId: incident.id } }))?.exhaustedAt != null;
  }, 20_000, `${caseCode}'s ladder to run out`);
});
afterAll(async () => {
  for (const person of people) await person.close();
  await gateway?.close();
});

async function arabicPhone(): Promise<Page> {
  const person = await openBrowser(PHONE);
  people.push(person);
  await logIn(person.page, gateway.url, staff);
  await person.page.locator('header select').selectOption('ar');
  return person.page;
}

describe('the Arabic console', () => {
  it('isolates names, levels and dates in its sentences and lets a French report read left to right', async () => {
    const page = await arabicPhone();
    await page.goto(`${gateway.url}/console/incidents/${caseCode}`);
    const notified = page.locator('li[data-action="incident.notified"]').first();
    await notified.waitFor();
    // The level and the English committee name each keep their own direction inside the Arabic sentence.
    expect(await notified.textContent()).toContain(`تم إبلاغ المستوى ${isolated('1')}: ${isolated('Kanzi Peace Committee')}`);

    const description = page.locator('[data-testid=description]');
    expect(await description.getAttribute('dir')).toBe('auto');
    expect(await description.evaluate((element) => getComputedStyle(element).direction)).toBe('ltr');
    expect(await description.evaluate((element) => getComputedStyle(element.parentElement!).direction)).toBe('rtl');
    await screenshot(page, 'incident-arabic-french-report');

    await page.goto(`${gateway.url}/console/announcements/${broadcastId}`);
    const byline = page.locator('[data-testid=byline]');
    await byline.waitFor();
    // "كتبه <name>، <date>": the name and the date each isolated, so the name does not run into the date.
    expect(await byline.textContent()).toMatch(new RegExp(`^كتبه ${FSI}test setup${PDI}، ${FSI}[^${FSI}${PDI}]+${PDI}$`));
    for (const language of ['fr', 'ar']) expect(await page.locator(`[data-testid=text-${language}]`).getAttribute('dir')).toBe('auto');
  });

  it('shows an acknowledged incident as acknowledged (who, when), with its timeline in the order it happened', async () => {
    const page = await arabicPhone();
    await page.goto(`${gateway.url}/console/incidents/${caseCode}`);
    const box = page.locator('[data-testid=escalation]');
    // Before: the ladder ran out, and the box says so.
    await expect.poll(() => box.locator('li.error').count()).toBe(1);

    await page.getByRole('button', { name: 'استلام' }).click();
    await expect.poll(() => box.locator('[data-state=acknowledged]').count(), { timeout: 10_000 }).toBe(1);
    expect(await box.locator('[data-state=acknowledged]').textContent()).toMatch(new RegExp(`^استلمه ${FSI}leila${PDI} \\(${FSI}[^${PDI}]+${PDI}\\)`));
    expect(await box.locator('li.error').count()).toBe(0);
    expect(await box.textContent()).not.toContain('لم يستلمه أحد');

    // The timeline: level 1 told, level 2 told, then the ladder ran out, then the acknowledgement.
    const actions = await page.locator('ol.timeline li').evaluateAll((items) => items.map((item) => item.getAttribute('data-action')));
    const steps = actions.filter((a) => ['incident.notified', 'incident.escalation_exhausted', 'incident.acknowledged'].includes(a ?? ''));
    expect(steps).toEqual(['incident.notified', 'incident.notified', 'incident.escalation_exhausted', 'incident.acknowledged']);
    await screenshot(page, 'incident-arabic-acknowledged');
  });
});
