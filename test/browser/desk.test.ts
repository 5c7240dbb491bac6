/**
 * The desk pages in real Chromium, as an admin: the rumour desk (file, conclude, answer in three
 * languages, publish), rosters (a CSV import refused with its problem naming the line, then a
 * YAML import applied), contacts (found by area without any number shown, then erased), queues
 * (the dead-letter list) and the audit trail with its exports;
 * and the desk pages on a 360x740 phone.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findOrCreateContact } from '../../src/conversation/contacts.js';
import { startTestGateway, type TestGateway } from '../support/gateway.js';
import { DESKTOP, openBrowser, PHONE, screenshot, type Person, plain } from './support/browser.js';
import { adminToken, logIn, makeStaff, type Staff } from './support/staff.js';

let gateway: TestGateway;
let admin: Staff;
const people: Person[] = [];

beforeAll(async () => {
  gateway = await startTestGateway();
  admin = await makeStaff(gateway, await adminToken(gateway), 'rosa', 'admin');
});
afterAll(async () => {
  for (const person of people) await person.close();
  await gateway?.close();
});

async function open(viewport = DESKTOP): Promise<Person> {
  const person = await openBrowser(viewport);
  people.push(person);
  await logIn(person.page, gateway.url, admin);
  return person;
}

describe('the desk pages', () => {
  it('takes a rumour from a report to a published answer in three languages', async () => {
    const { page } = await open();
    await page.locator('nav a', { hasText: 'Rumours' }).click();
    await page.locator('textarea[name=text]').fill('They say the water point at Kanzi is poisoned');
    await page.getByRole('button', { name: 'Add to the desk' }).click();
    const link = page.locator('tr[data-rumour] a', { hasText: 'water point' });
    await link.waitFor();
    await link.click();
    await page.locator('select[name=status]').selectOption('false');
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await expect.poll(() => page.locator('h1 .badge').textContent().then(plain)).toBe('false');
    await page.locator('textarea[name=en]').fill('The water at Kanzi was tested on Monday: it is safe.');
    await page.locator('textarea[name=fr]').fill("L'eau de Kanzi a été testée lundi : elle est saine.");
    await page.locator('textarea[name=ar]').fill('تم فحص مياه كانزي يوم الاثنين: إنها آمنة.');
    await page.getByRole('button', { name: 'Save the answers' }).click();
    await expect.poll(() => page.locator('[role=status]').textContent().then(plain)).toBe('Saved.');
    await page.locator('form', { hasText: 'Publish the answer' }).getByRole('button', { name: 'Publish the answer' }).click();
    await expect.poll(() => page.locator('[role=status]').textContent().then(plain)).toBe('Published.');
    const rumour = await gateway.db.rumour.findFirstOrThrow({ where: { status: 'false' } });
    expect(rumour.publishedAt).not.toBeNull();
    expect(Object.keys(JSON.parse(rumour.answers)).sort()).toEqual(['ar', 'en', 'fr']);
    await screenshot(page, 'rumour');
  });

  it('refuses a roster with a problem, naming its line, and applies a good one', async () => {
    const { page } = await open();
    await page.locator('nav a', { hasText: 'Rosters' }).click();
    await page.locator('select[name=format]').selectOption('csv');
    await page.locator('textarea[name=text]').fill('id,name,language,committees,sms\nada,Ada,en,,+254700000001\nbad,Bad,en,,not-a-number\n');
    await page.getByRole('button', { name: 'Import' }).click();
    await expect.poll(() => page.locator('[data-testid=problems]').textContent().then(plain)).toMatch(/line 3/);
    expect(await gateway.db.responder.count({ where: { id: 'ada' } })).toBe(0);
    await page.locator('select[name=format]').selectOption('yaml');
    await page.locator('textarea[name=text]').fill(
      'committees:\n  - { id: tessa-peace, name: Tessa Peace Committee, level: local, area: tessa }\nresponders:\n  - { id: tess-1, name: Tess One, language: en, identities: [{ channel: sms, address: "+254700000777" }], committees: [tessa-peace] }\n',
    );
    await page.getByRole('button', { name: 'Import' }).click();
    await page.locator('tr[data-committee=tessa-peace]').waitFor();
    // The committee's area, the responder's committee and channel by name, not by code.
    await expect.poll(() => page.locator('tr[data-committee=tessa-peace] td').nth(3).textContent().then(plain)).toBe('Tessa');
    const responder = page.locator('tr[data-responder=tess-1]');
    expect(await responder.locator('td').nth(2).textContent().then(plain)).toBe('Tessa Peace Committee');
    expect(await responder.locator('td').nth(3).textContent().then(plain)).toMatch(/^SMS \+25•+777$/);
    await screenshot(page, 'rosters');
  });

  it('finds a contact by area without showing their number, and erases them', async () => {
    const person = await findOrCreateContact(gateway.db, gateway.personalData, 'sms', '+254733000444', 'fr');
    await gateway.db.contact.update({ where: { id: person.contactId }, data: { areaId: 'tessa' } });
    const { page } = await open();
    await page.locator('nav a', { hasText: 'Contacts' }).click();
    await page.locator('select[name=area]').selectOption('tessa');
    await page.locator('form', { has: page.locator('select[name=area]') }).getByRole('button', { name: 'Find' }).click();
    const row = page.locator(`tr[data-contact="${person.contactId}"]`);
    await row.waitFor();
    // The channel and the language in words, not their codes.
    expect(await row.textContent().then(plain)).toContain('SMS');
    expect(await row.textContent().then(plain)).toContain('French');
    expect(await row.textContent().then(plain)).not.toMatch(/\b(sms|fr)\b/);
    expect(await page.content()).not.toContain('733000444');
    await screenshot(page, 'contacts');
    await row.locator('summary', { hasText: 'Erase this person' }).click();
    await row.locator('input[name=sure]').check();
    await row.getByRole('button', { name: 'Erase now' }).click();
    await expect.poll(() => page.locator('[role=status]').textContent().then(plain)).toMatch(/^Erased/);
    await expect.poll(() => row.count()).toBe(0);
    expect(await gateway.db.contact.count({ where: { id: person.contactId } })).toBe(0);
  });

  it('lists the dead letters and the audit trail, with its exports', async () => {
    const { page } = await open();
    await page.locator('nav a', { hasText: 'Queues' }).click();
    await expect.poll(() => page.locator('main').textContent().then(plain)).toContain('Nothing failed.');
    // An outbound job for a message that does not exist fails for good; the page shows it with its reason.
    await gateway.queues.enqueueOutbound('console', 'no-such-message');
    const failed = page.locator('tr[data-job]', { hasText: 'no-such-message' });
    await failed.waitFor({ timeout: 20_000 });
    await screenshot(page, 'queues');
    await failed.getByRole('button', { name: 'Discard' }).click();
    await expect.poll(() => page.locator('main').textContent().then(plain)).toContain('Nothing failed.');
    await page.locator('nav a', { hasText: 'Audit' }).click();
    // The committee added by the roster test is in the trail, and so is this very reading.
    await expect.poll(() => page.locator('tr[data-action]').count()).toBeGreaterThan(0);
    // Rows read as people's words: the action named, the committee by its name.
    expect(await page.locator('tr[data-action="audit.exported"]').first().textContent().then(plain)).toContain('rosaexported the audit trail');
    expect(await page.locator('tr[data-action="committee.upserted"]').first().textContent().then(plain)).toContain('Tessa Peace Committee');
    const csv = await page.getByRole('link', { name: 'Download as CSV' }).getAttribute('href');
    const answer = await page.context().request.get(`${gateway.url}${csv}`);
    expect((await answer.text()).split('\n')[0]).toBe('at,actor,action,subject_type,subject_id,detail');
    await screenshot(page, 'audit');
  });

  it('shows the desk pages on a phone, and each in Arabic right to left', async () => {
    const { page } = await open(PHONE);
    for (const path of ['rumours', 'rosters', 'contacts', 'queues', 'audit']) {
      await page.goto(`${gateway.url}/console/${path}`);
      await page.locator('h1').waitFor();
      expect(await page.evaluate(() => document.documentElement.scrollWidth), path).toBeLessThanOrEqual(PHONE.width);
      await screenshot(page, `${path}-phone`);
    }
    await page.locator('select[aria-label]').first().selectOption('ar');
    await expect.poll(() => page.locator('html').getAttribute('dir')).toBe('rtl');
    expect(await page.locator('h1').textContent().then(plain)).toBe('التدقيق');
    // No page of this file met a CSP refusal or a script error.
    expect(people.flatMap((p) => p.problems)).toEqual([]);
  });
});
