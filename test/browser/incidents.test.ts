/**
 * Incidents in the console, in real Chromium, on a desktop and on a 360x740 phone: the live list
 * (a new report appears without a reload), filters, the map, the incident page with its timeline
 * in plain language and its countdown, and acknowledging an escalated incident.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { incidentsCapability } from '../../src/incidents/index.js';
import { eventually, startTestGateway, type TestGateway } from '../support/gateway.js';
import { fileReport, seedRoster } from '../incidents/support.js';
import { DESKTOP, openBrowser, PHONE, screenshot, type Person, plain } from './support/browser.js';
import { adminToken, logIn, makeStaff, type Staff } from './support/staff.js';

// A critical incident's first level has one second to acknowledge, so an incident is escalating almost at once;
// the second level has ten minutes, which the page counts down.
const POLICY = `policies:
  - id: quick
    match: { severity: [critical] }
    ackTimeout: 1h
    levels:
      - { targets: [local], delay: 1s }
      - { targets: [regional], delay: 10m }
      - { targets: [national], delay: 20m }
  - id: slow
    match: { severity: [high, medium, low] }
    ackTimeout: 1h
    levels:
      - { targets: [local], delay: 1h }
      - { targets: [regional], delay: 1h }
`;

let gateway: TestGateway;
let coordinator: Staff;
let northDesk: Staff;
const people: Person[] = [];
const clock = { now: () => new Date() };
const report = (input: Parameters<typeof fileReport>[1]) => fileReport({ ...gateway, clock: clock as never }, input);
const escalated = (caseCode: string) =>
  eventually(async () => {
    const incident = await gateway.db.incident.findUniqueOrThrow({ where: { caseCode } });
    return (await gateway.db.escalation.findUnique({ where: { incidentId: incident.id } }))?.notifiedLevel === 1;
  }, 15_000, `${caseCode} to reach the second level`);

beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'console-policy-'));
  writeFileSync(join(dir, 'policies.yaml'), POLICY);
  gateway = await startTestGateway({ CONSOLE_CHANNEL: 'true' }, { capabilities: [incidentsCapability({ policyFile: join(dir, 'policies.yaml'), catchUpMs: 0 })] });
  await seedRoster(gateway);
  const admin = await adminToken(gateway);
  coordinator = await makeStaff(gateway, admin, 'amina', 'coordinator');
  northDesk = await makeStaff(gateway, admin, 'baraka', 'responder', { areaId: 'north', totp: false });
});
afterAll(async () => {
  for (const person of people) await person.close();
  await gateway?.close();
});

for (const [label, viewport] of [['desktop', DESKTOP], ['phone', PHONE]] as const) {
  describe(`incidents on a ${label}`, () => {
    it('lists incidents live, filters them, and acknowledges an escalated one from its page', async () => {
      const urgent = await report({ severity: 'critical', areaId: 'kanzi', category: 'violence', description: 'Two groups are fighting near the market', occurredAt: '2026-12-06' });
      const calm = await report({ severity: 'low', areaId: 'oroma', category: 'displacement' });
      await escalated(urgent.caseCode);
      const person = await openBrowser(viewport);
      people.push(person);
      const { page } = person;
      await logIn(page, gateway.url, coordinator);
      await page.goto(`${gateway.url}/console/incidents`);
      const row = (code: string) => page.locator(`tr[data-case="${code}"]`);
      await row(urgent.caseCode).waitFor();
      expect(await row(urgent.caseCode).locator('.badge').first().textContent().then(plain)).toBe('escalating');
      expect(await row(calm.caseCode).isVisible()).toBe(true);

      // A report filed while the page is open shows up without a reload.
      const later = await report({ severity: 'high', areaId: 'mbali', category: 'hate_speech' });
      await row(later.caseCode).waitFor({ timeout: 15_000 });

      // Filters: state, then area (through the API's area subtree), then category.
      // Each filter is applied when the row it hides is gone and the row it keeps is shown: a row
      // already hidden by the filter before proves nothing while the list still reloads.
      const shows = async (shown: string, hidden: string) => (await row(hidden).count()) === 0 && (await row(shown).isVisible());
      await page.locator('select[name=state]').selectOption('escalating');
      await expect.poll(() => shows(urgent.caseCode, calm.caseCode)).toBe(true);
      await page.locator('select[name=state]').selectOption('');
      await page.locator('select[name=area]').selectOption('river');
      await expect.poll(() => shows(calm.caseCode, urgent.caseCode)).toBe(true);
      await page.locator('select[name=area]').selectOption('');
      await page.locator('select[name=category]').selectOption('hate_speech');
      await expect.poll(() => shows(later.caseCode, urgent.caseCode)).toBe(true);
      await page.locator('select[name=category]').selectOption('');
      // The map, drawn without tiles, names the areas with open incidents and their counts.
      await expect.poll(() => page.locator('figcaption').textContent().then(plain)).toMatch(/Kanzi: \d/);
      expect(await page.locator('img.leaflet-tile').count()).toBe(0);
      await screenshot(page, `incidents-${label}`);

      await row(urgent.caseCode).locator('a').click();
      await page.locator('h1', { hasText: urgent.caseCode }).waitFor();
      expect(await page.locator('.card', { hasText: 'What was reported' }).textContent().then(plain)).toContain('fighting near the market');
      // The day it happened as the console's language writes it, not as stored (2026-12-06).
      const facts = await page.locator('dl.kv').first().textContent().then(plain);
      expect(facts).toContain('Dec 6, 2026');
      expect(facts).not.toContain('2026-12-06');
      // Escalation in words, with the countdown to the next level (ten minutes from now).
      const escalation = page.locator('.card', { hasText: 'Escalation' });
      expect(await escalation.textContent().then(plain)).toContain('Level 2 has been told.');
      expect(await escalation.locator('[role=timer]').textContent().then(plain)).toMatch(/^(9|10) min \d\d s$/);
      // The timeline reads as sentences, not JSON.
      const timeline = page.locator('ol.timeline');
      expect(await timeline.textContent().then(plain)).toContain('Received and routed under the quick policy.');
      // Committees by their names, not their ids.
      expect(await timeline.textContent().then(plain)).toContain('Level 1 told: Kanzi Peace Committee');
      expect(await timeline.textContent().then(plain)).not.toContain('kanzi-peace');
      expect(await timeline.textContent().then(plain)).not.toContain('{');
      await screenshot(page, `incident-${label}`);

      await page.getByRole('button', { name: 'Acknowledge' }).click();
      await expect.poll(() => page.locator('[role=status]').textContent().then(plain)).toContain(urgent.caseCode);
      await expect.poll(() => page.locator('h1 .badge').textContent().then(plain)).toBe('acknowledged');
      await expect.poll(() => timeline.textContent().then(plain)).toContain('amina acknowledged it.');
      const stored = await gateway.db.incident.findUniqueOrThrow({ where: { caseCode: urgent.caseCode } });
      expect(stored.status).toBe('acknowledged');
      expect(stored.acknowledgedBy).toMatch(/^user:/);
      // Acknowledged: the escalation waits for the resolution now, and says so.
      await expect.poll(() => escalation.textContent().then(plain)).toContain('escalation starts again in');

      // A note, through its small form, shows in the timeline with its text.
      await page.locator('details.action summary', { hasText: 'Add a note' }).click();
      await page.locator('details.action[open] input[name=note]').fill('Police informed');
      await page.locator('details.action[open] button[type=submit]').click();
      await expect.poll(() => timeline.textContent().then(plain)).toContain('Police informed');
      // Reassigning chooses nothing for the user: the list starts empty and the form asks first.
      await page.locator('details.action summary', { hasText: 'Reassign' }).click();
      const committee = page.locator('details.action[open] select[name=committee]');
      await expect.poll(() => committee.locator('option').count()).toBeGreaterThan(1);
      expect(await committee.inputValue()).toBe('');
      await page.locator('details.action[open] button[type=submit]').click();
      expect(await committee.evaluate((select) => (select as HTMLSelectElement).validity.valueMissing)).toBe(true);
      expect(await gateway.db.auditEntry.count({ where: { subjectId: stored.id, action: 'incident.reassigned' } })).toBe(0);
      await page.locator('details.action[open] summary').click();
      await screenshot(page, `incident-acknowledged-${label}`);
      if (viewport === PHONE) expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(PHONE.width);
      expect(person.problems).toEqual([]);
    });
  });
}

describe('incidents filtered faster than the list answers', () => {
  it('shows the list of the filter chosen last, even when an earlier filter is answered after it', async () => {
    const fight = await report({ severity: 'high', areaId: 'kanzi', category: 'violence' });
    const speech = await report({ severity: 'high', areaId: 'kanzi', category: 'hate_speech' });
    const person = await openBrowser(DESKTOP);
    people.push(person);
    const { page } = person;
    await logIn(page, gateway.url, coordinator);
    await page.goto(`${gateway.url}/console/incidents`);
    const row = (code: string) => page.locator(`tr[data-case="${code}"]`);
    await row(fight.caseCode).waitFor();
    // From now on the list for every category is answered two seconds late; one category's at once.
    await page.route(/\/api\/v1\/incidents\?/, async (route) => {
      if (!new URL(route.request().url()).searchParams.has('category')) await new Promise((resolve) => setTimeout(resolve, 2000));
      await route.continue();
    });
    await page.locator('select[name=area]').selectOption('kanzi');
    await page.locator('select[name=category]').selectOption('hate_speech');
    await row(fight.caseCode).waitFor({ state: 'detached' });
    // The late answer to the area alone arrives now, and must not replace the list asked for last.
    await new Promise((resolve) => setTimeout(resolve, 2500));
    expect(await row(speech.caseCode).isVisible()).toBe(true);
    expect(await row(fight.caseCode).count()).toBe(0);
    await page.unroute(/\/api\/v1\/incidents\?/);
    expect(person.problems).toEqual([]);
  });
});

describe('incidents for an area-limited responder', () => {
  it('lists and opens only what lies in its area, shows only its pages, and acknowledges by keyboard', async () => {
    const inside = await report({ severity: 'high', areaId: 'tessa', category: 'violence' });
    const outside = await report({ severity: 'high', areaId: 'lindu', category: 'violence' });
    const person = await openBrowser(PHONE);
    people.push(person);
    const { page } = person;
    await logIn(page, gateway.url, northDesk);
    expect(await page.locator('nav a').allTextContents()).toEqual(['Incidents', 'Rosters']);
    await page.locator(`tr[data-case="${inside.caseCode}"]`).waitFor();
    expect(await page.locator(`tr[data-case="${outside.caseCode}"]`).count()).toBe(0);
    // Only the areas in scope are offered as filters.
    expect(await page.locator('select[name=area] option').allTextContents()).toEqual(['all', 'Kanzi', 'Mbali', 'North Region', 'Tessa']);
    // An incident outside the area is answered as unknown, even by its link.
    await page.goto(`${gateway.url}/console/incidents/${outside.caseCode}`);
    await expect.poll(() => page.locator('[role=alert]').textContent().then(plain)).toBe(`There is no case ${outside.caseCode}.`);
    await page.goto(`${gateway.url}/console/incidents/${inside.caseCode}`);
    await page.getByRole('button', { name: 'Acknowledge' }).focus();
    await page.keyboard.press('Enter');
    await expect.poll(() => page.locator('h1 .badge').textContent().then(plain)).toBe('acknowledged');
    expect(person.problems).toEqual([]);
  });
});
