/**
 * Headless Chromium from Debian (/usr/bin/chromium) driven by playwright-core: one browser
 * profile per person (a fresh user-data-dir, so each has its own cookies), screenshots under
 * test-results/, and the bytes a page load transferred.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

export const CHROMIUM = process.env.CHROMIUM_BIN ?? '/usr/bin/chromium';
export const PHONE = { width: 360, height: 740 };
export const DESKTOP = { width: 1280, height: 800 };
const SHOTS = join(import.meta.dirname, '..', '..', '..', 'test-results');

export interface Person {
  context: BrowserContext;
  page: Page;
  /** Content-Security-Policy refusals and uncaught script errors seen in any of its pages. */
  problems: string[];
  close(): Promise<void>;
}

/** A browser of its own (fresh profile) at `viewport`, with one page open. */
export async function openBrowser(viewport = DESKTOP): Promise<Person> {
  const profile = mkdtempSync(join(tmpdir(), 'console-browser-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    viewport,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  const page = context.pages()[0] ?? (await context.newPage());
  const problems: string[] = [];
  context.on('console', (message) => {
    if (/Content.Security.Policy/i.test(message.text())) problems.push(message.text());
  });
  context.on('weberror', (error) => problems.push(error.error().message));
  return {
    context,
    page,
    problems,
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** Saves a full-page screenshot as test-results/<name>.png. */
export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
}

/**
 * Loads `url` in a fresh page and answers what went over the wire: the sum over every response
 * of its headers and its body as transferred (compressed when it was), and the requests made.
 */
export async function measureLoad(context: BrowserContext, url: string, ready: (page: Page) => Promise<unknown>): Promise<{ bytes: number; urls: string[]; encodings: Record<string, string | undefined> }> {
  const page = await context.newPage();
  const finished: Promise<void>[] = [];
  let bytes = 0;
  const urls: string[] = [];
  const encodings: Record<string, string | undefined> = {};
  page.on('requestfinished', (request) => {
    finished.push(
      (async () => {
        const sizes = await request.sizes();
        const response = await request.response();
        bytes += sizes.responseBodySize + sizes.responseHeadersSize;
        urls.push(request.url());
        encodings[new URL(request.url()).pathname] = response ? (await response.allHeaders())['content-encoding'] : undefined;
      })(),
    );
  });
  await page.goto(url, { waitUntil: 'load' });
  await ready(page);
  await page.waitForLoadState('networkidle');
  await Promise.all(finished);
  await page.close();
  return { bytes, urls, encodings };
}

/**
 * Text as a person reads it: without the bidirectional isolates (U+2066-U+2069) the console puts
 * around every value in a sentence (they change how text is ordered on screen, not what it says).
 */
export function plain(text: string | null): string | null {
  return text === null ? null : text.replace(/[\u2066-\u2069]/g, '');
}
