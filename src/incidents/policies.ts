/**
 * Escalation policies: which responders hear about an incident, in which order, how long each
 * level has to acknowledge, how long an acknowledgement holds before the incident re-triggers.
 * Read from a YAML file (src/incidents/policies.yaml by default) and checked with zod at boot; a
 * bad file stops the boot with an error naming the file and the field.
 */
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { z } from 'zod';
import { COMMITTEE_BODIES } from './roster-model.js';

export const SEVERITIES = ['low', 'medium', 'high', 'critical'] as const;
export type Severity = (typeof SEVERITIES)[number];

/** Committee levels in the order an incident climbs them. */
export const COMMITTEE_LEVELS = ['local', 'regional', 'national'] as const;
export type CommitteeLevel = (typeof COMMITTEE_LEVELS)[number];

/** Severities quiet hours never hold back. */
const URGENT: readonly Severity[] = ['high', 'critical'];

/** A level's target: the committee of a level for the incident's area, or a specialised desk. */
export type Target = { kind: 'level'; level: CommitteeLevel } | { kind: 'desk'; desk: string };

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** Parses `500ms`, `30s`, `10m`, `24h`, `1d` (also `1h30m`) into milliseconds. */
export function parseDuration(text: string): number | null {
  const compact = text.trim();
  if (!/^(\d+(\.\d+)?(ms|s|m|h|d))+$/.test(compact)) return null;
  let total = 0;
  for (const [, amount, unit] of compact.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h|d)/g)) total += Number(amount) * UNITS[unit!]!;
  return total;
}

const duration = z.string().transform((text, ctx) => {
  const ms = parseDuration(text);
  if (ms === null || ms <= 0) {
    ctx.addIssue({ code: 'custom', message: `"${text}" is not a duration; write e.g. 30s, 10m, 24h, 1d` });
    return z.NEVER;
  }
  return ms;
});

const clock = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, { message: 'a time of day HH:MM (24 h), e.g. 21:00' });

const target = z.string().transform((text, ctx): Target => {
  if ((COMMITTEE_LEVELS as readonly string[]).includes(text)) return { kind: 'level', level: text as CommitteeLevel };
  const desk = /^desk:([a-z0-9_]+)$/.exec(text);
  if (desk) return { kind: 'desk', desk: desk[1]! };
  ctx.addIssue({ code: 'custom', message: `unknown target "${text}"; accepted: ${COMMITTEE_LEVELS.join(', ')}, desk:<name>` });
  return z.NEVER;
});

const levelSchema = z.strictObject({
  targets: z.array(target).min(1, { message: 'a level needs at least one target' }),
  /** Time this level has to acknowledge before the next level is told. */
  delay: duration.optional(),
});

const policySchema = z
  .strictObject({
    id: z.string().regex(/^[a-z0-9_-]+$/, { message: 'letters a-z, digits, _ and -' }),
    match: z.strictObject({
      severity: z.array(z.enum(SEVERITIES, { message: `accepted: ${SEVERITIES.join(', ')}` })).min(1),
      category: z.array(z.string().min(1)).optional(),
    }),
    /** How long an acknowledgement holds without a resolution before the incident re-triggers. */
    ackTimeout: duration,
    /** Extra passes over the whole ladder when nobody acknowledged (0: climb once). */
    repeat: z.number().int().min(0).max(20).default(0),
    /** Local time window in which notifications wait (not allowed for high or critical). */
    quietHours: z.strictObject({ start: clock, end: clock }).optional(),
    levels: z.array(levelSchema).min(1, { message: 'a policy needs at least one level' }),
  })
  .superRefine((policy, ctx) => {
    policy.levels.forEach((level, index) => {
      const last = index === policy.levels.length - 1;
      if (level.delay === undefined && (!last || policy.repeat > 0)) {
        ctx.addIssue({ code: 'custom', path: ['levels', index, 'delay'], message: last ? 'the last level needs a delay when the policy repeats' : 'every level but the last needs a delay' });
      }
    });
    if (policy.quietHours && policy.match.severity.some((s) => URGENT.includes(s))) {
      ctx.addIssue({ code: 'custom', path: ['quietHours'], message: 'quiet hours do not apply to high or critical severity; remove them or split the policy' });
    }
  });


/**
 * The routing rule of one category: committees it never goes to (by kind, by committee level,
 * by id), and what a ladder step that reaches nobody does: `escalate` (default: the next level is
 * told at once) or `wait` (the next level keeps its delay and the administrators are alerted).
 */
const categoryRuleSchema = z.strictObject({
  exclude: z
    .strictObject({
      kinds: z.array(z.enum(COMMITTEE_BODIES, { message: `accepted: ${COMMITTEE_BODIES.join(', ')}` })).default([]),
      levels: z.array(z.enum(COMMITTEE_LEVELS, { message: `accepted: ${COMMITTEE_LEVELS.join(', ')}` })).default([]),
      committees: z.array(z.string().regex(/^[a-z0-9][a-z0-9-]*$/, { message: 'a committee id, e.g. north-liaison' })).default([]),
    })
    .default({ kinds: [], levels: [], committees: [] }),
  whenNobodyReached: z.enum(['escalate', 'wait'], { message: 'accepted: escalate, wait' }).default('escalate'),
});

export type CategoryRule = z.infer<typeof categoryRuleSchema>;

const fileSchema = z
  .strictObject({
    policies: z.array(policySchema).min(1),
    /** Category -> desks also told at the first level, whatever the policy. */
    desks: z.record(z.string(), z.array(z.string().regex(/^[a-z0-9_]+$/, { message: 'a desk name: a-z, 0-9, _' }))).default({}),
    duplicates: z.strictObject({ window: duration }).default({ window: 6 * 3_600_000 } as never),
    /** How long a question relayed to a reporter waits for the answer. */
    relay: z.strictObject({ expiresAfter: duration }).default({ expiresAfter: 3 * 86_400_000 } as never),
    /** Category -> routing rule (excluded committees, what a step that reaches nobody does). */
    categories: z.record(z.string().min(1), categoryRuleSchema).default({}),
    /** Who is alerted when an incident waits: the members of the desks of these names. */
    alerts: z.strictObject({ desks: z.array(z.string().regex(/^[a-z0-9_]+$/, { message: 'a desk name: a-z, 0-9, _' })).min(1) }).default({ desks: ['admins'] }),
  })
  .superRefine((file, ctx) => {
    const ids = new Set<string>();
    file.policies.forEach((policy, index) => {
      if (ids.has(policy.id)) ctx.addIssue({ code: 'custom', path: ['policies', index, 'id'], message: `duplicate policy id "${policy.id}"` });
      ids.add(policy.id);
    });
    for (const severity of SEVERITIES) {
      if (!file.policies.some((p) => p.match.severity.includes(severity) && p.match.category === undefined)) {
        ctx.addIssue({ code: 'custom', path: ['policies'], message: `no policy for severity "${severity}" without a category filter; every severity needs one` });
      }
    }
  });

export type EscalationLevel = z.infer<typeof levelSchema>;
export type Policy = z.infer<typeof policySchema>;
export type PolicyFile = z.infer<typeof fileSchema>;

/** Policies as loaded, with delays already scaled. */
export interface Policies extends PolicyFile {
  file: string;
  /** The multiplier applied to every duration (tests use e.g. 0.001). */
  scale: number;
}

export class PolicyFileError extends Error {
  constructor(
    readonly file: string,
    readonly field: string,
    detail: string,
  ) {
    super(`${file}: field "${field}": ${detail}`);
    this.name = 'PolicyFileError';
  }
}

/**
 * Reads and checks a policy file. `scale` multiplies every duration (delays, ack timeouts,
 * duplicate window, relay expiry) so tests and demos can run a day-long ladder in seconds.
 */
export function loadPolicies(file: string, scale = 1): Policies {
  let raw: unknown;
  try {
    raw = parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new PolicyFileError(file, '(file)', (error as Error).message);
  }
  const parsed = fileSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new PolicyFileError(file, issue.path.join('.') || '(root)', issue.message);
  }
  if (!(scale > 0)) throw new PolicyFileError(file, '(scale)', `the delay scale must be > 0 (got ${scale})`);
  const s = (ms: number) => Math.max(1, Math.round(ms * scale));
  const data = parsed.data;
  return {
    file,
    scale,
    desks: data.desks,
    duplicates: { window: s(data.duplicates.window) },
    relay: { expiresAfter: s(data.relay.expiresAfter) },
    categories: data.categories,
    alerts: data.alerts,
    policies: data.policies.map((p) => ({
      ...p,
      ackTimeout: s(p.ackTimeout),
      levels: p.levels.map((l) => ({ ...l, delay: l.delay === undefined ? undefined : s(l.delay) })),
    })),
  };
}

/** The first policy that matches the incident's severity (and category, when it names some). */
export function choosePolicy(policies: Policies, severity: string, category: string): Policy {
  const known = (SEVERITIES as readonly string[]).includes(severity) ? (severity as Severity) : 'medium';
  const found = policies.policies.find((p) => p.match.severity.includes(known) && (p.match.category === undefined || p.match.category.includes(category)));
  // loadPolicies guarantees a policy without category filter for every severity.
  return found!;
}

const NO_RULE: CategoryRule = { exclude: { kinds: [], levels: [], committees: [] }, whenNobodyReached: 'escalate' };

/** The routing rule of a category (none: nothing excluded, unreachable levels escalate at once). */
export function categoryRule(policies: Pick<Policies, 'categories'>, category: string): CategoryRule {
  return policies.categories[category] ?? NO_RULE;
}

/** Whether a committee may be told about (and act on) an incident of this category. */
export function committeeAllowed(policies: Pick<Policies, 'categories'>, category: string, committee: { id: string; level: string; kind: string }): boolean {
  const { exclude } = categoryRule(policies, category);
  return !(exclude.kinds as string[]).includes(committee.kind) && !(exclude.levels as string[]).includes(committee.level) && !exclude.committees.includes(committee.id);
}

export function policyById(policies: Policies, id: string): Policy | undefined {
  return policies.policies.find((p) => p.id === id);
}

/** Minutes since local midnight of an instant in a time zone. */
function localMinutes(at: Date, timeZone: string): number {
  const parts = new Intl.DateTimeFormat('en-GB', { timeZone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).formatToParts(at);
  const hour = Number(parts.find((p) => p.type === 'hour')?.value ?? 0);
  const minute = Number(parts.find((p) => p.type === 'minute')?.value ?? 0);
  return hour * 60 + minute;
}

function minutesOf(clockText: string): number {
  const [h, m] = clockText.split(':').map(Number);
  return h! * 60 + m!;
}

/**
 * When a notification due at `at` may go out: `at` itself, or the end of the policy's quiet
 * hours in the area's time zone when `at` falls inside them. High and critical never wait.
 */
export function outsideQuietHours(at: Date, policy: Policy, severity: string, timeZone: string): Date {
  const quiet = policy.quietHours;
  if (!quiet || URGENT.includes(severity as Severity)) return at;
  let zone = timeZone;
  try {
    new Intl.DateTimeFormat('en-GB', { timeZone: zone });
  } catch {
    zone = 'UTC';
  }
  const now = localMinutes(at, zone);
  const start = minutesOf(quiet.start);
  const end = minutesOf(quiet.end);
  const inside = start <= end ? now >= start && now < end : now >= start || now < end;
  if (!inside) return at;
  const wait = (end - now + 1440) % 1440;
  const shifted = new Date(at.getTime() + wait * 60_000);
  shifted.setUTCSeconds(0, 0);
  return shifted;
}
