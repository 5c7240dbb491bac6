/**
 * Every console page on a 360x740 phone, in English and in Arabic (right to left), in real
 * Chromium: no page is wider than the screen (document.scrollingElement.scrollWidth <= 360) and no
 * table is wider than its box (lists become labelled cards below 40rem), the
 * first case code of the incidents list can be tapped (a click without force: nothing covers it),
 * and acknowledging from the Arabic console answers in Arabic with the console's words (no chat
 * command instructions). No page asks for a file that is not there (no favicon 404).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { startTestGateway, type TestGateway } from '../support/gateway.js';
import { fileReport, seedRoster } from '../incidents/support.js';
import { addContact } from '../broadcasts/support.js';
import { openBrowser, PHONE, screenshot, type Person, plain } from './support/browser.js';
import { adminToken, logIn, makeStaff, type Staff } from './support/staff.js';

let gateway: TestGateway;
let admin: Staff;
let caseCode: string;
let broadcastId: string;
let rumourId: string;
const people: Person[] = [];

async function call(bearer: string, path: string, body: unknown): Promise<any> {
  const response = await fetch(`${gateway.url}/api/v1${path}`, { method: 'POST', headers: { authorization: `Bearer ${bearer}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
  expect(response.status).toBeLessThan(300);
  return response.json();
}

beforeAll(async () => {
  gateway = await startTestGateway({ CONSOLE_CHANNEL: 'true' });
  await seedRoster(gateway);
  const clock = { now: () => new Date() };
  caseCode = (await fileReport({ ...gateway, clock: clock as never }, { severity: 'high', areaId: 'kanzi', category: 'armed_group_movement', description: 'Armed men seen on the north road' })).caseCode;
  await fileReport({ ...gateway, clock: clock as never }, { severity: 'low', areaId: 'oroma', category: 'displacement' });
  for (const language of ['en', 'fr', 'ar']) await addContact(gateway, { address: `kanzi-${language}`, areaId: 'kanzi', language });
  const bearer = await adminToken(gateway);
  broadcastId = (await call(bearer, '/broadcasts', { title: 'Road closed', texts: { fr: 'La route est fermée.', ar: 'الطريق مغلق.' }, defaultLanguage: 'fr', fallback: true })).broadcast.id;
  rumourId = (await call(bearer, '/rumours', { text: 'They say the bridge at Kanzi will be closed' })).rumourId;
  admin = await makeStaff(gateway, bearer, 'nadia', 'admin');
});
afterAll(async () => {
  for (const person of people) await person.close();
  await gateway?.close();
});

/** Opens `path` and waits until the page has drawn its heading and its data arrived. */
async function show(page: Page, path: string): Promise<void> {
  await page.goto(`${gateway.url}${path}`);
  await page.locator('main h1').first().waitFor();
  await page.waitForLoadState('networkidle');
  await page.locator('[aria-busy=true]').first().waitFor({ state: 'detached', timeout: 10_000 }).catch(() => undefined);
}

const width = (page: Page) => page.evaluate(() => document.scrollingElement!.scrollWidth);

/**
 * Tables wider than the box they sit in (a table inside a scrolling wrapper keeps the page narrow
 * but cuts itself off at the screen edge, with nothing showing it): each named by its first header.
 */
const wideTables = (page: Page) =>
  page.evaluate(() =>
    [...document.querySelectorAll('main table')]
      .filter((table) => (table as HTMLElement).offsetWidth > table.parentElement!.clientWidth + 1 || table.scrollWidth > (table as HTMLElement).offsetWidth + 1)
      .map((table) => table.querySelector('th')?.textContent ?? '?'),
  );

for (const language of ['en', 'ar'] as const) {
  describe(`the console on a phone in ${language}`, () => {
    it('fits every page in 360 px and lets the first case code be tapped', async () => {
      const person = await openBrowser(PHONE);
      people.push(person);
      const { page } = person;
      const missing: string[] = [];
      page.on('response', (response) => {
        if (response.status() === 404 && !response.url().includes('/api/')) missing.push(response.url());
      });
      await logIn(page, gateway.url, admin);
      await page.locator('header select').selectOption(language);
      const paths = [
        '/console/incidents',
        `/console/incidents/${caseCode}`,
        '/console/announcements',
        `/console/announcements/${broadcastId}`,
        '/console/surveys',
        '/console/rumours',
        `/console/rumours/${rumourId}`,
        '/console/rosters',
        '/console/contacts',
        '/console/queues',
        '/console/audit',
      ];
      const wide: Record<string, number> = {};
      for (const path of paths) {
        await show(page, path);
        if (path === '/console/surveys') {
          // Nobody answered yet: one sentence, no empty charts.
          await page.locator('[data-testid=no-answers]').waitFor();
          expect(await page.locator('main canvas').count()).toBe(0);
        }
        // Area names in Arabic come from the gazetteer's Arabic alias.
        if (path === '/console/incidents' && language === 'ar') await expect.poll(() => page.locator(`tr[data-case="${caseCode}"]`).textContent().then(plain)).toContain('كانزي');
        if (path === '/console/audit') {
          // The audit trail reads as usernames, actions in words and case codes (the incident page was viewed above).
          const viewed = page.locator('tr[data-action="incident.viewed"]', { hasText: caseCode }).first();
          await viewed.waitFor();
          expect(await viewed.textContent().then(plain)).toContain('nadia');
          expect(await viewed.textContent().then(plain)).toContain(language === 'ar' ? 'اطّلع عليه' : 'viewed');
          expect(await page.locator('main table').textContent().then(plain)).not.toMatch(/user:|incident\.viewed/);
        }
        if (path === '/console/rosters' && language === 'ar') {
          // The level and the area in Arabic words (the gazetteer's alias), not their codes.
          const committee = page.locator('tr[data-committee=kanzi-peace]');
          expect(await committee.textContent().then(plain)).toContain('محلي');
          await expect.poll(() => committee.locator('td').nth(3).textContent().then(plain)).toBe('كانزي');
        }
        if (path === '/console/surveys') {
          // The picker names the survey in the console's language, not by its id.
          expect(await page.locator('select[name=survey] option').first().textContent()).toBe(language === 'ar' ? 'استبيان التصورات' : 'Perception survey');
        }
        if (path === '/console/rosters') {
          // Every committee and responder is shown (cards on a phone), each cell labelled.
          expect(await page.locator('tr[data-committee]').count()).toBeGreaterThan(0);
          expect(await page.locator('tr[data-responder] td[data-label]').count()).toBeGreaterThan(0);
        }
        const tables = await wideTables(page);
        if (tables.length > 0) wide[`${path} tables`] = tables.length;
        const w = await width(page);
        if (w > PHONE.width) {
          wide[path] = w;
          await screenshot(page, `too-wide-${language}-${path.split('/').slice(2).join('-')}`);
        }
      }
      expect(wide).toEqual({});
      // Nothing the pages load is missing (the icon included: no /favicon.ico 404).
      expect(missing).toEqual([]);

      await show(page, '/console/incidents');
      await screenshot(page, `incidents-phone-${language}`);
      await page.locator('tr[data-case] a').first().click();
      await page.waitForURL(/\/console\/incidents\/R-/);
      expect(person.problems).toEqual([]);
    });
  });
}

describe('acknowledging from the Arabic console', () => {
  it('answers in Arabic with the console words, not the chat instruction', async () => {
    const person = await openBrowser(PHONE);
    people.push(person);
    const { page } = person;
    await logIn(page, gateway.url, admin);
    await page.locator('header select').selectOption('ar');
    await show(page, `/console/incidents/${caseCode}`);
    await page.getByRole('button', { name: 'استلام' }).click();
    // The timeline names the policy and the committees in Arabic words, not their ids.
    const timeline = page.locator('ol.timeline');
    expect(await timeline.textContent().then(plain)).toContain('وفق سياسة عالية');
    expect(await timeline.textContent().then(plain)).not.toMatch(/kanzi-peace|\bhigh\b/);
    const status = page.locator('[role=status]');
    await expect.poll(() => status.textContent().then(plain)).toBe(`استلمت ${caseCode}. اختر «معالجة» عند الانتهاء منه.`);
    expect(await status.textContent().then(plain)).not.toMatch(/RESOLVED|[a-z]{3,}/);
  });
});
