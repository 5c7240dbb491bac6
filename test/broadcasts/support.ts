/** Helpers of the broadcast tests: a gateway with the capability, tokens, contacts, API calls. */
import { Command } from 'commander';
import { createToken } from '../../src/admin/tokens.js';
import { registerBroadcastCommands } from '../../src/broadcasts/cli.js';
import { broadcastsCapability, type BroadcastsOptions } from '../../src/broadcasts/index.js';
import { findOrCreateContact, stopIdentity } from '../../src/conversation/contacts.js';
import type { GatewayOptions } from '../../src/gateway.js';
import { startTestGateway, type TestGateway } from '../support/gateway.js';

export async function startBroadcastGateway(
  options: BroadcastsOptions = {},
  overrides: Record<string, string> = {},
  gatewayOptions: GatewayOptions = {},
): Promise<TestGateway> {
  return startTestGateway(overrides, {
    ...gatewayOptions,
    capabilities: [broadcastsCapability({ ...options, settings: { BROADCAST_QUIET_HOURS: '', BROADCAST_SWEEP_MS: 500, ...options.settings } })],
  });
}

export interface Tokens {
  broadcaster: string;
  approver: string;
  coordinator: string;
  analyst: string;
  /** A broadcaster and an approver limited to the North region. */
  northBroadcaster: string;
  northApprover: string;
}

export async function makeTokens(gateway: TestGateway): Promise<Tokens> {
  const make = async (role: string, areaId?: string) => (await createToken(gateway.db, { name: `${role}${areaId ? `-${areaId}` : ''}`, role, areaId })).token;
  return {
    broadcaster: await make('broadcaster'),
    approver: await make('approver'),
    coordinator: await make('coordinator'),
    analyst: await make('analyst'),
    northBroadcaster: await make('broadcaster', 'north'),
    northApprover: await make('approver', 'north'),
  };
}

export interface ApiAnswer {
  status: number;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  body: any;
}

export async function api(gateway: TestGateway, token: string, method: string, path: string, body?: unknown): Promise<ApiAnswer> {
  const response = await fetch(`${gateway.url}/api/v1${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : null };
}

export interface ContactSpec {
  address: string;
  channel?: string;
  areaId?: string | null;
  language?: string | null;
  topics?: string[];
  stopped?: boolean;
}

/** Creates a contact with an identity on a channel (console by default). */
export async function addContact(gateway: TestGateway, spec: ContactSpec): Promise<{ contactId: string; identityId: string }> {
  const ref = await findOrCreateContact(gateway.db, gateway.personalData, spec.channel ?? 'console', spec.address);
  await gateway.db.contact.update({ where: { id: ref.contactId }, data: { areaId: spec.areaId ?? null, language: spec.language ?? null } });
  for (const topic of spec.topics ?? []) await gateway.db.subscription.create({ data: { contactId: ref.contactId, topic } });
  if (spec.stopped) await stopIdentity(gateway.db, ref.identityId);
  return ref;
}

/** Creates, approves (second person) and sends a broadcast now; returns its id. */
export async function sendBroadcast(gateway: TestGateway, tokens: Tokens, body: Record<string, unknown>, at?: string): Promise<string> {
  const created = await api(gateway, tokens.broadcaster, 'POST', '/broadcasts', body);
  if (created.status !== 201) throw new Error(`create failed: ${created.status} ${JSON.stringify(created.body)}`);
  const id = created.body.broadcast.id as string;
  const approved = await api(gateway, tokens.approver, 'POST', `/broadcasts/${id}/approve`);
  if (approved.status !== 200) throw new Error(`approve failed: ${approved.status} ${JSON.stringify(approved.body)}`);
  const scheduled = await api(gateway, tokens.broadcaster, 'POST', `/broadcasts/${id}/schedule`, at ? { at } : {});
  if (scheduled.status !== 200) throw new Error(`schedule failed: ${scheduled.status} ${JSON.stringify(scheduled.body)}`);
  return id;
}

/** Texts the console mailbox holds for an address (rendered as the terminal shows them). */
/** Runs a `broadcasts ...` command of the CLI (src/broadcasts/cli.ts) on the gateway's database and queues; its printed lines. */
export async function broadcastCli(gateway: TestGateway, ...args: string[]): Promise<string[]> {
  const lines: string[] = [];
  const program = new Command('gateway').exitOverride();
  registerBroadcastCommands(program, { withDatabase: (fn) => fn(gateway.db), withQueues: (fn) => fn(gateway.queues), print: (line) => lines.push(line) });
  await program.parseAsync(['node', 'gateway', ...args]);
  return lines;
}

export async function inbox(gateway: TestGateway, address: string): Promise<string[]> {
  const entries = await gateway.console!.mailbox.take(address, 0, 0);
  return entries.map((e) => ('text' in e.message && e.message.text) || '');
}

export const SMS_ACCOUNT = 'AC00000000000000000000000000000001';
export const SMS_TOKEN = 'sms-test-token';

/** Gateway variables that enable the SMS channel against a fake API at `apiUrl`. */
export function smsEnv(apiUrl: string, messagesPerSecond = 50): Record<string, string> {
  return {
    TWILIO_ACCOUNT_SID: SMS_ACCOUNT,
    TWILIO_AUTH_TOKEN: SMS_TOKEN,
    TWILIO_FROM: '+15005550006',
    TWILIO_API_BASE: apiUrl,
    PUBLIC_URL: 'https://gateway.example.org',
    TWILIO_MESSAGES_PER_SECOND: String(messagesPerSecond),
  };
}

/** A clock that runs at the real pace from the time last `set`. */
export class TestClock {
  private offset = 0;
  set(at: Date): void {
    this.offset = at.getTime() - Date.now();
  }
  readonly now = (): Date => new Date(Date.now() + this.offset);
}
