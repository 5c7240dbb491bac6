/** Talks to a test gateway through the console channel, as `npm run chat` does. */
import { randomUUID } from 'node:crypto';
import type { MailboxEntry } from '../../bots/console/mailbox.js';
import { renderForTerminal } from '../../src/chat.js';
import type { Gateway } from '../../src/gateway.js';

export class ConsoleUser {
  private after = 0;
  constructor(
    private readonly gateway: Gateway,
    readonly address: string,
  ) {}

  private headers() {
    return { 'content-type': 'application/json', 'x-console-token': this.gateway.console!.token };
  }

  /** Posts a message; returns the HTTP status. `id` defaults to a new one (set it to repeat a delivery). */
  async say(text: string, id: string = randomUUID()): Promise<number> {
    const response = await fetch(`${this.gateway.url}/webhooks/console`, {
      method: 'POST',
      headers: this.headers(),
      body: JSON.stringify({ id, address: this.address, text }),
    });
    return response.status;
  }

  /** Replies after the last one read; waits until `count` have come (rendered as the terminal shows them). */
  async replies(count = 1, timeoutMs = 10_000): Promise<string[]> {
    const got: MailboxEntry[] = [];
    const started = Date.now();
    while (got.length < count && Date.now() - started < timeoutMs) {
      const wait = Math.max(0, Math.min(2000, timeoutMs - (Date.now() - started)));
      const response = await fetch(`${this.gateway.url}/console/inbox?address=${encodeURIComponent(this.address)}&after=${this.after}&wait=${wait}`, { headers: this.headers() });
      const { messages } = (await response.json()) as { messages: MailboxEntry[] };
      for (const entry of messages) {
        got.push(entry);
        this.after = Math.max(this.after, entry.seq);
      }
    }
    if (got.length < count) throw new Error(`expected ${count} replies, got ${got.length}: ${got.map((e) => renderForTerminal(e.message)).join(' | ')}`);
    return got.map((e) => renderForTerminal(e.message));
  }

  /** Replies after the last one read that have come already (no wait); marks them read. */
  async unread(): Promise<string[]> {
    const response = await fetch(`${this.gateway.url}/console/inbox?address=${encodeURIComponent(this.address)}&after=${this.after}&wait=0`, { headers: this.headers() });
    const { messages } = (await response.json()) as { messages: MailboxEntry[] };
    for (const entry of messages) this.after = Math.max(this.after, entry.seq);
    return messages.map((e) => renderForTerminal(e.message));
  }

  /** Says something and returns the next reply. */
  async ask(text: string): Promise<string> {
    await this.say(text);
    return (await this.replies(1))[0]!;
  }
}
