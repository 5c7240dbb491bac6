/**
 * Staff users for the browser tests, made as an admin would: invited through the API, the link
 * accepted with a password and (when asked) an authenticator secret. `logIn` types the second
 * factor's current code into the login page like a person reading their app.
 */
import type { Page } from 'playwright-core';
import { expect } from 'vitest';
import { totpCode } from '../../../src/accounts/index.js';
import { createToken } from '../../../src/admin/tokens.js';
import type { TestGateway } from '../../support/gateway.js';

export interface Staff {
  username: string;
  password: string;
  secret: string | null;
}

export async function adminToken(gateway: Pick<TestGateway, 'db'>): Promise<string> {
  return (await createToken(gateway.db, { name: 'test setup', role: 'admin' })).token;
}

export async function makeStaff(gateway: TestGateway, bearer: string, username: string, role: string, options: { areaId?: string; totp?: boolean } = {}): Promise<Staff> {
  const invited = await fetch(`${gateway.url}/api/v1/users`, {
    method: 'POST',
    headers: { authorization: `Bearer ${bearer}`, 'content-type': 'application/json' },
    body: JSON.stringify({ username, role, ...(options.areaId ? { areaId: options.areaId } : {}) }),
  });
  expect(invited.status).toBe(201);
  const token = new URL(((await invited.json()) as { link: string }).link).hash.slice(1);
  const password = `a long passphrase for ${username}`;
  const accepted = await fetch(`${gateway.url}/api/v1/auth/links/accept`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ token, password, enableTotp: options.totp ?? true }),
  });
  expect(accepted.status).toBe(200);
  const body = (await accepted.json()) as { totp: { secret: string } | null };
  return { username, password, secret: body.totp?.secret ?? null };
}

/** Opens the console and logs in through its form (with the TOTP code when enrolled). */
export async function logIn(page: Page, url: string, staff: Staff): Promise<void> {
  await page.goto(`${url}/console`);
  await page.getByLabel(/username|utilisateur|اسم المستخدم/i).fill(staff.username);
  await page.locator('input[name=password]').fill(staff.password);
  if (staff.secret) await page.locator('input[name=code]').fill(totpCode(staff.secret, new Date()));
  await page.locator('form button[type=submit]').click();
  await page.locator('.who').waitFor();
}
