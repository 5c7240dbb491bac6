/**
 * Announcements in the console, in real Chromium, on a desktop and on a 360x740 phone: one person
 * composes (live SMS segment counter, audience and cost from the preview), a second approves
 * (the author cannot), approving sends nothing, the author then sends it now, and the delivery
 * progress and its chart follow the real sends to the SMS provider's fake.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTwilioApi, type FakeTwilioApi } from '../fakes/twilio-api.js';
import { eventually, type TestGateway } from '../support/gateway.js';
import { waitForIdle } from '../support/idle.js';
import { api, smsEnv, startBroadcastGateway } from '../broadcasts/support.js';
import { DESKTOP, openBrowser, PHONE, screenshot, type Person, plain } from './support/browser.js';
import { adminToken, logIn, makeStaff, type Staff } from './support/staff.js';

let gateway: TestGateway;
let sms: FakeTwilioApi;
let author: Staff;
let approver: Staff;
let adminBearer: string;
const people: Person[] = [];
const AUDIENCE = { en: 6, fr: 3, ar: 2 };

beforeAll(async () => {
  sms = await startTwilioApi();
  gateway = await startBroadcastGateway({}, smsEnv(sms.url, 50));
  let n = 0;
  for (const [language, count] of Object.entries(AUDIENCE)) {
    for (let i = 0; i < count; i++) {
      const address = `+2547200000${String(n++).padStart(2, '0')}`;
      const contact = await gateway.db.contact.create({ data: { areaId: 'mbali', language } });
      await gateway.db.contactIdentity.create({ data: { contactId: contact.id, channel: 'sms', addressHash: gateway.personalData.hash('sms', address), addressEnc: gateway.personalData.encrypt(address) } });
    }
  }
  const admin = await adminToken(gateway);
  adminBearer = admin;
  author = await makeStaff(gateway, admin, 'lea', 'broadcaster', { totp: false });
  approver = await makeStaff(gateway, admin, 'omar', 'approver');
});
afterAll(async () => {
  for (const person of people) await person.close();
  await gateway?.close();
  await sms?.close();
});

const total = Object.values(AUDIENCE).reduce((a, b) => a + b, 0);

for (const [label, viewport] of [['desktop', DESKTOP], ['phone', PHONE]] as const) {
  describe(`announcements on a ${label}`, () => {
    it('is composed by one person, approved by another, then sent by its author', async () => {
      const title = `Road closed (${label})`;
      const writer = await openBrowser(viewport);
      people.push(writer);
      const w = writer.page;
      await logIn(w, gateway.url, author);
      await w.locator('nav a', { hasText: 'Announcements' }).click();
      await w.getByRole('button', { name: 'Write an announcement' }).click();
      await w.locator('input[name=title]').fill(title);
      await w.locator('textarea[name=text-en]').fill('The bridge road is closed until Friday.');
      expect(await w.locator('[data-counter=en]').textContent().then(plain)).toBe('39 characters · GSM-7 · 1 SMS segment');
      // Past 160 GSM-7 characters the text takes two segments (153 each when split).
      await w.locator('textarea[name=text-en]').fill('x'.repeat(161));
      expect(await w.locator('[data-counter=en]').textContent().then(plain)).toBe('161 characters · GSM-7 · 2 SMS segments');
      await w.locator('textarea[name=text-en]').fill('The bridge road is closed until Friday.');
      await w.locator('textarea[name=text-fr]').fill('Même la route du pont est fermée jusqu’à vendredi.');
      // Counted as SMS sends it: the curly apostrophe and the ê take their GSM-7 forms.
      expect(await w.locator('[data-counter=fr]').textContent()).toContain('GSM-7');
      await w.locator('textarea[name=text-ar]').fill('طريق الجسر مغلق حتى يوم الجمعة.');
      expect(await w.locator('[data-counter=ar]').textContent().then(plain)).toContain('UCS-2');
      await w.locator('select[name=area]').selectOption('mbali');
      // The preview: the audience per channel and language, and the cost in SMS segments.
      const estimate = w.locator('[data-testid=estimate]');
      await expect.poll(() => estimate.textContent().then(plain), { timeout: 10_000 }).toContain(`${total} recipients`);
      expect(await estimate.textContent().then(plain)).toMatch(/\d+ SMS segments/);
      const smsRow = estimate.locator('tbody tr[data-channel=sms]');
      expect(await smsRow.locator('td').first().textContent().then(plain)).toBe('SMS');
      expect(await smsRow.locator('td').last().textContent().then(plain)).toBe(String(total));
      const headers = await estimate.locator('thead th').evaluateAll((ths) => ths.map((th) => th.getAttribute('data-language')));
      // Languages are named, not coded.
      expect(await estimate.locator('thead th[data-language=fr]').textContent().then(plain)).toBe('French');
      const cells = await smsRow.locator('td').allTextContents();
      for (const [language, count] of Object.entries(AUDIENCE)) expect(cells[headers.indexOf(language)]).toBe(String(count));
      await screenshot(w, `announcement-compose-${label}`);
      await w.getByRole('button', { name: 'Submit for approval' }).click();
      await w.locator('h1', { hasText: title }).waitFor();
      const decision = w.locator('[data-testid=decision]');
      expect(await decision.textContent().then(plain)).toContain('another person must approve it');
      expect(await w.getByRole('button', { name: 'Approve' }).count()).toBe(0);
      const id = w.url().split('/').at(-1)!;

      const checker = await openBrowser(viewport);
      people.push(checker);
      const a = checker.page;
      await logIn(a, gateway.url, approver);
      await a.locator('nav a', { hasText: 'Announcements' }).click();
      await a.locator(`tr[data-broadcast="${id}"] a`).click();
      // The approver sees who it goes to: the area by its name, the topic, the channels.
      const audience = a.locator('[data-testid=audience]');
      await expect.poll(() => audience.locator('[data-testid=audience-area]').textContent().then(plain), { timeout: 10_000 }).toBe('Mbali');
      expect(await audience.locator('[data-testid=audience-topic]').textContent().then(plain)).toBe('any (no topic)');
      expect(await audience.locator('[data-testid=audience-channels]').textContent().then(plain)).toBe('every channel');
      const beforeApproval = sms.messages().length;
      await a.getByRole('button', { name: 'Approve' }).click();
      await expect.poll(() => a.locator('[role=status]').textContent().then(plain)).toBe('Approved. A broadcaster or coordinator sends it now or schedules it.');
      await expect.poll(() => a.locator('h1 .badge').textContent().then(plain)).toBe('approved, not sent');
      // The approver may not send it; approving sent nothing.
      expect(await a.getByRole('button', { name: 'Send now' }).count()).toBe(0);
      // Nothing has started: cancelling is cancelling the announcement, not "what has not gone out".
      expect(await a.getByRole('button', { name: 'Cancel this announcement' }).count()).toBe(1);
      await screenshot(a, `announcement-approved-${label}`);
      await waitForIdle(gateway);
      expect(sms.messages().length).toBe(beforeApproval);

      await w.reload();
      await expect.poll(() => decision.textContent().then(plain)).toContain('nothing is sent until you send it now or schedule it');
      const before = sms.messages().length;
      const sentFrom = Date.now();
      await w.getByRole('button', { name: 'Send now' }).click();
      await eventually(() => sms.messages().length - before === total, 20_000, 'every SMS sent');
      await waitForIdle(gateway);
      const delivery = w.locator('.card', { hasText: 'Delivery' });
      await expect.poll(() => delivery.locator('tr[data-status=sent] td.num').textContent().then(plain), { timeout: 15_000 }).toBe(String(total));
      expect(await delivery.locator('canvas').count()).toBeGreaterThan(0);
      // The chart's legend names the series, with no raw placeholders.
      const legend = await delivery.locator('.u-legend').first().textContent().then(plain);
      expect(legend).toContain('sent');
      expect(legend).not.toMatch(/--|Value/);
      // It plots when the messages left, from the stored times: the first point is in the send window.
      const { timeline } = (await api(gateway, adminBearer, 'GET', `/broadcasts/${id}/progress`)).body as { timeline: { points: { at: string; sent: number }[] } };
      expect(timeline.points.reduce((n, p) => n + p.sent, 0)).toBe(total);
      expect(Date.parse(timeline.points[0]!.at)).toBeGreaterThanOrEqual(Math.floor(sentFrom / 1000) * 1000);
      expect(Date.parse(timeline.points.at(-1)!.at)).toBeLessThanOrEqual(Date.now());
      const sent = sms.messages().slice(before).map((m) => m.form.Body ?? '');
      expect(sent.filter((b) => b.includes('bridge road')).length).toBe(AUDIENCE.en);
      expect(sent.filter((b) => b.includes('طريق الجسر')).length).toBe(AUDIENCE.ar);
      await screenshot(w, `announcement-sent-${label}`);
      if (viewport === PHONE) expect(await w.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(PHONE.width);
      expect([...writer.problems, ...checker.problems]).toEqual([]);
    });
  });
}

describe('recipients whose language has no text', () => {
  // The red warning stays for an announcement whose audience grew a language with no text after
  // it was stored without the fallback (the estimate is read again on its page).
  it('are refused while they would get nothing, and told of the fallback text once it is allowed, to the approver too', async () => {
    const writer = await openBrowser(DESKTOP);
    people.push(writer);
    const w = writer.page;
    await logIn(w, gateway.url, author);
    await w.goto(`${gateway.url}/console/announcements`);
    await w.getByRole('button', { name: 'Write an announcement' }).click();
    await w.locator('input[name=title]').fill('Marché');
    await w.locator('textarea[name=text-fr]').fill('Le marché ouvre jeudi.');
    await w.locator('select[name=area]').selectOption('mbali');
    const missing = AUDIENCE.en + AUDIENCE.ar;
    // Without the fallback the preview is refused, with the reason.
    const alert = w.locator('form [role=alert]');
    await expect.poll(() => alert.textContent().then(plain), { timeout: 10_000 }).toBe(
      `Some recipients (${missing}) speak a language with no text: add that text, or allow the fallback text.`,
    );
    await w.locator('input[name=fallback]').check();
    const estimate = w.locator('[data-testid=estimate]');
    const note = `${missing} recipients speak a language with no text: they get the French text.`;
    await expect.poll(() => estimate.locator('[data-testid=fallback-note]').textContent().then(plain), { timeout: 10_000 }).toBe(note);
    expect(await estimate.locator('[data-testid=missing]').count()).toBe(0);
    await w.getByRole('button', { name: 'Submit for approval' }).click();
    await w.locator('h1', { hasText: 'Marché' }).waitFor();
    const id = w.url().split('/').at(-1)!;

    const checker = await openBrowser(DESKTOP);
    people.push(checker);
    const a = checker.page;
    await logIn(a, gateway.url, approver);
    await a.goto(`${gateway.url}/console/announcements/${id}`);
    await expect.poll(() => a.locator('[data-testid=fallback-note]').textContent().then(plain), { timeout: 10_000 }).toBe(note);
    expect(await a.locator('[data-testid=missing]').count()).toBe(0);
    expect(await a.locator('[data-testid=audience-area]').textContent().then(plain)).toBe('Mbali');
    expect([...writer.problems, ...checker.problems]).toEqual([]);
  });
});
