/**
 * `npm run chat` options, with `chat()` called in this process on piped lines (what the command
 * runs after parsing its options): `--as` names the contact (each name its own conversation, and
 * what a name was sent while no chat was open is shown), `--language` is the language of a
 * new contact, a running gateway is used rather than a second one started, and when none runs the
 * chat starts its own, logs it to DATA_DIR/gateway.log and stops it when the input ends.
 * test/core/chat.test.ts runs the command itself in a child process (echo, /quit).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chat, type ChatOptions } from '../../src/chat.js';
import { loadConfig } from '../../src/gateway.js';
import { ConsoleUser } from '../support/console.js';
import { startTestGateway, testEnv, type TestGateway } from '../support/gateway.js';
import { waitForIdle } from '../support/idle.js';

/** Runs a chat on `lines` piped in; what it printed (replies and notices) and wrote as errors. */
async function chatWith(vars: Record<string, string>, options: ChatOptions, lines: string[]): Promise<{ out: string; err: string }> {
  const output = new PassThrough();
  const errors = new PassThrough();
  let out = '';
  let err = '';
  output.on('data', (chunk: Buffer) => (out += chunk.toString()));
  errors.on('data', (chunk: Buffer) => (err += chunk.toString()));
  await chat(loadConfig(vars), options, { input: Readable.from(lines.map((line) => `${line}\n`)), output, errors });
  return { out, err };
}

/** The reply lines of a chat's output (`< ...`), without the lines that continue them. */
function replies(out: string): string[] {
  return out.split('\n').filter((line) => line.startsWith('< ')).map((line) => line.slice(2));
}

describe('chat with a gateway running', () => {
  let gateway: TestGateway;
  let vars: Record<string, string>;
  beforeAll(async () => {
    gateway = await startTestGateway({ CONSOLE_CHANNEL: 'true' });
    // The same data folder (the console token) and the port the running gateway listens on.
    vars = { ...gateway.env.vars, PORT: new URL(gateway.url).port };
  });
  afterAll(async () => {
    await gateway?.close();
  });

  it('talks to that gateway instead of starting one; --language fr gives a new contact French (the home-area offer, then the menu)', async () => {
    const { out, err } = await chatWith(vars, { as: 'amina', language: 'fr' }, ['bonjour']);
    expect(err).toBe('');
    expect(out).not.toContain('No gateway on port');
    expect(out).not.toContain('Stopping the gateway');
    expect(out).toContain('> bonjour');
    expect(replies(out)[0]).toMatch(/^Dites-nous où vous habitez/);
    // The contact is the running gateway's, with the language given.
    const identity = await gateway.db.contactIdentity.findUniqueOrThrow({
      where: { channel_addressHash: { channel: 'console', addressHash: gateway.personalData.hash('console', 'amina') } },
      include: { contact: true },
    });
    expect(identity.contact.language).toBe('fr');
  });

  it('--as keeps each name a contact of its own, and shows a name what it was sent while no chat was open', async () => {
    const baraka = await chatWith(vars, { as: 'baraka' }, ['hi']);
    // No language given: a new contact is asked for one.
    expect(baraka.out).toMatch(/1\. English/);
    expect(replies(baraka.out)[0]).not.toMatch(/^Bonjour/);

    // Something reaches amina while no chat is open (here the reply to a message from her), then
    // her chat shows it, and the answer to her new line, still in French.
    expect(await new ConsoleUser(gateway, 'amina').say('menu')).toBe(200);
    await waitForIdle(gateway);
    const amina = await chatWith(vars, { as: 'amina' }, ['menu']);
    const menus = replies(amina.out).filter((reply) => /^Bonjour/.test(reply));
    expect(menus).toHaveLength(2);
    expect(amina.out).toContain('> menu');
    expect(amina.out).not.toMatch(/1\. English/);
    const contacts = await gateway.db.contactIdentity.count({ where: { channel: 'console' } });
    expect(contacts).toBe(2);
  });
});

describe('chat with no gateway running', () => {
  const env = testEnv({ CONSOLE_CHANNEL: 'true', PORT: '0', LOG_LEVEL: 'info' });
  afterAll(() => env.cleanup());

  it('starts one in this process, logs it to DATA_DIR/gateway.log, answers, and stops it when the input ends', async () => {
    const { out, err } = await chatWith(env.vars, { as: 'solo', language: 'en' }, ['hi']);
    expect(err).toBe('');
    const logFile = join(env.dataDir, 'gateway.log');
    expect(out).toContain(`No gateway on port 0; starting one in this process (logs: ${logFile})...`);
    expect(replies(out)[0]).toMatch(/^Tell us where you live/);
    expect(out).toContain('Stopping the gateway started for this chat...');
    expect(out.trimEnd().endsWith('Bye.')).toBe(true);
    expect(existsSync(logFile)).toBe(true);
    const logged = readFileSync(logFile, 'utf8').trim().split('\n').map((line) => JSON.parse(line) as { msg?: string });
    expect(logged.length).toBeGreaterThan(0);
    // Nothing the person typed or was sent reaches the log.
    expect(readFileSync(logFile, 'utf8')).not.toContain('What would you like to do');
  });
});
