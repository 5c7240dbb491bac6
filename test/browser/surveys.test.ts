/**
 * Survey results in the console, in real Chromium, on a desktop and on a 360x740 phone: waves
 * with response rates, each question as a bar chart with its table (small cells shown as
 * suppressed, never as a number), the indicator across waves as a line chart, the CSV and HXL
 * exports through the session, and the page in Arabic, right to left.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../support/gateway.js';
import { DESKTOP, openBrowser, PHONE, screenshot, type Person, plain } from './support/browser.js';
import { adminToken, logIn, makeStaff, type Staff } from './support/staff.js';

let gateway: TestGateway;
let analyst: Staff;
const people: Person[] = [];

/** n complete responses answering police_seen_as with `answer`. */
async function seed(wave: string, areaId: string, answer: string, gender: string, n: number) {
  for (let i = 0; i < n; i++) {
    const id = randomUUID();
    await gateway.db.surveyResponse.create({ data: { id, surveyId: 'perception', wave, channel: 'sms', areaId, answered: 1, complete: true, durationSeconds: 100 } });
    await gateway.db.surveyAnswer.create({ data: { surveyId: 'perception', wave, responseId: id, question: 'police_seen_as', answer, areaId, gender, ageBand: '30_44' } });
  }
}

beforeAll(async () => {
  gateway = await startTestGateway();
  // Baseline: Kanzi 10 protectors / 10 threat; Mbali 6 / 3 and Tessa 2 / 8 (3 and 2 < 5: suppressed,
  // with their complements); six months: Kanzi 15 / 5, Mbali 8 / 7, Tessa 6 / 6.
  await seed('baseline', 'kanzi', 'protectors', 'female', 10);
  await seed('baseline', 'kanzi', 'threat', 'male', 10);
  await seed('baseline', 'mbali', 'protectors', 'female', 6);
  await seed('baseline', 'mbali', 'threat', 'female', 3);
  await seed('baseline', 'tessa', 'protectors', 'male', 2);
  await seed('baseline', 'tessa', 'threat', 'male', 8);
  await seed('month_6', 'kanzi', 'protectors', 'female', 15);
  await seed('month_6', 'kanzi', 'threat', 'male', 5);
  await seed('month_6', 'mbali', 'protectors', 'female', 8);
  await seed('month_6', 'mbali', 'threat', 'male', 7);
  await seed('month_6', 'tessa', 'protectors', 'male', 6);
  await seed('month_6', 'tessa', 'threat', 'female', 6);
  await gateway.db.surveyWave.create({ data: { surveyId: 'perception', wave: 'baseline', flowId: 'survey', areaId: 'north', invited: 60, opensAt: new Date('2026-01-01T00:00:00Z'), createdBy: 'test' } });
  await gateway.db.surveyWave.create({ data: { surveyId: 'perception', wave: 'month_6', flowId: 'survey', areaId: 'north', invited: 80, opensAt: new Date('2026-07-01T00:00:00Z'), createdBy: 'test' } });
  analyst = await makeStaff(gateway, await adminToken(gateway), 'nadia', 'analyst', { totp: false });
});
afterAll(async () => {
  for (const person of people) await person.close();
  await gateway?.close();
});

for (const [label, viewport] of [['desktop', DESKTOP], ['phone', PHONE]] as const) {
  describe(`survey results on a ${label}`, () => {
    it('charts each question and indicator, shows suppressed cells as suppressed, and exports CSV and HXL', async () => {
      const person = await openBrowser(viewport);
      people.push(person);
      const { page } = person;
      await logIn(page, gateway.url, analyst);
      await page.locator('nav a', { hasText: 'Surveys' }).click();
      await page.locator('h1', { hasText: 'Surveys' }).waitFor();
      // Waves: completed responses over invitations.
      expect(await page.locator('tr[data-wave=baseline]').textContent().then(plain)).toContain('60');
      expect(await page.locator('tr[data-wave=baseline] td').last().textContent().then(plain)).toBe('65 %');

      await page.locator('select[name=wave]').selectOption('baseline');
      await page.locator('select[name=area]').selectOption('north');
      const question = page.locator('article[data-question=police_seen_as]');
      await expect.poll(() => question.locator('tr[data-group=kanzi]').count()).toBe(1);
      expect(await question.locator('canvas').count()).toBeGreaterThan(0);
      // Kanzi: 10 of 20 protectors, shown as a share with its count.
      expect(await question.locator('tr[data-group=kanzi]').textContent().then(plain)).toContain('50 % (10)');
      // Mbali's 3 are too few: suppressed in the table, no figure anywhere in its row's answers.
      const mbali = question.locator('tr[data-group=mbali]');
      expect(await mbali.locator('.suppressed').count()).toBeGreaterThan(0);
      expect(await mbali.textContent().then(plain)).not.toContain('(3)');
      // The chart draws no bar for a suppressed cell, and says so in its text.
      const summary = await question.locator('[data-chart-summary]').textContent().then(plain);
      expect(summary).toContain('Kanzi: ');
      expect(summary).toMatch(/Mbali \(suppressed\): [^;]* suppressed/);

      // The indicator across the two waves, a line per area.
      const indicator = page.locator('article[data-indicator=police_protectors]');
      await indicator.locator('canvas').first().waitFor();
      expect(await indicator.locator('thead').textContent().then(plain)).toContain('baseline');
      expect(await indicator.locator('thead').textContent().then(plain)).toContain('month_6');
      await screenshot(page, `surveys-${label}`);

      // The exports go through the same session (and are audited by the API).
      const hxlHref = await page.getByRole('link', { name: 'Export as HXL' }).getAttribute('href');
      expect(hxlHref).toContain('format=hxl');
      const hxl = await person.context.request.get(`${gateway.url}${hxlHref}`);
      expect(hxl.status()).toBe(200);
      expect((await hxl.text()).split('\n')[1]).toMatch(/^#/);
      const csv = await person.context.request.get(`${gateway.url}${await page.getByRole('link', { name: 'Export as CSV' }).getAttribute('href')}`);
      expect(csv.status()).toBe(200);

      // In Arabic, right to left.
      await page.locator('select[aria-label]').first().selectOption('ar');
      await expect.poll(() => page.locator('html').getAttribute('dir')).toBe('rtl');
      await expect.poll(() => page.locator('h1').textContent().then(plain)).toBe('الاستبيانات');
      await screenshot(page, `surveys-ar-${label}`);
      if (viewport === PHONE) expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(PHONE.width);
      expect(person.problems).toEqual([]);
      await page.locator('select[aria-label]').first().selectOption('en');
    });
  });
}
