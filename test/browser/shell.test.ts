/**
 * The console's frame in real Chromium: served by the gateway at /console (and / leads there),
 * logging in with the second factor, navigation showing only what the role may do, English,
 * French and Arabic (right to left), a phone-sized screen, no CSP violation, and the weight of
 * the first load.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../support/gateway.js';
import { DESKTOP, measureLoad, openBrowser, PHONE, screenshot, type Person, plain } from './support/browser.js';
import { adminToken, logIn, makeStaff, type Staff } from './support/staff.js';

let gateway: TestGateway;
let coordinator: Staff;
let responder: Staff;
let broadcaster: Staff;
const people: Person[] = [];
const open = async (viewport = DESKTOP) => {
  const person = await openBrowser(viewport);
  people.push(person);
  return person;
};

beforeAll(async () => {
  gateway = await startTestGateway();
  const admin = await adminToken(gateway);
  coordinator = await makeStaff(gateway, admin, 'amina', 'coordinator');
  responder = await makeStaff(gateway, admin, 'kofi', 'responder', { totp: false });
  broadcaster = await makeStaff(gateway, admin, 'lea', 'broadcaster', { totp: false });
});
afterAll(async () => {
  for (const person of people) await person.close();
  await gateway?.close();
});

/** The navigation's link texts. */
const navOf = (person: Person) => person.page.locator('nav[aria-label] a').allTextContents();

describe('the console frame', () => {
  it('is where / leads, and its first load is under 300 KB with compression', async () => {
    const root = await fetch(`${gateway.url}/`, { redirect: 'manual' });
    expect(root.headers.get('location')).toBe('/console');
    const person = await open();
    const load = await measureLoad(person.context, `${gateway.url}/console`, (page) => page.locator('input[name=username]').waitFor());
    const script = Object.keys(load.encodings).find((path) => path.endsWith('.js'))!;
    expect(load.encodings[script]).toMatch(/^(br|gzip)$/);
    expect(load.urls.every((u) => u.startsWith(gateway.url))).toBe(true);
    console.log(`console first load: ${(load.bytes / 1024).toFixed(1)} KB over ${load.urls.length} requests`);
    expect(load.bytes).toBeGreaterThan(10_000);
    expect(load.bytes).toBeLessThan(300 * 1024);
  });

  it('logs in with a password and the second factor, and refuses a wrong code', async () => {
    const { page } = await open();
    const violations: string[] = [];
    page.on('console', (m) => void (/Content.Security.Policy/i.test(m.text()) && violations.push(m.text())));
    await page.goto(`${gateway.url}/console`);
    await screenshot(page, 'login');
    await page.locator('input[name=username]').fill(coordinator.username);
    await page.locator('input[name=password]').fill(coordinator.password);
    await page.locator('input[name=code]').fill('000000');
    await page.locator('form button[type=submit]').click();
    await expect.poll(() => page.locator('[role=alert]').textContent().then(plain)).toMatch(/not right/);
    await logIn(page, gateway.url, coordinator);
    expect(await navOf({ page } as Person)).toEqual(['Incidents', 'Announcements', 'Surveys', 'Rumours', 'Rosters', 'Contacts', 'Queues']);
    expect(await page.locator('.who').textContent().then(plain)).toContain('amina');
    expect(violations).toEqual([]);
    await page.getByRole('button', { name: 'Log out' }).click();
    await page.locator('input[name=username]').waitFor();
  });

  it('sets a password and enrols the authenticator from an invitation link, then logs in with it', async () => {
    const invited = await fetch(`${gateway.url}/api/v1/users`, {
      method: 'POST',
      headers: { authorization: `Bearer ${await adminToken(gateway)}`, 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'zawadi', role: 'coordinator' }),
    });
    const link = new URL(((await invited.json()) as { link: string }).link);
    const { page } = await open(PHONE);
    await page.goto(`${gateway.url}${link.pathname}${link.hash}`);
    await page.locator('input[name=password]').fill('a long passphrase for zawadi');
    await page.locator('input[name=again]').fill('a long passphrase for zawadi');
    await page.getByRole('button', { name: 'Save' }).click();
    const secret = (await page.locator('code.secret').textContent().then(plain))!;
    expect(secret).toMatch(/^[A-Z2-7]{16,}$/);
    // The token left the address bar once used.
    expect(page.url()).not.toContain(link.hash.slice(1));
    await screenshot(page, 'invitation-accepted');
    await page.getByRole('link', { name: 'Go to the login page' }).click();
    await logIn(page, gateway.url, { username: 'zawadi', password: 'a long passphrase for zawadi', secret });
    expect(await page.locator('.who').textContent().then(plain)).toContain('zawadi');
  });

  it('shows each role only the pages its role may open', async () => {
    const asResponder = await open();
    await logIn(asResponder.page, gateway.url, responder);
    expect(await navOf(asResponder)).toEqual(['Incidents', 'Rosters']);
    const asBroadcaster = await open();
    await logIn(asBroadcaster.page, gateway.url, broadcaster);
    expect(await navOf(asBroadcaster)).toEqual(['Announcements', 'Rumours']);
    // A page the role may not open is refused in the page too (the API would refuse it anyway).
    await asBroadcaster.page.goto(`${gateway.url}/console/incidents`);
    await expect.poll(() => asBroadcaster.page.locator('[role=alert]').textContent().then(plain)).toMatch(/does not allow/);
  });

  it('switches to French and to Arabic, right to left, and keeps the choice', async () => {
    const person = await open();
    await logIn(person.page, gateway.url, coordinator);
    const { page } = person;
    await page.getByLabel('Language').selectOption('fr');
    await expect.poll(() => page.locator('html').getAttribute('lang')).toBe('fr');
    expect(await navOf(person)).toContain('Incidents');
    expect(await page.locator('h1').first().textContent().then(plain)).not.toBe('Incidents (en)');
    await page.locator('select[aria-label]').selectOption('ar');
    await expect.poll(() => page.locator('html').getAttribute('dir')).toBe('rtl');
    expect(await page.locator('html').getAttribute('lang')).toBe('ar');
    expect(await navOf(person)).toContain('البلاغات');
    await screenshot(page, 'incidents-ar');
    await page.reload();
    await page.locator('.who').waitFor();
    expect(await page.locator('html').getAttribute('dir')).toBe('rtl');
    await page.locator('select[aria-label]').selectOption('en');
    await expect.poll(() => page.locator('html').getAttribute('dir')).toBe('ltr');
  });

  it('fits a 360-pixel phone screen and can be used by keyboard', async () => {
    const person = await open(PHONE);
    const { page } = person;
    await page.goto(`${gateway.url}/console`);
    // Keyboard only: the page opens in the username field, the others follow in order.
    await page.locator('input[name=username]').waitFor();
    expect(await page.evaluate(() => document.activeElement?.getAttribute('name'))).toBe('username');
    await page.keyboard.type(coordinator.username);
    await page.keyboard.press('Tab');
    await page.keyboard.type(coordinator.password);
    await page.keyboard.press('Tab');
    const { totpCode } = await import('../../src/accounts/index.js');
    await page.keyboard.type(totpCode(coordinator.secret!, new Date()));
    await page.keyboard.press('Enter');
    await page.locator('.who').waitFor();
    await page.locator('table, .muted').first().waitFor();
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth);
    expect(overflow).toBeLessThanOrEqual(PHONE.width);
    await screenshot(page, 'incidents-phone');
  });
});
