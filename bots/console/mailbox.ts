/**
 * The console channel's "provider": replies wait here, per address, until the chat client
 * fetches them (long polling). Memory only: the console is for trying the gateway locally.
 */
import type { OutboundMessage } from '../../src/messages.js';

export interface MailboxEntry {
  seq: number;
  message: OutboundMessage;
}

const KEEP_PER_ADDRESS = 200;

export class Mailbox {
  private seq = 0;
  private readonly boxes = new Map<string, MailboxEntry[]>();
  /** Per address, the last entry a reader has taken. */
  private readonly read = new Map<string, number>();
  private readonly waiters = new Set<() => void>();

  put(address: string, message: OutboundMessage): number {
    const entry = { seq: ++this.seq, message };
    const box = this.boxes.get(address) ?? [];
    box.push(entry);
    if (box.length > KEEP_PER_ADDRESS) box.splice(0, box.length - KEEP_PER_ADDRESS);
    this.boxes.set(address, box);
    for (const wake of this.waiters) wake();
    return entry.seq;
  }

  /**
   * Entries after `after` (after < 0: after the last entry taken, i.e. the unread ones); waits up
   * to `waitMs` for the first one when there is none yet. When `signal` aborts (the reader left),
   * the wait ends and nothing is marked taken: a chat opened later still gets what came meanwhile.
   */
  async take(address: string, after: number, waitMs: number, signal?: AbortSignal): Promise<MailboxEntry[]> {
    const from = after < 0 ? (this.read.get(address) ?? 0) : after;
    const entries = await this.wait(address, from, waitMs, signal);
    if (signal?.aborted) return [];
    const last = entries.at(-1);
    if (last) this.read.set(address, Math.max(this.read.get(address) ?? 0, last.seq));
    return entries;
  }

  private async wait(address: string, after: number, waitMs: number, signal?: AbortSignal): Promise<MailboxEntry[]> {
    const ready = () => (this.boxes.get(address) ?? []).filter((e) => e.seq > after);
    const now = ready();
    if (now.length > 0 || waitMs <= 0 || signal?.aborted) return now;
    return new Promise((resolve) => {
      const finish = () => {
        const entries = ready();
        if (entries.length === 0 && !timedOut && !signal?.aborted) return;
        clearTimeout(timer);
        this.waiters.delete(finish);
        signal?.removeEventListener('abort', finish);
        resolve(entries);
      };
      let timedOut = false;
      const timer = setTimeout(() => {
        timedOut = true;
        finish();
      }, waitMs);
      this.waiters.add(finish);
      signal?.addEventListener('abort', finish, { once: true });
    });
  }

  /** Wakes every waiting request (used at shutdown). */
  wakeAll(): void {
    for (const wake of [...this.waiters]) wake();
  }
}
