/**
 * Audit: who viewed or changed what, from the incidents' audit trail (GET /audit/incidents, the
 * same export as scripts; reading it is itself recorded), newest first, with the CSV and JSON
 * lines downloads. Notes stay out of the export. Rows read as people's names, actions in the
 * console's words and case codes (the JSON lines carry actorName and subjectName).
 */
import { useState } from 'preact/hooks';
import { ApiError, query } from '../api.ts';
import { t, when } from '../i18n.ts';
import { ErrorLine, Loading, useLoad } from '../parts/common.tsx';
import { auditActionKey } from '../parts/audit-action.ts';

interface Entry { at: string; actor: string; actorName: string; action: string; subjectType: string; subjectId: string; subjectName: string }

export function Audit() {
  const [days, setDays] = useState(1);
  const since = new Date(Date.now() - days * 86_400_000).toISOString().replace(/\.\d+Z$/, 'Z');
  const entries = useLoad(async () => {
    const response = await fetch(`/api/v1/audit/incidents${query({ format: 'jsonl', since })}`, { credentials: 'same-origin' });
    if (!response.ok) {
      const body = (await response.json().catch(() => ({}))) as Record<string, unknown>;
      throw new ApiError(response.status, String(body.code ?? response.status), String(body.error ?? response.statusText), body);
    }
    const lines = (await response.text()).split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, any>);
    return lines.map((l) => ({ at: l.at, actor: l.actor, actorName: l.actorName ?? l.actor, action: l.action, subjectType: l.subjectType, subjectId: l.subjectId, subjectName: l.subjectName ?? l.subjectId }) as Entry).reverse();
  }, [days]);
  return (
    <section class="stack">
      <h1>{t('audit.title')}</h1>
      <form class="filters" onSubmit={(e) => e.preventDefault()}>
        <label>{t('audit.period')}
          <select name="days" value={String(days)} onChange={(e) => setDays(Number((e.target as HTMLSelectElement).value))}>
            {[1, 7, 30].map((d) => <option value={String(d)}>{t(`audit.period${d}`)}</option>)}
          </select>
        </label>
      </form>
      <p class="actions">
        <a href={`/api/v1/audit/incidents${query({ format: 'csv', since })}`} download>{t('audit.csv')}</a>
        <a href={`/api/v1/audit/incidents${query({ format: 'jsonl', since })}`} download>{t('audit.jsonl')}</a>
      </p>
      <p class="muted small">{t('audit.recorded')}</p>
      <ErrorLine error={entries.error} />
      {!entries.data ? <Loading /> : (
        <div class="table-wrap">
          <table class="cards">
            <thead><tr><th>{t('audit.when')}</th><th>{t('audit.who')}</th><th>{t('audit.what')}</th><th>{t('audit.subject')}</th></tr></thead>
            <tbody>{entries.data.slice(0, 500).map((e) => (
              <tr data-action={e.action}>
                <td data-label={t('audit.when')}>{when(e.at)}</td>
                <td data-label={t('audit.who')} title={e.actor}><bdi>{e.actorName}</bdi></td>
                <td data-label={t('audit.what')}>{t(auditActionKey(e.action), { defaultValue: e.action })}</td>
                <td data-label={t('audit.subject')}>{e.subjectId === '-' ? '—' : <>{t(`auditSubject.${e.subjectType}`, { defaultValue: e.subjectType })} {e.subjectType === 'incident' ? <a class="code" href={`/console/incidents/${encodeURIComponent(e.subjectName)}`}>{e.subjectName}</a> : e.subjectName}</>}</td>
              </tr>
            ))}</tbody>
          </table>
        </div>
      )}
    </section>
  );
}
