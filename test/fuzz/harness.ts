/**
 * The fuzz harness: feeds seeded fast-check cases to a running gateway (through Fastify's
 * inject: the whole HTTP stack without sockets) and checks after every case that the answer is
 * not a 5xx, and after every batch that the database holds no half-written record: no row
 * pointing at a missing row, every inbound message linked to its contact and identity, every
 * contact with an identity, and every well-formed message that was answered 200 stored under its
 * dedupe key. Failures name the seed and path to replay (fast-check's `seed` and `path`).
 */
import fc from 'fast-check';
import type { Gateway } from '../../src/gateway.js';
import type { FuzzCase } from './webhooks.js';

/** Cases per batch between two database checks. */
const BATCH = 250;

/** Rows that must not exist: each query counts one kind of broken linkage. */
const BROKEN: Record<string, string> = {
  'message without its identity': `SELECT COUNT(*) AS n FROM "Message" m WHERE m."identityId" IS NOT NULL AND NOT EXISTS (SELECT 1 FROM "ContactIdentity" i WHERE i.id = m."identityId")`,
  'message without its contact': `SELECT COUNT(*) AS n FROM "Message" m WHERE m."contactId" IS NOT NULL AND NOT EXISTS (SELECT 1 FROM "Contact" c WHERE c.id = m."contactId")`,
  'inbound message not linked to a person': `SELECT COUNT(*) AS n FROM "Message" m WHERE m.direction = 'in' AND m.status = 'received' AND (m."contactId" IS NULL OR m."identityId" IS NULL)`,
  'identity without its contact': `SELECT COUNT(*) AS n FROM "ContactIdentity" i WHERE NOT EXISTS (SELECT 1 FROM "Contact" c WHERE c.id = i."contactId")`,
  'contact without an identity': `SELECT COUNT(*) AS n FROM "Contact" c WHERE NOT EXISTS (SELECT 1 FROM "ContactIdentity" i WHERE i."contactId" = c.id)`,
  'session without its contact': `SELECT COUNT(*) AS n FROM "Session" s WHERE NOT EXISTS (SELECT 1 FROM "Contact" c WHERE c.id = s."contactId")`,
  'committee member without committee or responder': `SELECT COUNT(*) AS n FROM "CommitteeMember" cm WHERE NOT EXISTS (SELECT 1 FROM "Committee" c WHERE c.id = cm."committeeId") OR NOT EXISTS (SELECT 1 FROM "Responder" r WHERE r.id = cm."responderId")`,
  'responder without its contact': `SELECT COUNT(*) AS n FROM "Responder" r WHERE NOT EXISTS (SELECT 1 FROM "Contact" c WHERE c.id = r."contactId")`,
  'broadcast message without its broadcast': `SELECT COUNT(*) AS n FROM "Message" m WHERE m."broadcastId" IS NOT NULL AND NOT EXISTS (SELECT 1 FROM "Broadcast" b WHERE b.id = m."broadcastId")`,
  'rumour report of a missing rumour': `SELECT COUNT(*) AS n FROM "RumourReport" r WHERE r."rumourId" IS NOT NULL AND NOT EXISTS (SELECT 1 FROM "Rumour" x WHERE x.id = r."rumourId")`,
};

/** Throws naming every broken linkage found, and every acknowledged message not stored. */
export async function checkConsistency(gateway: Pick<Gateway, 'db'>, acknowledged: Set<string>): Promise<void> {
  const problems: string[] = [];
  for (const [what, sql] of Object.entries(BROKEN)) {
    const [row] = await gateway.db.$queryRawUnsafe<{ n: number | bigint }[]>(sql);
    if (Number(row?.n ?? 0) > 0) problems.push(`${Number(row!.n)} ${what}`);
  }
  const keys = [...acknowledged];
  for (let i = 0; i < keys.length; i += 500) {
    const slice = keys.slice(i, i + 500);
    const found = await gateway.db.message.findMany({ where: { dedupeKey: { in: slice } }, select: { dedupeKey: true } });
    if (found.length !== slice.length) {
      const stored = new Set(found.map((m) => m.dedupeKey));
      problems.push(`${slice.length - found.length} acknowledged messages not stored (e.g. ${slice.find((k) => !stored.has(k))})`);
    }
  }
  if (problems.length > 0) throw new Error(`inconsistent database: ${problems.join('; ')}`);
}

/** What one endpoint's run gave. */
export interface FuzzReport {
  endpoint: string;
  cases: number;
  ms: number;
  /** Answers by status code. */
  statuses: Record<number, number>;
}

export interface FuzzRun {
  gateway: Gateway;
  endpoint: string;
  cases: fc.Arbitrary<FuzzCase>;
  runs: number;
  seed: number;
  /** Dedupe keys of messages answered 200 so far (shared across endpoints of one gateway). */
  acknowledged: Set<string>;
}

let addressCounter = 0;

/**
 * Runs `runs` cases of one endpoint. Throws (through fast-check, with the seed and the failing
 * case) on a 5xx, a thrown request, or an inconsistent database after a batch.
 */
export async function fuzzEndpoint(run: FuzzRun): Promise<FuzzReport> {
  const app = run.gateway.app;
  if (!app) throw new Error('the gateway serves no HTTP');
  const statuses: Record<number, number> = {};
  let cases = 0;
  const started = performance.now();
  await fc.assert(
    fc.asyncProperty(run.cases, async ({ request, storesKey }) => {
      addressCounter += 1;
      // A different client address each time: a per-address limit must not hide the parser.
      const remoteAddress = `10.${(addressCounter >> 16) & 255}.${(addressCounter >> 8) & 255}.${addressCounter & 255}`;
      const answer = await app.inject({ method: request.method, url: request.url, headers: request.headers, payload: request.payload, remoteAddress });
      statuses[answer.statusCode] = (statuses[answer.statusCode] ?? 0) + 1;
      cases += 1;
      if (answer.statusCode >= 500) throw new Error(`${request.method} ${request.url} answered ${answer.statusCode}: ${answer.body.slice(0, 300)}`);
      if (storesKey && answer.statusCode === 200) run.acknowledged.add(storesKey);
      if (cases % BATCH === 0) await checkConsistency(run.gateway, run.acknowledged);
    }),
    { numRuns: run.runs, seed: run.seed, endOnFailure: true },
  );
  await checkConsistency(run.gateway, run.acknowledged);
  return { endpoint: run.endpoint, cases, ms: Math.round(performance.now() - started), statuses };
}
