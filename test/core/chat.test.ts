/**
 * `npm run chat` when no gateway is running: it starts its own, shows what is typed and the
 * replies, and /quit stops that gateway and returns to the shell at once, saying so.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { testEnv } from '../support/gateway.js';

const ROOT = join(import.meta.dirname, '..', '..');
/** Longer than a clean stop, far shorter than the 90 s the chat used to take. */
const QUIT_WITHIN_MS = 20_000;

const env = testEnv({ CONSOLE_CHANNEL: 'true', PORT: '0' });
afterAll(() => env.cleanup());

describe('npm run chat with its own gateway', () => {
  it('shows the typed line and the replies, and /quit stops at once with a message', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'chat', '--as', 'chat-tester'], {
      cwd: ROOT,
      env: { ...process.env, ...env.vars },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let out = '';
    let replied: () => void = () => {};
    const reply = new Promise<void>((resolve) => (replied = resolve));
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (/^< /m.test(out)) replied();
    });
    let err = '';
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
    const exited = once(child, 'exit');
    child.stdin.write('hi\n');
    await Promise.race([reply, exited]);
    expect(out, err).toMatch(/^< /m);
    expect(out).toContain('> hi');
    expect(out).not.toMatch(/[\u2066-\u2069]/);
    const quitAt = Date.now();
    child.stdin.write('/quit\n');
    const [code] = (await exited) as [number | null];
    expect(Date.now() - quitAt, out).toBeLessThan(QUIT_WITHIN_MS);
    expect(code).toBe(0);
    expect(out).toContain('Stopping the gateway started for this chat...');
    expect(out).toContain('Bye.');
  }, 90_000);
});
