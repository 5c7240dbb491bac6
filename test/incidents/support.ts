/**
 * Helpers of the incidents tests: a test gateway with the incidents capability (scaled delays, a
 * movable clock), a roster of console responders, the before/after hooks most test files share,
 * and reports filed through the core's create_incident effect exactly as the report flow files them.
 */
import { Command } from 'commander';
import { afterAll, beforeAll } from 'vitest';
import type { GatewayOptions } from '../../src/gateway.js';
import { applyEffect, type EffectHandlers } from '../../src/conversation/effects.js';
import { findOrCreateContact } from '../../src/conversation/contacts.js';
import type { Db } from '../../src/db/client.js';
import { mintCaseCode } from '../../src/flow/case-code.js';
import { registerIncidentCommands } from '../../src/incidents/cli.js';
import { incidentsCapability, type IncidentsOptions } from '../../src/incidents/index.js';
import { parseRoster } from '../../src/incidents/roster-model.js';
import { applyRoster } from '../../src/incidents/rosters.js';
import { renderForTerminal } from '../../src/chat.js';
import { ConsoleUser } from '../support/console.js';
import { startTestGateway, type TestGateway } from '../support/gateway.js';
import { waitForIdle } from '../support/idle.js';

/** A clock that runs with real time from a point you choose. */
export class TestClock {
  private offset = 0;
  readonly now = () => new Date(Date.now() + this.offset);
  /** Jumps so that now() reads `at` (and runs on from there). */
  set(at: Date): void {
    this.offset = at.getTime() - Date.now();
  }
}

/** Noon in Nairobi (the demo areas' time zone), outside any quiet hours. */
export const NAIROBI_NOON = new Date('2025-03-04T09:00:00Z');

export interface IncidentGateway extends TestGateway {
  clock: TestClock;
  effects: EffectHandlers;
}

/** The incidents capability's options, plus the test gateway's environment and options. */
export type IncidentGatewayOptions = IncidentsOptions & { env?: Record<string, string>; gateway?: GatewayOptions };

export async function startIncidentGateway(options: IncidentGatewayOptions = {}): Promise<IncidentGateway> {
  const clock = new TestClock();
  clock.set(NAIROBI_NOON);
  const { env, gateway: gatewayOptions, ...capabilityOptions } = options;
  const factory = incidentsCapability({ now: clock.now, catchUpMs: 0, ...capabilityOptions });
  const gateway = await startTestGateway(env ?? {}, { ...gatewayOptions, capabilities: [factory] });
  return Object.assign(gateway, { clock });
}

/**
 * Console responders (address = id) in committees over the demo areas:
 *   kanzi (locality, north) -> kanzi-peace: kanzi-1, kanzi-2
 *   mbali: none -> falls to north; tessa: none
 *   north (region) -> north-liaison: north-1
 *   oroma (locality, river) -> oroma-peace: oroma-1
 *   river -> river-liaison: river-1
 *   lakeland (nation) -> national-desk: nat-1, human-rights-desk: hr-1
 * The two liaisons are of kind security_liaison.
 */
export const TEST_ROSTER = {
  committees: [
    { id: 'kanzi-peace', name: 'Kanzi Peace Committee', level: 'local', area: 'kanzi' },
    { id: 'oroma-peace', name: 'Oroma Peace Committee', level: 'local', area: 'oroma' },
    { id: 'north-liaison', name: 'North Liaison', level: 'regional', area: 'north', kind: 'security_liaison' },
    { id: 'river-liaison', name: 'River Liaison', level: 'regional', area: 'river', kind: 'security_liaison' },
    { id: 'national-desk', name: 'National Desk', level: 'national', area: 'lakeland' },
    { id: 'human-rights-desk', name: 'Human Rights Desk', level: 'desk', desk: 'human_rights', area: 'lakeland' },
  ],
  responders: [
    { id: 'kanzi-1', name: 'Kanzi One', language: 'en', identities: [{ channel: 'console', address: 'kanzi-1' }], committees: ['kanzi-peace'] },
    { id: 'kanzi-2', name: 'Kanzi Two', language: 'fr', identities: [{ channel: 'console', address: 'kanzi-2' }], committees: ['kanzi-peace'] },
    { id: 'north-1', name: 'North One', language: 'en', identities: [{ channel: 'console', address: 'north-1' }], committees: ['north-liaison'] },
    { id: 'oroma-1', name: 'Oroma One', language: 'en', identities: [{ channel: 'console', address: 'oroma-1' }], committees: ['oroma-peace'] },
    { id: 'river-1', name: 'River One', language: 'en', identities: [{ channel: 'console', address: 'river-1' }], committees: ['river-liaison'] },
    { id: 'nat-1', name: 'National One', language: 'en', identities: [{ channel: 'console', address: 'nat-1' }], committees: ['national-desk'] },
    { id: 'hr-1', name: 'Rights One', language: 'ar', identities: [{ channel: 'console', address: 'hr-1' }], committees: ['human-rights-desk'] },
  ],
};

/** What a helper needs of a gateway. */
export type GatewayParts = Pick<TestGateway, 'db' | 'personalData'>;

export async function seedRoster(gateway: GatewayParts, roster: unknown = TEST_ROSTER): Promise<void> {
  await applyRoster(gateway.db, gateway.personalData, parseRoster(roster), 'cli:test');
}

/** A test file's gateway: its options, and the roster to seed (TEST_ROSTER by default; null: none). */
export type SharedGatewayOptions = IncidentGatewayOptions & { roster?: unknown };

/**
 * The setup most incidents test files share, registered as the file's hooks: before all its
 * tests, one gateway started with `options` and its roster seeded, then handed to `ready` (which
 * keeps it and may prepare more); after all its tests, that gateway closes.
 */
export function useIncidentGateway(ready: (gateway: IncidentGateway) => unknown, options: SharedGatewayOptions = {}): void {
  const { roster = TEST_ROSTER, ...gatewayOptions } = options;
  let gateway: IncidentGateway | undefined;
  beforeAll(async () => {
    gateway = await startIncidentGateway(gatewayOptions);
    if (roster !== null) await seedRoster(gateway, roster);
    await ready(gateway);
  });
  afterAll(async () => {
    await gateway?.close();
  });
}

/**
 * For a file that needs a gateway per test: returns `start`, which starts one with `options` and
 * its roster seeded; every gateway it started closes after the file's tests.
 */
export function useGatewayPerTest(): (options?: SharedGatewayOptions) => Promise<IncidentGateway> {
  const started: IncidentGateway[] = [];
  afterAll(async () => {
    for (const gateway of started) await gateway.close();
  });
  return async (options = {}) => {
    const { roster = TEST_ROSTER, ...gatewayOptions } = options;
    const gateway = await startIncidentGateway(gatewayOptions);
    started.push(gateway);
    if (roster !== null) await seedRoster(gateway, roster);
    return gateway;
  };
}

export interface ReportInput {
  severity?: 'low' | 'medium' | 'high' | 'critical';
  category?: string;
  areaId?: string | null;
  /** Console address of the reporter; null files an anonymous report. */
  reporter?: string | null;
  language?: string;
  callbackAllowed?: boolean;
  description?: string;
  /** The reporter's channel (default console; the reporter's address is on it). */
  channel?: string;
  /** The case code (default: a new one). */
  caseCode?: string;
  /** When it happened, as the report flow stores it: a YYYY-MM-DD day or the reporter's words (default "today"). */
  occurredAt?: string;
}

/**
 * Files a report through the create_incident effect and runs its after-commit work (the start of
 * the escalation). `startAgain` runs that work once more, as a retried job would.
 */
export async function fileReport(
  gateway: GatewayParts & Pick<IncidentGateway, 'clock' | 'effects'>,
  input: ReportInput = {},
): Promise<{ id: string; caseCode: string; reporterContactId: string | null; startAgain: () => Promise<void> }> {
  const reporter = input.reporter === undefined ? `reporter-${Math.random().toString(36).slice(2, 8)}` : input.reporter;
  const channel = input.channel ?? 'console';
  const { contactId } = await findOrCreateContact(gateway.db, gateway.personalData, channel, reporter ?? `anon-${Math.random().toString(36).slice(2, 8)}`, input.language ?? 'en');
  const caseCode = input.caseCode ?? mintCaseCode();
  const afterCommit: (() => Promise<void>)[] = [];
  await gateway.db.$transaction(async (tx) => {
    await applyEffect(
      {
        type: 'create_incident',
        caseCode,
        category: input.category ?? 'violence',
        areaId: input.areaId === undefined ? 'kanzi' : input.areaId,
        occurredAt: input.occurredAt ?? 'today',
        affected: 12,
        severity: input.severity ?? 'critical',
        description: input.description ?? 'Two groups are fighting near the market',
        anonymous: reporter === null,
        callbackAllowed: input.callbackAllowed ?? reporter !== null,
      },
      { tx: tx as Db, now: gateway.clock.now(), contactId, channel, personalData: gateway.personalData, language: input.language ?? 'en', replies: [], afterCommit, seal: () => undefined },
      gateway.effects,
    );
  });
  for (const task of afterCommit) await task();
  const incident = await gateway.db.incident.findUniqueOrThrow({ where: { caseCode } });
  const startAgain = async () => {
    for (const task of afterCommit) await task();
  };
  return { id: incident.id, caseCode, reporterContactId: incident.reporterContactId, startAgain };
}

/** Audit entries of an incident with one action, oldest first, detail parsed. */
export async function auditOf(db: Db, incidentId: string, action: string) {
  const rows = await db.auditEntry.findMany({ where: { subjectType: 'incident', subjectId: incidentId, action }, orderBy: [{ at: 'asc' }, { id: 'asc' }] });
  return rows.map((r) => ({ ...r, detail: JSON.parse(r.detail) as Record<string, unknown> }));
}

/** The `incident.notified` steps of an incident: level, round, committees, when. */
export async function steps(db: Db, incidentId: string) {
  return (await auditOf(db, incidentId, 'incident.notified')).map((r) => ({
    level: r.detail.level as number,
    round: r.detail.round as number,
    committees: r.detail.committees as string[],
    reached: r.detail.reached as string[],
    at: r.at.getTime(),
    createdAt: r.id,
  }));
}

/**
 * Matches the notification about one incident: the code in its headline (the first line, or the
 * second after an "escalated" line), not in the "may be the same event as" line of another.
 */
export function notificationAbout(code: string): RegExp {
  return new RegExp(`^(?:[^\\n]*\\n)?[^\\n]*${code}[^\\n]*\\n[\\s\\S]*\\n\\s+1\\. `);
}

/** Waits `ms`. */
export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * A person on the console channel, reading their messages by content: `next(match)` returns the
 * first message not read yet that matches, waiting for it (other messages stay unread).
 */
export class Person {
  private readonly read = new Set<number>();
  private readonly user: ConsoleUser;
  constructor(
    private readonly gateway: TestGateway,
    readonly address: string,
  ) {
    this.user = new ConsoleUser(gateway, address);
  }

  private async unread(): Promise<{ seq: number; text: string }[]> {
    const entries = await this.gateway.console!.mailbox.take(this.address, 0, 0);
    return entries.filter((e) => !this.read.has(e.seq)).map((e) => ({ seq: e.seq, text: renderForTerminal(e.message) }));
  }

  async next(match: string | RegExp, timeoutMs = 15_000): Promise<string> {
    const test = (text: string) => (typeof match === 'string' ? text.includes(match) : match.test(text));
    const started = Date.now();
    for (;;) {
      const found = (await this.unread()).find((e) => test(e.text));
      if (found) {
        this.read.add(found.seq);
        return found.text;
      }
      if (Date.now() - started > timeoutMs) {
        throw new Error(`${this.address} got no message matching ${String(match)} in ${timeoutMs} ms; unread: ${(await this.unread()).map((e) => e.text).join(' | ')}`);
      }
      await sleep(25);
    }
  }

  /**
   * Says something and returns the reply: the next new message that is not a notification (and
   * matches `match` when given, for replies that may cross other news). Without `match`, news
   * still on its way to this person (another responder's acknowledgement) is let arrive first,
   * so it is not taken for the reply.
   */
  async ask(text: string, match?: string | RegExp, timeoutMs = 15_000): Promise<string> {
    const test = (t: string) => match === undefined || (typeof match === 'string' ? t.includes(match) : match.test(t));
    if (match === undefined) await waitForIdle(this.gateway);
    const before = new Set((await this.unread()).map((e) => e.seq));
    await this.user.say(text);
    const started = Date.now();
    for (;;) {
      const fresh = (await this.unread()).find((e) => !before.has(e.seq) && !/\n\s+1\. /.test(e.text) && test(e.text));
      if (fresh) {
        this.read.add(fresh.seq);
        return fresh.text;
      }
      if (Date.now() - started > timeoutMs) throw new Error(`${this.address} got no reply to "${text}"`);
      await sleep(25);
    }
  }

  async say(text: string): Promise<void> {
    await this.user.say(text);
  }

  /** Every message matching, read or not. */
  async all(match: string | RegExp = /./): Promise<string[]> {
    const entries = await this.gateway.console!.mailbox.take(this.address, 0, 0);
    return entries.map((e) => renderForTerminal(e.message)).filter((t) => (typeof match === 'string' ? t.includes(match) : match.test(t)));
  }
}

/** What one command line run printed (lines), wrote (raw output), and the exit code it set (0 when none). */
export interface CliRun {
  lines: string[];
  written: string;
  exitCode: number;
}

/**
 * Runs one command of the incidents capability on a program built as src/cli.ts builds it,
 * against `gateway`'s database and queues. A command that throws rejects.
 */
export async function runIncidentCli(gateway: IncidentGateway, ...args: string[]): Promise<CliRun> {
  const run: CliRun = { lines: [], written: '', exitCode: 0 };
  const root = new Command('gateway').exitOverride();
  registerIncidentCommands(root, {
    config: () => gateway.config,
    withDatabase: (fn) => fn(gateway.db),
    withQueues: (fn) => fn(gateway.queues),
    print: (line) => run.lines.push(line),
    write: (chunk) => (run.written += chunk),
  });
  process.exitCode = undefined;
  try {
    await root.parseAsync(['node', 'gateway', ...args]);
    run.exitCode = Number(process.exitCode ?? 0);
  } finally {
    process.exitCode = undefined;
  }
  return run;
}
