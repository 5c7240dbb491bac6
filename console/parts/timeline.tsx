/**
 * An incident's timeline in plain language: each audit entry (incident.routed, .notified,
 * .acknowledged ...) as a sentence of the console's language with its actor and time, committees
 * by their names and policies by their translated names; a note,
 * question or answer written by a person is quoted below it.
 */
import { exists, t, when } from '../i18n.ts';

export interface TimelineEntry {
  at: string;
  actor: string;
  actorName: string;
  action: string;
  detail: Record<string, any>;
}

const level = (value: unknown) => (typeof value === 'number' ? value + 1 : '?');

/** Committee id -> its name (ids the page could not resolve are shown as they are). */
export type Names = Map<string, string>;

/**
 * A policy's name: `policy.<id>` in the console's texts, else, for the shipped policies named
 * after a severity (critical, high, medium, low), that severity's word; else the id.
 */
function policyName(id: string): string {
  return t(`policy.${id}`, { defaultValue: exists(`severity.${id}`) ? t(`severity.${id}`) : id });
}

export function sentence(entry: TimelineEntry, names: Names = new Map()): string {
  const d = entry.detail;
  const committee = (id: unknown) => names.get(String(id)) ?? String(id);
  const key = `timeline.${entry.action.replace(/^incident\./, '')}`;
  const params: Record<string, unknown> = {
    who: entry.actorName,
    level: level(d.level),
    committees: Array.isArray(d.committees) ? d.committees.map(committee).join(', ') : '',
    reached: Array.isArray(d.reached) ? d.reached.length : 0,
    committee: d.committee ? committee(d.committee) : '',
    primary: d.primary ?? d.duplicate ?? '',
    from: d.from ? t(`verification.${d.from}`) : '',
    to: d.to ? t(`verification.${d.to}`) : '',
    what: d.what ? t(`timeline.what.${d.what}`, { defaultValue: String(d.what) }) : '',
    policy: d.policy ? policyName(String(d.policy)) : '',
    reason: d.reason ?? '',
  };
  return t(key, { ...params, defaultValue: t('timeline.other', { ...params, action: entry.action }) });
}

export function Timeline({ entries, names }: { entries: TimelineEntry[]; names?: Names }) {
  return (
    <ol class="timeline">
      {entries.map((e) => (
        <li data-action={e.action}>
          <time dateTime={e.at}>{when(e.at)}</time>
          {sentence(e, names)}
          {typeof e.detail.note === 'string' && <blockquote class="muted" dir="auto">{e.detail.note}</blockquote>}
        </li>
      ))}
    </ol>
  );
}
