/**
 * Messages of the incidents capability: which identity of a person to write to, and the texts
 * responders and reporters get. Everything goes through the outbox (deterministic keys, queued
 * after commit). Reporters only ever read case codes, never who handles their case; responders
 * never get a reporter's address.
 */
import { areaNameIn } from '../areas/names.js';
import type { Db } from '../db/client.js';
import type { Dialect } from '../db/dialect.js';
import { shownDay } from '../flow/shown-values.js';
import type { Translator } from '../i18n.js';
import type { OutboundMessage } from '../messages.js';
import { enqueueAll, writeOutbox, type QueuedMessage } from '../outbound/outbox.js';
import type { PersonalData } from '../personal-data.js';
import type { Queues } from '../jobs/queues.js';

/** Where a message to a person goes. */
export interface Reach {
  contactId: string;
  identityId: string;
  channel: string;
  language: string;
}

export interface NotifyDeps {
  personalData: PersonalData;
  dialect: Dialect;
  translator: Translator;
  queues: Queues;
  /** Channels with an adapter in this gateway. */
  channels: ReadonlySet<string>;
}

/**
 * The identity to write to: not opted out, on a channel this gateway speaks; the preferred
 * channel first, then `firstChannel`, then the oldest identity. Null when the person is
 * unreachable (opted out everywhere, or only on channels that are off).
 */
export async function reachOf(
  db: Db,
  deps: Pick<NotifyDeps, 'channels' | 'translator'>,
  contactId: string,
  prefer: (string | null | undefined)[] = [],
): Promise<Reach | null> {
  return (await reachMany(db, deps, [{ contactId, prefer }])).get(contactId) ?? null;
}

/** reachOf for several people in one query. */
export async function reachMany(
  db: Db,
  deps: Pick<NotifyDeps, 'channels' | 'translator'>,
  people: { contactId: string; prefer?: (string | null | undefined)[] }[],
): Promise<Map<string, Reach | null>> {
  const result = new Map<string, Reach | null>();
  if (people.length === 0) return result;
  const contacts = await db.contact.findMany({
    where: { id: { in: people.map((p) => p.contactId) } },
    select: { id: true, language: true, identities: { where: { stoppedAt: null }, orderBy: { createdAt: 'asc' }, select: { id: true, channel: true } } },
  });
  const byId = new Map(contacts.map((c) => [c.id, c]));
  for (const person of people) {
    const contact = byId.get(person.contactId);
    const prefer = person.prefer ?? [];
    const usable = (contact?.identities ?? []).filter((i) => deps.channels.has(i.channel));
    const chosen = [...usable].sort((a, b) => rank(a.channel, prefer) - rank(b.channel, prefer))[0];
    if (!contact || !chosen) {
      result.set(person.contactId, null);
      continue;
    }
    const language = contact.language && deps.translator.languages.includes(contact.language) ? contact.language : deps.translator.defaultLanguage;
    result.set(person.contactId, { contactId: person.contactId, identityId: chosen.id, channel: chosen.channel, language });
  }
  return result;
}

function rank(channel: string, prefer: (string | null | undefined)[]): number {
  const index = prefer.indexOf(channel);
  return index === -1 ? prefer.length : index;
}

/** Writes messages to one person's outbox inside `tx`; returns the rows to queue after commit. */
export async function writeTo(
  tx: Db,
  deps: Pick<NotifyDeps, 'personalData' | 'dialect'>,
  reach: Reach,
  causeKey: string,
  messages: OutboundMessage[],
  causeId: string,
  kind = 'notification',
): Promise<QueuedMessage[]> {
  // On Slack, an incident's later messages to a person go in the thread of the first one.
  const root =
    reach.channel === 'slack'
      ? await tx.message.findFirst({ where: { causeId, identityId: reach.identityId, direction: 'out', threadOf: null }, orderBy: { createdAt: 'asc' }, select: { id: true } })
      : null;
  return writeOutbox(
    tx,
    deps,
    { contactId: reach.contactId, identityId: reach.identityId, channel: reach.channel },
    causeKey,
    messages.map((message) => ({ message, kind, threadOf: root?.id })),
    causeId,
  );
}

export function enqueueLater(afterCommit: (() => Promise<void>)[], queues: Queues, rows: QueuedMessage[]): void {
  if (rows.length > 0) afterCommit.push(() => enqueueAll(queues, rows));
}

/** A translated label, or the raw value when the locale has none (e.g. a new category). */
export function label(translator: Translator, language: string, prefix: string, value: string): string {
  const key = `incidents:${prefix}.${value}`;
  return translator.has(language, key) || translator.has(translator.defaultLanguage, key) ? translator.t(language, key) : value;
}

/** The area of an incident that has none, as responders read it. */
export const UNKNOWN_AREA = { name: '?' } as const;

/** What a responder's notification says about an incident. */
export interface IncidentSummary {
  id: string;
  caseCode: string;
  severity: string;
  category: string;
  /** The area's gazetteer name and aliases ('?' when it has none), named in a reader's language by `areaNameIn`. */
  area: { name: string; aliases?: string };
  affected: number | null;
  occurredAt: string | null;
  /** Decrypted description. */
  description: string;
  /** Case codes of earlier reports that may be the same event. */
  possibleDuplicates: string[];
}

const DESCRIPTION_MAX = 280;

function cut(text: string, max: number): string {
  const chars = Array.from(text.trim());
  return chars.length <= max ? chars.join('') : `${chars.slice(0, max - 1).join('')}…`;
}

/**
 * The notification of one escalation step: a choice whose buttons acknowledge or resolve
 * (choice ids `ack:<code>` and `resolve:<code>`; on SMS they are numbered and the text says the
 * commands to send).
 */
export function responderNotification(
  translator: Translator,
  language: string,
  incident: IncidentSummary,
  step: { level: number; levels: number; escalated: boolean; retriggered: boolean; reassigned: boolean },
): OutboundMessage {
  const t = (key: string, params?: Record<string, string | number>) => translator.t(language, `incidents:${key}`, params);
  const lines: string[] = [];
  if (step.reassigned) lines.push(t('notify.reassigned'));
  else if (step.retriggered) lines.push(t('notify.retriggered'));
  else if (step.escalated) lines.push(t('notify.escalated', { level: step.level + 1, levels: step.levels }));
  lines.push(
    t('notify.headline', {
      severity: label(translator, language, 'severity', incident.severity),
      code: incident.caseCode,
      category: label(translator, language, 'category', incident.category),
      area: areaNameIn(incident.area, language),
    }),
  );
  if (incident.affected !== null) lines.push(t('notify.affected', { count: incident.affected }));
  if (incident.occurredAt) lines.push(t('notify.when', { when: shownDay(incident.occurredAt, language) }));
  if (incident.description.trim()) lines.push(t('notify.quote', { text: cut(incident.description, DESCRIPTION_MAX) }));
  if (incident.possibleDuplicates.length > 0) {
    lines.push(t('notify.duplicates', { codes: incident.possibleDuplicates.join(', '), code: incident.caseCode, other: incident.possibleDuplicates[0]! }));
  }
  lines.push(t('notify.commands', { code: incident.caseCode }));
  return {
    type: 'choice',
    text: lines.join('\n'),
    multiple: false,
    choices: [
      { id: `ack:${incident.caseCode}`, label: t('button.ack') },
      { id: `resolve:${incident.caseCode}`, label: t('button.resolve') },
    ],
  };
}

/**
 * A duration in a person's language, rounded to its largest unit: 45 s, 10 min, 8 h, 2.5 d
 * (keys `incidents:duration.s|min|h|d`), its number written as the language writes numbers
 * (Intl.NumberFormat: 2,5 j in French).
 */
export function duration(translator: Translator, language: string, ms: number): string {
  const digits = new Intl.NumberFormat(language, { maximumFractionDigits: 1 });
  const t = (unit: string, n: number) => translator.t(language, `incidents:duration.${unit}`, { n: digits.format(n) });
  if (ms < 60_000) return t('s', Math.max(1, Math.round(ms / 1000)));
  if (ms < 3_600_000) return t('min', Math.round(ms / 60_000));
  if (ms < 2 * 86_400_000) return t('h', Math.round((ms / 3_600_000) * 10) / 10);
  return t('d', Math.round((ms / 86_400_000) * 10) / 10);
}

/**
 * An action's outcome (`key` under incidents:, with `params`) in a reader's language: a parameter
 * `fooMs` (a duration in ms) is given to the text as `foo`, as `duration` writes it.
 */
export function outcomeText(translator: Translator, language: string, outcome: { key: string; params: Record<string, string | number> }): string {
  const params: Record<string, string | number> = {};
  for (const [name, value] of Object.entries(outcome.params)) {
    if (name.endsWith('Ms') && typeof value === 'number') params[name.slice(0, -2)] = duration(translator, language, value);
    else params[name] = value;
  }
  return translator.t(language, `incidents:${outcome.key}`, params);
}

/** A plain text in a person's language. */
export function text(translator: Translator, language: string, key: string, params?: Record<string, string | number>): OutboundMessage {
  return { type: 'text', text: translator.t(language, `incidents:${key}`, params) };
}
