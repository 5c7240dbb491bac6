/**
 * An incident's timeline in plain language: each audit entry (incident.routed, .notified,
 * .acknowledged ...) as a sentence of the console's language with its actor and time; a note,
 * question or answer written by a person is quoted below it.
 */
import { t, when } from '../i18n.ts';

export interface TimelineEntry {
  at: string;
  actor: string;
  actorName: string;
  action: string;
  detail: Record<string, any>;
}

const level = (value: unknown) => (typeof value === 'number' ? value + 1 : '?');

export function sentence(entry: TimelineEntry): string {
  const d = entry.detail;
  const key = `timeline.${entry.action.replace(/^incident\./, '')}`;
  const params: Record<string, unknown> = {
    who: entry.actorName,
    level: level(d.level),
    committees: Array.isArray(d.committees) ? d.committees.join(', ') : '',
    reached: Array.isArray(d.reached) ? d.reached.length : 0,
    committee: d.committee ?? '',
    primary: d.primary ?? d.duplicate ?? '',
    from: d.from ? t(`verification.${d.from}`) : '',
    to: d.to ? t(`verification.${d.to}`) : '',
    what: d.what ? t(`timeline.what.${d.what}`, { defaultValue: String(d.what) }) : '',
    policy: d.policy ?? '',
    reason: d.reason ?? '',
  };
  return t(key, { ...params, defaultValue: t('timeline.other', { ...params, action: entry.action }) });
}

export function Timeline({ entries }: { entries: TimelineEntry[] }) {
  return (
    <ol class="timeline">
      {entries.map((e) => (
        <li data-action={e.action}>
          <time dateTime={e.at}>{when(e.at)}</time>
          {sentence(e)}
          {typeof e.detail.note === 'string' && <blockquote class="muted">{e.detail.note}</blockquote>}
        </li>
      ))}
    </ol>
  );
}
