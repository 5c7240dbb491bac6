/**
 * An announcement written only in French and Arabic, in real Chromium on a phone: the fallback
 * language is the first one written (no English text needed), the preview works, refusals are
 * shown as sentences in the console's language and counts in its plural forms (never the API's English and status), a held
 * announcement (quiet hours) reads "held until HH:MM (quiet hours)" (and "send now" says it is held, not
 * started) and can still be cancelled,
 * and the approver sees an urgent announcement as urgent and is told who sends it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitForIdle } from '../support/idle.js';
import type { TestGateway } from '../support/gateway.js';
import { addContact, api, inbox, makeTokens, startBroadcastGateway, type Tokens } from '../broadcasts/support.js';
import { openBrowser, PHONE, screenshot, type Person, plain } from './support/browser.js';
import { adminToken, logIn, makeStaff, type Staff } from './support/staff.js';

/** A quiet-hours window around the present in Kanzi (Africa/Nairobi): from an hour ago to two hours on. */
function quietWindowNow(): string {
  const hhmm = (offsetH: number) =>
    new Intl.DateTimeFormat('en-GB', { timeZone: 'Africa/Nairobi', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(new Date(Date.now() + offsetH * 3600_000));
  return `${hhmm(-1)}-${hhmm(2)}`;
}

let gateway: TestGateway;
let tokens: Tokens;
let author: Staff;
let approver: Staff;
const people: Person[] = [];

beforeAll(async () => {
  gateway = await startBroadcastGateway({ settings: { BROADCAST_QUIET_HOURS: quietWindowNow() } });
  tokens = await makeTokens(gateway);
  for (const [n, language] of ['fr', 'fr', 'ar'].entries()) await addContact(gateway, { address: `kanzi-${n}`, areaId: 'kanzi', language });
  const admin = await adminToken(gateway);
  author = await makeStaff(gateway, admin, 'lina', 'broadcaster', { totp: false });
  approver = await makeStaff(gateway, admin, 'yusuf', 'approver', { totp: false });
});
afterAll(async () => {
  for (const person of people) await person.close();
  await gateway?.close();
});

async function open(staff: Staff): Promise<Person> {
  const person = await openBrowser(PHONE);
  people.push(person);
  await logIn(person.page, gateway.url, staff);
  return person;
}

describe('an announcement in French and Arabic only, held by quiet hours', () => {
  it('is composed without English, approved, held until quiet hours end, and cancelled', async () => {
    const writer = await open(author);
    const w = writer.page;
    await w.goto(`${gateway.url}/console/announcements`);
    await w.getByRole('button', { name: 'Write an announcement' }).click();
    await w.locator('input[name=title]').fill('Marché déplacé');
    await w.locator('textarea[name=text-fr]').fill('Le marché est déplacé à jeudi.');
    await w.locator('textarea[name=text-ar]').fill('نُقل السوق إلى يوم الخميس.');
    // The fallback language is the first one written.
    expect(await w.locator('select[name=defaultLanguage]').inputValue()).toBe('fr');
    const estimate = w.locator('[data-testid=estimate]');
    await expect.poll(() => estimate.textContent().then(plain), { timeout: 10_000 }).toContain('3 recipients');

    // A refusal is a sentence in the console's language, not the API's English with its status.
    const alert = w.locator('form [role=alert]');
    expect(await w.locator('[data-counter=fr]').textContent().then(plain)).toBe('30 characters · GSM-7 · 1 SMS segment');
    await w.locator('header select').selectOption('ar');
    // Counts take Arabic plural forms: three recipients (few), one segment (one).
    expect(await estimate.textContent().then(plain)).toContain('3 مستلمين');
    expect(await w.locator('[data-counter=ar]').textContent().then(plain)).toContain('جزء SMS واحد');
    await w.locator('input[name=channel][value=slack]').check();
    await expect.poll(() => alert.textContent().then(plain), { timeout: 10_000 }).toBe('هذه القنوات لا تعمل: slack.');
    expect(await w.locator('[data-testid=estimate]').count()).toBe(0);
    await w.locator('header select').selectOption('en');
    await w.locator('input[name=channel][value=telegram]').check();
    await expect.poll(() => alert.textContent().then(plain), { timeout: 10_000 }).toBe('These channels are not running: slack, telegram.');
    expect(await alert.textContent().then(plain)).not.toMatch(/\(\d{3}\)/);
    await w.locator('input[name=channel][value=slack]').uncheck();
    await w.locator('input[name=channel][value=telegram]').uncheck();
    await expect.poll(() => estimate.textContent().then(plain), { timeout: 10_000 }).toContain('3 recipients');

    await w.getByRole('button', { name: 'Submit for approval' }).click();
    await w.locator('h1', { hasText: 'Marché déplacé' }).waitFor();
    const id = w.url().split('/').at(-1)!;
    expect(await gateway.db.broadcast.findUniqueOrThrow({ where: { id } })).toMatchObject({ defaultLanguage: 'fr' });

    const checker = await open(approver);
    const a = checker.page;
    await a.goto(`${gateway.url}/console/announcements/${id}`);
    expect(await a.locator('[data-testid=urgent]').count()).toBe(0);
    await a.getByRole('button', { name: 'Approve' }).click();
    // The approver cannot send: the page says who does.
    await expect.poll(() => a.locator('[data-testid=decision]').textContent().then(plain)).toContain('until a broadcaster or coordinator sends it now or schedules it');

    await w.reload();
    await w.getByRole('button', { name: 'Send now' }).click();
    // The notice says what the server answered: everyone is in quiet hours, so nothing started yet.
    const notice = w.locator('p.notice[role=status]');
    await expect.poll(() => notice.textContent().then(plain), { timeout: 10_000 }).toMatch(/^Held until \d{1,2}:\d\d(\s?[AP]M)?: everyone is in quiet hours now/);
    expect(await notice.textContent()).not.toContain('Sending has started');
    const badge = w.locator('h1 .badge').first();
    await expect.poll(() => badge.textContent().then(plain), { timeout: 15_000 }).toMatch(/^held until \d{1,2}:\d\d(\s?[AP]M)? \(quiet hours\)$/);
    await expect.poll(() => w.locator('tr[data-status=queued] td.num').textContent().then(plain), { timeout: 10_000 }).toBe('3');
    await screenshot(w, 'announcement-held-phone');
    // Nothing has left: no delivery chart (it plots when messages left), a line says so.
    expect(await w.locator('[data-testid=nothing-left]').textContent().then(plain)).toBe('Nothing has gone out yet.');
    expect(await w.locator('.u-legend').count()).toBe(0);
    await w.goto(`${gateway.url}/console/announcements`);
    expect(await w.locator(`tr[data-broadcast="${id}"] .badge`).textContent().then(plain)).toMatch(/^held until/);
    await w.locator(`tr[data-broadcast="${id}"] a`).click();

    // Held messages have not gone out: cancelling stops them.
    await w.getByRole('button', { name: 'Cancel what has not gone out' }).click();
    await expect.poll(() => badge.textContent().then(plain), { timeout: 10_000 }).toBe('cancelled');
    const messages = await gateway.db.message.findMany({ where: { broadcastId: id } });
    expect(messages.map((m) => m.status)).toEqual(['cancelled', 'cancelled', 'cancelled']);
    await waitForIdle(gateway);
    for (const n of [0, 1, 2]) expect(await inbox(gateway, `kanzi-${n}`)).toEqual([]);
    expect([...writer.problems, ...checker.problems]).toEqual([]);
  });

  it('shows the approver that an announcement is urgent', async () => {
    const created = await api(gateway, tokens.broadcaster, 'POST', '/broadcasts', { title: 'Flood', texts: { ar: 'فيضان على طريق النهر.' }, defaultLanguage: 'ar', fallback: true, urgent: true });
    expect(created.status).toBe(201);
    const checker = await open(approver);
    await checker.page.goto(`${gateway.url}/console/announcements/${created.body.broadcast.id}`);
    await expect.poll(() => checker.page.locator('[data-testid=urgent]').textContent().then(plain)).toBe('Urgent: sent even in quiet hours.');
    expect(await checker.page.locator('h1 .badge-urgent').textContent().then(plain)).toBe('urgent');
  });
});
