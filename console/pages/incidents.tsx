/**
 * Incidents: the live list (polled every 5 seconds through GET /incidents, so it stays current
 * without a reload and without a connection held open), filters by area, category, severity and
 * state, and a map of the open ones by area drawn from the gazetteer's points.
 */
import { useMemo, useState } from 'preact/hooks';
import { get, query } from '../api.ts';
import { language, t, when } from '../i18n.ts';
import { AreaMap, areasPath, type MapArea } from '../parts/area-map.tsx';
import { Badge, ErrorLine, Loading, useLoad } from '../parts/common.tsx';
import { CATEGORIES, incidentState, SEVERITIES, STATES, type EscalationSummary, type IncidentState } from '../parts/incident-state.ts';

/** How often the list is read again (ms). */
export const POLL_MS = 5_000;

interface Item {
  caseCode: string;
  category: string;
  severity: string;
  status: string;
  verification: string;
  areaId: string | null;
  createdAt: string;
  escalation: EscalationSummary | null;
}

export function Incidents() {
  const [area, setArea] = useState('');
  const [category, setCategory] = useState('');
  const [severity, setSeverity] = useState('');
  const [state, setState] = useState<'' | IncidentState>('');
  const areas = useLoad(() => get<{ items: MapArea[] }>(areasPath()), [language()]);
  const status = state === 'new' || state === 'escalating' ? 'open' : state;
  const list = useLoad(() => get<{ items: Item[] }>(`/incidents${query({ area, category, severity, status, limit: 200 })}`), [area, category, severity, status], POLL_MS);

  const names = useMemo(() => new Map((areas.data?.items ?? []).map((a) => [a.id, a.name])), [areas.data]);
  const items = (list.data?.items ?? []).map((i) => ({ ...i, state: incidentState(i.status, i.escalation) })).filter((i) => !state || i.state === state);
  const counts = useMemo(() => {
    const out: Record<string, number> = {};
    for (const i of items) if (i.areaId && i.state !== 'resolved') out[i.areaId] = (out[i.areaId] ?? 0) + 1;
    return out;
  }, [list.data, state]);

  return (
    <section>
      <h1>{t('incidents.title')}</h1>
      <form class="filters" onSubmit={(e) => e.preventDefault()} aria-label={t('common.filters')}>
        <label>{t('incidents.area')}
          <select name="area" value={area} onChange={(e) => setArea((e.target as HTMLSelectElement).value)}>
            <option value="">{t('common.all')}</option>
            {(areas.data?.items ?? []).map((a) => <option value={a.id}>{a.name}</option>)}
          </select>
        </label>
        <label>{t('incidents.category')}
          <select name="category" value={category} onChange={(e) => setCategory((e.target as HTMLSelectElement).value)}>
            <option value="">{t('common.all')}</option>
            {CATEGORIES.map((c) => <option value={c}>{t(`category.${c}`)}</option>)}
          </select>
        </label>
        <label>{t('incidents.severity')}
          <select name="severity" value={severity} onChange={(e) => setSeverity((e.target as HTMLSelectElement).value)}>
            <option value="">{t('common.all')}</option>
            {SEVERITIES.map((s) => <option value={s}>{t(`severity.${s}`)}</option>)}
          </select>
        </label>
        <label>{t('incidents.state')}
          <select name="state" value={state} onChange={(e) => setState((e.target as HTMLSelectElement).value as IncidentState)}>
            <option value="">{t('common.all')}</option>
            {STATES.map((s) => <option value={s}>{t(`state.${s}`)}</option>)}
          </select>
        </label>
      </form>
      <ErrorLine error={list.error ?? areas.error} />
      <div class="grid two">
        <div>
          {!list.data ? <Loading /> : items.length === 0 ? <p class="muted">{t('incidents.none')}</p> : (
            <div class="table-wrap">
              <table class="cards" aria-live="polite" aria-describedby="live-note">
                <thead><tr><th>{t('incidents.caseCode')}</th><th>{t('incidents.state')}</th><th>{t('incidents.severity')}</th><th>{t('incidents.category')}</th><th>{t('incidents.area')}</th><th>{t('incidents.reported')}</th></tr></thead>
                <tbody>
                  {items.map((i) => (
                    <tr data-case={i.caseCode}>
                      <td data-label={t('incidents.caseCode')}><a class="code" href={`/console/incidents/${encodeURIComponent(i.caseCode)}`}>{i.caseCode}</a></td>
                      <td data-label={t('incidents.state')}><Badge kind={i.state}>{t(`state.${i.state}`)}</Badge></td>
                      <td data-label={t('incidents.severity')}><Badge kind={i.severity}>{t(`severity.${i.severity}`)}</Badge></td>
                      <td data-label={t('incidents.category')}>{t(`category.${i.category}`, { defaultValue: i.category })}</td>
                      <td data-label={t('incidents.area')}>{i.areaId ? names.get(i.areaId) ?? i.areaId : '—'}</td>
                      <td data-label={t('incidents.reported')}>{when(i.createdAt)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
          <p id="live-note" class="muted small">{t('incidents.live', { count: POLL_MS / 1000, seconds: POLL_MS / 1000 })}</p>
        </div>
        {areas.data && <AreaMap areas={areas.data.items} counts={counts} onPick={setArea} label={t('incidents.mapLabel')} />}
      </div>
    </section>
  );
}
