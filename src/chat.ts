/**
 * `npm run chat`: talk to the gateway's flows from a terminal, as a community member would over
 * SMS or Telegram. Messages go through the console channel's webhook, the queues and the flow
 * engine like any other channel's. If no gateway answers on PORT, one is started in this process
 * (its logs go to DATA_DIR/gateway.log).
 *
 * Type a message and Enter. `/location <lat> <lon>` shares a position, `/quit` leaves.
 * With piped input, each line waits for its replies before the next is sent (for transcripts).
 */
import { randomUUID } from 'node:crypto';
import { createWriteStream, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { CONSOLE_TOKEN_HEADER } from '../bots/console/adapter.js';
import type { MailboxEntry } from '../bots/console/mailbox.js';
import type { Config } from './config.js';
import { startGateway, type Gateway } from './gateway.js';
import { createLogger } from './logger.js';
import { withoutBidiIsolates, type OutboundMessage } from './messages.js';

export interface ChatOptions {
  /** The name of the person typing; each name is a separate contact. */
  as: string;
  /** Language hint for a new contact (en, fr, ar): its first conversation skips the language question. */
  language?: string;
}

/** Where the chat reads lines and writes replies and notices (the terminal by default). */
export interface ChatIo {
  /** Lines typed or piped; a TTY is read interactively (echo, prompt), anything else as a transcript. */
  input: NodeJS.ReadableStream & { isTTY?: boolean };
  output: NodeJS.WritableStream;
  errors: NodeJS.WritableStream;
}

const TERMINAL: ChatIo = { input: process.stdin, output: process.stdout, errors: process.stderr };

async function reachable(url: string): Promise<boolean> {
  try {
    return (await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(1000) })).ok;
  } catch {
    return false;
  }
}

export function renderForTerminal(message: OutboundMessage): string {
  switch (message.type) {
    case 'text':
      return message.text;
    case 'choice':
      return [message.text, ...message.choices.map((c, i) => `  ${i + 1}. ${c.label}`)].join('\n');
    case 'location':
      return `${message.text ?? ''} [location ${message.latitude}, ${message.longitude}]`.trim();
    case 'media':
      return `${message.caption ?? ''} [${message.url}]`.trim();
  }
}

export async function chat(config: Config, options: ChatOptions, io: ChatIo = TERMINAL): Promise<void> {
  let url = `http://127.0.0.1:${config.PORT}`;
  let gateway: Gateway | undefined;
  if (!(await reachable(url))) {
    const logFile = join(config.DATA_DIR, 'gateway.log');
    io.output.write(`No gateway on port ${config.PORT}; starting one in this process (logs: ${logFile})...\n`);
    gateway = await startGateway(config, { logger: createLogger(config.LOG_LEVEL, createWriteStream(logFile, { flags: 'a' })) });
    url = gateway.url;
  }
  const tokenFile = join(config.DATA_DIR, 'console.token');
  if (!existsSync(tokenFile)) throw new Error(`no console token at ${tokenFile}: is the console channel enabled (CONSOLE_CHANNEL=true)?`);
  const token = readFileSync(tokenFile, 'utf8').trim();
  // No kept-alive connections: the HTTP server of a gateway started here closes at once on /quit
  // (an idle kept-alive socket would hold it for the server's keep-alive timeout, 72 s).
  const headers = { 'content-type': 'application/json', connection: 'close', [CONSOLE_TOKEN_HEADER]: token };

  // First what this name was sent while no chat was open (an escalation to a responder...).
  let after = -1;
  let lastReplyAt = 0;
  let replies = 0;
  let open = true;
  // Aborted on /quit, so that the long poll does not hold the gateway's HTTP server open.
  const leaving = new AbortController();
  const poll = async () => {
    while (open) {
      try {
        const response = await fetch(`${url}/console/inbox?address=${encodeURIComponent(options.as)}&after=${after}&wait=20000`, { headers, signal: leaving.signal });
        if (!response.ok) throw new Error(`inbox answered ${response.status}`);
        const { messages } = (await response.json()) as { messages: MailboxEntry[] };
        for (const entry of messages) {
          after = Math.max(after, entry.seq);
          io.output.write(`< ${withoutBidiIsolates(renderForTerminal(entry.message)).replace(/\n/g, '\n  ')}\n`);
          lastReplyAt = Date.now();
          replies += 1;
        }
      } catch (error) {
        if (!open) return;
        io.errors.write(`(waiting for the gateway: ${(error as Error).message})\n`);
        await new Promise((r) => setTimeout(r, 1000));
      }
    }
  };
  const polling = poll();

  const send = async (line: string) => {
    const location = /^\/location\s+(-?\d+(\.\d+)?)\s+(-?\d+(\.\d+)?)$/.exec(line);
    const body = location
      ? { location: { latitude: Number(location[1]), longitude: Number(location[3]) } }
      : { text: line };
    const response = await fetch(`${url}/webhooks/console`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ id: randomUUID(), address: options.as, language: options.language, ...body }),
    });
    if (!response.ok) io.errors.write(`(the gateway refused the message: ${response.status})\n`);
  };
  /** Waits until the replies to a line have come: at least one, then a short quiet. */
  const settle = async (before: number) => {
    const started = Date.now();
    while (Date.now() - started < 15_000) {
      await new Promise((r) => setTimeout(r, 100));
      if (replies > before && Date.now() - lastReplyAt > 800) return;
    }
  };

  const interactive = io.input.isTTY === true;
  if (interactive) io.output.write(`Talking to ${url} as "${options.as}". Type a message (try "hi"); /quit to leave.\n`);
  // With the terminal as output, readline echoes what is typed as it is typed.
  const input = createInterface({ input: io.input, output: interactive ? io.output : undefined, terminal: interactive });
  for await (const raw of input) {
    const line = raw.trim();
    if (line === '/quit') break;
    if (line.length === 0) continue;
    if (!interactive) io.output.write(`> ${line}\n`);
    const before = replies;
    await send(line);
    await settle(before);
  }
  open = false;
  leaving.abort();
  input.close();
  await polling;
  if (gateway) {
    io.output.write('Stopping the gateway started for this chat...\n');
    await gateway.stop();
  }
  io.output.write('Bye.\n');
}
