/**
 * One incident: what was reported (never who), its escalation with a countdown to the next
 * level, its timeline in plain language, and the actions the role may take (acknowledge,
 * resolve, note, ask the reporter, verify, reassign, link) through POST /incidents/:code/<action>.
 * Read again every 5 seconds so a change made elsewhere (chat, another person) shows.
 */
import { useState } from 'preact/hooks';
import { get, post } from '../api.ts';
import { day, language, t, when } from '../i18n.ts';
import { ActionButton, Badge, ErrorLine, Loading, message, useLoad } from '../parts/common.tsx';
import { Countdown } from '../parts/countdown.tsx';
import { incidentState } from '../parts/incident-state.ts';
import { Timeline, type TimelineEntry } from '../parts/timeline.tsx';
import { can, useSession } from '../session.ts';
import { areasPath } from '../parts/area-map.tsx';
import type { PageProps } from './registry.ts';

interface Detail {
  caseCode: string;
  category: string;
  severity: string;
  status: string;
  verification: string;
  areaId: string | null;
  occurredAt: string | null;
  affected: number | null;
  description: string;
  reporter: { anonymous: boolean; canBeAsked: boolean };
  createdAt: string;
  acknowledgedAt: string | null;
  resolvedAt: string | null;
  duplicateOf: string | null;
  escalation: { policy: string; level: number; round: number; notifiedLevel: number | null; waitingFor: string | null; nextAt: string | null; exhaustedAt: string | null; assignedCommittee: string | null } | null;
  roster: { committees: { id: string; name: string; level: string }[]; responders: { id: string; name: string }[] } | null;
  timeline: TimelineEntry[];
}

/** A small form for an action with one text or choice field. */
function FieldAction(props: { label: string; field: string; fieldLabel: string; required?: boolean; options?: { value: string; label: string }[]; run: (value: string) => Promise<void> }) {
  const [busy, setBusy] = useState(false);
  return (
    <details class="action">
      <summary>{props.label}</summary>
      <form
        onSubmit={async (event) => {
          event.preventDefault();
          const form = event.target as HTMLFormElement;
          setBusy(true);
          try {
            await props.run(String(new FormData(form).get(props.field) ?? ''));
            form.reset();
            (form.parentElement as HTMLDetailsElement).open = false;
          } finally {
            setBusy(false);
          }
        }}
      >
        <label>
          {props.fieldLabel}
          {props.options ? (
            // The empty first choice keeps a required list from choosing for the user.
            <select name={props.field} required={props.required}>
              <option value="">{t('action.choose')}</option>
              {props.options.map((o) => <option value={o.value}>{o.label}</option>)}
            </select>
          ) : (
            <input name={props.field} required={props.required} maxLength={2000} />
          )}
        </label>
        <button type="submit" class="primary" disabled={busy}>{props.label}</button>
      </form>
    </details>
  );
}

export function Incident({ params }: PageProps) {
  const session = useSession();
  const code = params.code!;
  const incident = useLoad(() => get<Detail>(`/incidents/${encodeURIComponent(code)}`), [code], 5_000);
  const areas = useLoad(async () => (can(session, 'GET /areas') ? (await get<{ items: { id: string; name: string }[] }>(areasPath())).items : []), [language()]);
  const committees = useLoad(async () => (can(session, 'GET /committees') ? (await get<{ items: { id: string; name: string }[] }>('/committees')).items : []), []);
  const [outcome, setOutcome] = useState<{ ok: boolean; text: string } | null>(null);

  if (!incident.data) return incident.error ? <ErrorLine error={incident.error} /> : <Loading />;
  const i = incident.data;
  const state = incidentState(i.status, i.escalation);
  const may = (action: string) => can(session, `POST /incidents/:code/${action}`);
  const act = async (action: string, body: Record<string, unknown> = {}) => {
    try {
      const answer = await post<{ ok: boolean; result: string; params: Record<string, unknown> }>(`/incidents/${encodeURIComponent(code)}/${action}`, body);
      // The outcome in the console's words and language (never the chat command's instructions).
      setOutcome({ ok: answer.ok, text: t(`outcome.${answer.result}`, { ...answer.params, defaultValue: t(answer.ok ? 'outcome.done' : 'outcome.refused') }) });
    } catch (e) {
      setOutcome({ ok: false, text: message(e) });
    }
    await incident.reload();
  };
  const e = i.escalation;
  const taken = i.status === 'acknowledged' || i.status === 'resolved';
  const latest = (action: string) => [...i.timeline].reverse().find((entry) => entry.action === action);

  return (
    <section>
      <p><a href="/console/incidents">{t('incident.back')}</a></p>
      <h1>{t('incident.title', { code: i.caseCode })} <Badge kind={state}>{t(`state.${state}`)}</Badge></h1>
      <div class="grid two">
        <div class="stack">
          <dl class="kv card">
            <dt>{t('incidents.category')}</dt><dd>{t(`category.${i.category}`, { defaultValue: i.category })}</dd>
            <dt>{t('incidents.severity')}</dt><dd><Badge kind={i.severity}>{t(`severity.${i.severity}`)}</Badge></dd>
            <dt>{t('incidents.area')}</dt><dd>{i.areaId ? areas.data?.find((a) => a.id === i.areaId)?.name ?? i.areaId : '—'}</dd>
            <dt>{t('incident.occurred')}</dt><dd>{day(i.occurredAt)}</dd>
            <dt>{t('incident.affected')}</dt><dd>{i.affected ?? '—'}</dd>
            <dt>{t('incident.verification')}</dt><dd>{t(`verification.${i.verification}`)}</dd>
            <dt>{t('incidents.reported')}</dt><dd>{when(i.createdAt)}</dd>
            <dt>{t('incident.reporter')}</dt><dd>{i.reporter.anonymous ? t('incident.anonymous') : i.reporter.canBeAsked ? t('incident.canAsk') : t('incident.cannotAsk')}</dd>
            {i.duplicateOf && <><dt>{t('incident.duplicateOf')}</dt><dd><a href={`/console/incidents/${i.duplicateOf}`}>{i.duplicateOf}</a></dd></>}
          </dl>
          <div class="card">
            <h2>{t('incident.description')}</h2>
            <p class="break" dir="auto" data-testid="description">{i.description}</p>
          </div>
          <div class="card" aria-live="polite">
            <h2>{t('incident.escalation')}</h2>
            {!e ? <p class="muted">{t('incident.noEscalation')}</p> : (
              <ul data-testid="escalation">
                {/* Once someone acknowledged, the box says who and when: an earlier exhaustion is history (in the timeline), not an alarm. */}
                {taken ? (
                  <>
                    <li data-state="acknowledged">{t('incident.acknowledgedBy', { who: latest('incident.acknowledged')?.actorName ?? '—', at: when(i.acknowledgedAt) })}</li>
                    {i.status === 'resolved' && <li data-state="resolved">{t('incident.resolvedBy', { who: latest('incident.resolved')?.actorName ?? '—', at: when(i.resolvedAt) })}</li>}
                  </>
                ) : <li>{e.notifiedLevel === null ? t('incident.notYetNotified') : t('incident.levelNotified', { level: e.notifiedLevel + 1 })}</li>}
                {!taken && e.waitingFor === 'escalate' && e.nextAt && <li>{t('incident.nextLevelIn', { level: e.level + 1 })} <Countdown at={e.nextAt} /></li>}
                {i.status === 'acknowledged' && e.waitingFor === 'ack_timeout' && e.nextAt && <li>{t('incident.retriggerIn')} <Countdown at={e.nextAt} /></li>}
                {!taken && e.exhaustedAt && <li class="error">{t('incident.exhausted', { at: when(e.exhaustedAt) })}</li>}
                {!taken && !e.waitingFor && !e.exhaustedAt && <li>{t('incident.stopped')}</li>}
              </ul>
            )}
            {i.roster && i.roster.committees.length > 0 && <p class="small muted">{t('incident.committees', { names: i.roster.committees.map((c) => c.name).join(', ') })}</p>}
          </div>
        </div>
        <div class="stack">
          <div class="card">
            <h2>{t('incident.actions')}</h2>
            {outcome && <p class={outcome.ok ? 'notice' : 'error'} role="status">{outcome.text}</p>}
            <div class="actions">
              {may('ack') && i.status === 'open' && <ActionButton kind="primary" label={t('action.ack')} run={() => act('ack')} />}
              {may('resolve') && i.status !== 'resolved' && <FieldAction label={t('action.resolve')} field="note" fieldLabel={t('action.resolveNote')} run={(note) => act('resolve', note ? { note } : {})} />}
              {may('note') && <FieldAction label={t('action.note')} field="note" fieldLabel={t('action.noteText')} required run={(note) => act('note', { note })} />}
              {may('ask') && i.reporter.canBeAsked && <FieldAction label={t('action.ask')} field="question" fieldLabel={t('action.question')} required run={(question) => act('ask', { question })} />}
              {may('verify') && <FieldAction label={t('action.verify')} field="value" fieldLabel={t('incident.verification')} options={['verified', 'unverified', 'false'].map((v) => ({ value: v, label: t(`verification.${v}`) }))} run={(value) => act('verify', { value })} />}
              {may('reassign') && i.status !== 'resolved' && (
                <FieldAction label={t('action.reassign')} field="committee" fieldLabel={t('action.committee')} required options={committees.data?.length ? committees.data.map((c) => ({ value: c.id, label: c.name })) : undefined} run={(committee) => act('reassign', { committee })} />
              )}
              {may('link') && !i.duplicateOf && <FieldAction label={t('action.link')} field="primary" fieldLabel={t('action.primary')} required run={(primary) => act('link', { primary: primary.trim().toUpperCase() })} />}
            </div>
          </div>
          <div class="card">
            <h2>{t('incident.timeline')}</h2>
            <Timeline entries={i.timeline} names={new Map([...(committees.data ?? []), ...(i.roster?.committees ?? [])].map((c) => [c.id, c.name]))} />
          </div>
        </div>
      </div>
    </section>
  );
}
