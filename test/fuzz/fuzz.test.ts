/**
 * Fuzzing every webhook and every body-taking API route of a running gateway (real Redis, real
 * database, the provider fakes), seeded and reproducible. Properties: never a 5xx, never a
 * thrown request or an unhandled error in the process, and after every batch a consistent
 * database (harness.ts). Most webhooks are signed as the provider signs them, so the parsers
 * and the ingest run; some are unsigned, wrongly signed, stale or altered.
 *
 * In the normal suite each endpoint gets a short run on a fixed seed. `npm run test:fuzz` runs
 * FUZZ_RUNS (10,000) cases per endpoint (default here: 30). Knobs: FUZZ_RUNS, FUZZ_SEED (replay a failure with the
 * seed it names), FUZZ_ROLE (`all`: workers process what the webhooks store; `web`: HTTP and
 * ingest only), FUZZ_ONLY (a regular expression: the endpoints to run), FUZZ_REPORT (a file for the
 * per-endpoint figures as JSON; FUZZ_REPORT.lines gets one line per endpoint as it finishes).
 */
import { appendFileSync, writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createToken } from '../../src/admin/tokens.js';
import { QUEUE_NAMES } from '../../src/jobs/queues.js';
import { startTestGateway, type TestGateway } from '../support/gateway.js';
import { startProviders, type Providers } from '../support/providers.js';
import { apiCases, bodyTakingRoutes, FUZZED_ROUTES, type KnownIds } from './api.js';
import { HINTS } from './schema-arbitrary.js';
import { fuzzEndpoint, type FuzzReport } from './harness.js';
import { WEBHOOKS } from './webhooks.js';

const RUNS = Number(process.env.FUZZ_RUNS ?? 30);
const SEED = Number(process.env.FUZZ_SEED ?? 20261206);
const ROLE = process.env.FUZZ_ROLE ?? 'all';
const ONLY = process.env.FUZZ_ONLY;
/** Allowance per case for the test timeout (the slowest routes hash passwords). */
const MS_PER_CASE = 200;

let providers: Providers;
let gateway: TestGateway;
let openapi: { paths: Record<string, Record<string, { requestBody?: { content?: Record<string, { schema?: Record<string, unknown> }> } }>> };
let token: string;
const known: KnownIds = {};
const acknowledged = new Set<string>();
const reports: FuzzReport[] = [];
const crashes: unknown[] = [];
const onCrash = (error: unknown) => crashes.push(error);

/** A seed per endpoint, so adding an endpoint does not change the others' cases. */
function seedOf(endpoint: string): number {
  let hash = SEED | 0;
  for (const char of endpoint) hash = (Math.imul(hash, 31) + char.charCodeAt(0)) | 0;
  return hash;
}

async function api(method: 'GET' | 'POST', url: string, body?: unknown): Promise<{ status: number; json: any }> {
  const answer = await gateway.app!.inject({ method, url: `/api/v1${url}`, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, payload: body === undefined ? undefined : JSON.stringify(body) });
  return { status: answer.statusCode, json: answer.body ? JSON.parse(answer.body) : undefined };
}

beforeAll(async () => {
  process.on('unhandledRejection', onCrash);
  process.on('uncaughtException', onCrash);
  providers = await startProviders();
  gateway = await startTestGateway({ ...providers.env, GATEWAY_ROLE: ROLE, LOGIN_RATE_PER_MINUTE: '100000000', LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent' });
  token = (await createToken(gateway.db, { name: 'fuzz', role: 'admin' })).token;
  openapi = JSON.parse((await gateway.app!.inject({ method: 'GET', url: '/api/v1/openapi.json' })).body);
  // Things that exist, so that most cases reach past "not found".
  const committee = await api('POST', '/committees', { id: 'fuzz-committee', name: 'Fuzz committee', level: 'local', area: 'north' });
  const responder = await api('POST', '/responders', { id: 'fuzz-responder', name: 'Fuzz Responder', language: 'en', preferredChannel: 'console', identities: [{ channel: 'console', address: 'fuzz-responder' }], committees: ['fuzz-committee'] });
  const broadcast = await api('POST', '/broadcasts', { title: 'Fuzz', texts: { en: 'Road closed' }, defaultLanguage: 'en', audience: { channels: ['console'] } });
  const rumour = await api('POST', '/rumours', { text: 'the bridge is closed' });
  const user = await api('POST', '/users', { username: 'fuzz-user', role: 'analyst' });
  const surveys = await api('GET', '/surveys');
  known.id = [broadcast.json?.id, broadcast.json?.broadcast?.id, rumour.json?.rumourId, user.json?.user?.id, 'fuzz-committee', 'fuzz-responder'].filter((v): v is string => typeof v === 'string');
  for (const made of [committee, responder, broadcast, rumour, user]) expect(made.status, JSON.stringify(made.json)).toBeLessThan(300);
  known['broadcasts:id'] = [broadcast.json?.id, broadcast.json?.broadcast?.id].filter((v): v is string => typeof v === 'string');
  known['rumours:id'] = [rumour.json?.rumourId].filter((v): v is string => typeof v === 'string');
  known['users:id'] = [user.json?.user?.id].filter((v): v is string => typeof v === 'string');
  known['committees:id'] = ['fuzz-committee'];
  known.surveyId = JSON.stringify(surveys.json ?? {}).match(/"(?:id|surveyId)":"[^"]+"/g)?.map((m) => m.split('"')[3]!) ?? [];
  known.wave = ['1', '2'];
  known.queue = [QUEUE_NAMES.inbound, QUEUE_NAMES.timers, QUEUE_NAMES.outbound('sms')];
  Object.assign(HINTS, {
    area: ['north', 'kanzi', 'lakeland'],
    areaId: ['north', 'kanzi', 'river'],
    flowId: [...gateway.catalog.flows.keys()],
    responderId: ['fuzz-responder'],
    committee: ['fuzz-committee'],
    committees: ['fuzz-committee'],
    language: ['en', 'fr', 'ar'],
    defaultLanguage: ['en', 'fr'],
    channel: ['sms', 'telegram', 'slack', 'console'],
    topic: ['security', 'civic'],
    surveyId: known.surveyId,
  });
  known.code = (await gateway.db.incident.findMany({ select: { caseCode: true }, take: 5 })).map((i) => i.caseCode);
}, 120_000);

afterAll(async () => {
  process.off('unhandledRejection', onCrash);
  process.off('uncaughtException', onCrash);
  if (reports.length > 0) {
    const total = reports.reduce((sum, r) => ({ cases: sum.cases + r.cases, ms: sum.ms + r.ms }), { cases: 0, ms: 0 });
    console.log(`fuzz: ${reports.length} endpoints, ${total.cases} cases in ${(total.ms / 1000).toFixed(1)} s (seed ${SEED}, role ${ROLE})\n` + reports.map((r) => `  ${r.endpoint}: ${r.cases} cases, ${(r.ms / 1000).toFixed(1)} s, ${JSON.stringify(r.statuses)}`).join('\n'));
    if (process.env.FUZZ_REPORT) writeFileSync(process.env.FUZZ_REPORT, JSON.stringify({ seed: SEED, role: ROLE, runs: RUNS, reports }, null, 2));
  }
  await gateway?.close();
  await providers?.close();
});

describe('the fuzzed surface', () => {
  it('covers every body-taking API route of the role table and the API document', () => {
    expect(bodyTakingRoutes(openapi)).toEqual([...FUZZED_ROUTES].sort());
  });

  it('covers every webhook the enabled channels serve', () => {
    const served = [...gateway.adapters.values()].flatMap((adapter) => adapter.webhooks.map((route) => route.path)).sort();
    expect(served).toEqual(WEBHOOKS.map((entry) => entry.path).sort());
  });
});

function record(report: FuzzReport): void {
  reports.push(report);
  if (process.env.FUZZ_REPORT) appendFileSync(`${process.env.FUZZ_REPORT}.lines`, `${JSON.stringify({ seed: SEED, role: ROLE, ...report })}\n`);
}

const selected = <T extends { name: string }>(entries: T[]) => entries.filter((entry) => !ONLY || new RegExp(ONLY).test(entry.name));

const webhookRuns = selected(WEBHOOKS.map((entry) => ({ name: `POST ${entry.path}`, entry })));
const apiRuns = selected(FUZZED_ROUTES.map((key) => ({ name: key })));

describe.runIf(webhookRuns.length > 0)('fuzzed webhooks', () => {
  it.each(webhookRuns)('$name: no 5xx, nothing half-written, every acknowledged message stored', async ({ name, entry }) => {
    const report = await fuzzEndpoint({ gateway, endpoint: name, cases: entry.cases({ consoleToken: gateway.console!.token }), runs: RUNS, seed: seedOf(name), acknowledged });
    record(report);
    expect(report.cases).toBe(RUNS);
    expect(crashes).toEqual([]);
  }, 60_000 + RUNS * MS_PER_CASE);
});

describe.runIf(apiRuns.length > 0)('fuzzed API routes', () => {
  it.each(apiRuns)('$name: no 5xx, nothing half-written', async ({ name }) => {
    const [method, route] = name.split(' ') as [string, string];
    const operation = openapi.paths[route.replace(/:(\w+)/g, '{$1}')]?.[method.toLowerCase()];
    const report = await fuzzEndpoint({ gateway, endpoint: name, cases: apiCases(name, operation, known, token), runs: RUNS, seed: seedOf(name), acknowledged });
    record(report);
    expect(report.cases).toBe(RUNS);
    expect(crashes).toEqual([]);
    expect((await gateway.app!.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);
  }, 60_000 + RUNS * MS_PER_CASE);
});
