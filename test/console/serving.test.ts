/**
 * The console's pages as the gateway serves them, without a browser: the page at /console and
 * below it (deep links, invitation links), assets in the encoding the client accepts, a clear 503
 * when the console was never built, and the channel route /console/inbox left to its channel.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync, gzipSync, brotliCompressSync } from 'node:zlib';
import { get } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accepts, consoleCapability } from '../../src/console/index.js';
import { startTestGateway, type TestGateway } from '../support/gateway.js';

/** A GET that keeps the body as sent (fetch would decompress it). */
function raw(url: string, headers: Record<string, string>): Promise<{ headers: Record<string, string | string[] | undefined>; body: Buffer }> {
  return new Promise((resolve, reject) => {
    get(url, { headers }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (c: Buffer) => chunks.push(c));
      response.on('end', () => resolve({ headers: response.headers, body: Buffer.concat(chunks) }));
    }).on('error', reject);
  });
}

const built = mkdtempSync(join(tmpdir(), 'console-built-'));
const PAGE = '<!doctype html><html><head><script src="/console/assets/app-ABC.js" defer></script></head><body></body></html>';
const SCRIPT = 'console.log("the console");'.repeat(50);
let gateway: TestGateway;
let unbuilt: TestGateway;
beforeAll(async () => {
  mkdirSync(join(built, 'assets'));
  writeFileSync(join(built, 'index.html'), PAGE);
  writeFileSync(join(built, 'assets', 'app-ABC.js'), SCRIPT);
  writeFileSync(join(built, 'assets', 'app-ABC.js.gz'), gzipSync(SCRIPT));
  writeFileSync(join(built, 'assets', 'app-ABC.js.br'), brotliCompressSync(SCRIPT));
  gateway = await startTestGateway({ CONSOLE_CHANNEL: 'true' }, { capabilities: [consoleCapability({ dir: built })] });
  unbuilt = await startTestGateway({}, { capabilities: [consoleCapability({ dir: join(built, 'nothing-here') })] });
});
afterAll(async () => {
  await gateway?.close();
  await unbuilt?.close();
  rmSync(built, { recursive: true, force: true });
});

describe('serving the console', () => {
  it('answers the page at /console and every path below it, revalidated each time', async () => {
    for (const path of ['/console', '/console/incidents/R-ABC123', '/console/link']) {
      const response = await fetch(`${gateway.url}${path}`);
      expect(response.status, path).toBe(200);
      expect(response.headers.get('content-type')).toMatch(/^text\/html/);
      expect(response.headers.get('cache-control')).toBe('no-cache');
      expect(await response.text()).toBe(PAGE);
    }
    // The strict CSP of the server applies to the console too.
    const csp = (await fetch(`${gateway.url}/console`)).headers.get('content-security-policy')!;
    expect(csp).toContain("script-src 'self'");
  });

  it('sends assets compressed as the client accepts, cached for good under their hashed names', async () => {
    const gz = await raw(`${gateway.url}/console/assets/app-ABC.js`, { 'accept-encoding': 'gzip' });
    expect(gz.headers['content-encoding']).toBe('gzip');
    expect(gz.headers.vary).toMatch(/accept-encoding/i);
    expect(gz.headers['cache-control']).toContain('immutable');
    expect(gz.body.length).toBeLessThan(SCRIPT.length / 5);
    expect(gunzipSync(gz.body).toString()).toBe(SCRIPT);
    const br = await fetch(`${gateway.url}/console/assets/app-ABC.js`, { headers: { 'accept-encoding': 'gzip, br' } });
    expect(br.headers.get('content-encoding')).toBe('br');
    expect(await br.text()).toBe(SCRIPT);
    const plain = await fetch(`${gateway.url}/console/assets/app-ABC.js`, { headers: { 'accept-encoding': 'identity' } });
    expect(plain.headers.get('content-encoding')).toBeNull();
    expect(await plain.text()).toBe(SCRIPT);
    expect((await fetch(`${gateway.url}/console/assets/nothing.js`)).status).toBe(404);
    expect((await fetch(`${gateway.url}/console/assets/..%2F..%2Fpackage.json`)).status).toBe(404);
  });

  it('reads q=0 in Accept-Encoding as a refusal', () => {
    expect(accepts('gzip;q=0, br', 'gzip')).toBe(false);
    expect(accepts('gzip;q=0, br', 'br')).toBe(true);
    expect(accepts('*', 'br')).toBe(true);
    expect(accepts(undefined, 'gzip')).toBe(false);
  });

  it('leaves /console/inbox to the console chat channel', async () => {
    const response = await fetch(`${gateway.url}/console/inbox?address=someone`);
    expect(response.headers.get('content-type') ?? '').not.toMatch(/^text\/html/);
  });

  it('answers 503 naming the build command when the console was never built', async () => {
    const response = await fetch(`${unbuilt.url}/console`);
    expect(response.status).toBe(503);
    expect(await response.text()).toContain('npm run build');
  });
});
