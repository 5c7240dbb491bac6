/**
 * Rosters: committees and responders (addresses masked as the API gives them), and importing a
 * roster as YAML or JSON, or responders as CSV. A refused import changes nothing and lists its
 * problems, each naming the line or field.
 */
import { useState } from 'preact/hooks';
import { api, ApiError, get } from '../api.ts';
import { language, t } from '../i18n.ts';
import { areasPath } from '../parts/area-map.tsx';
import { ErrorLine, Loading, message, useLoad } from '../parts/common.tsx';
import { can, useSession } from '../session.ts';

interface Committee { id: string; name: string; level: string; areaId: string | null; kind?: string; members?: string[] }
interface Responder { id: string; name: string; active: boolean; committees: string[]; channels: { channel: string; address: string; stopped: boolean }[] }

export function Rosters() {
  const session = useSession();
  const committees = useLoad(() => get<{ items: Committee[] }>('/committees'), []);
  // Areas by name in the console's language (the id where the gazetteer lacks one).
  const areas = useLoad(async () => (can(session, 'GET /areas') ? (await get<{ items: { id: string; name: string }[] }>(areasPath())).items : []), [language()]);
  const areaName = (id: string | null) => (id ? (areas.data?.find((a) => a.id === id)?.name ?? id) : '—');
  const committeeName = (id: string) => committees.data?.items.find((c) => c.id === id)?.name ?? id;
  const responders = useLoad(async () => (can(session, 'GET /responders') ? (await get<{ items: Responder[] }>('/responders')).items : null), []);
  const [problems, setProblems] = useState<string[] | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);

  const importRoster = async (event: Event) => {
    event.preventDefault();
    const form = new FormData(event.target as HTMLFormElement);
    const file = form.get('file') as File | null;
    const text = file && file.size > 0 ? await file.text() : String(form.get('text') ?? '');
    const format = String(form.get('format'));
    setProblems(null);
    setNotice(null);
    setError(null);
    try {
      const answer = await api<{ applied: unknown }>('POST', '/rosters/import', text, format === 'csv' ? 'text/csv' : 'text/yaml');
      setNotice(t('rosters.imported', { summary: JSON.stringify(answer.applied) }));
      await committees.reload();
      await responders.reload();
    } catch (e) {
      if (e instanceof ApiError && Array.isArray(e.body.problems)) setProblems(e.body.problems as string[]);
      else setError(message(e));
    }
  };

  return (
    <section class="stack">
      <h1>{t('rosters.title')}</h1>
      <h2>{t('rosters.committees')}</h2>
      {!committees.data ? <Loading /> : (
        <div class="table-wrap">
          <table class="cards">
            <thead><tr><th>{t('rosters.id')}</th><th>{t('rosters.name')}</th><th>{t('rosters.level')}</th><th>{t('incidents.area')}</th></tr></thead>
            <tbody>{committees.data.items.map((c) => <tr data-committee={c.id}><td data-label={t('rosters.id')} class="break">{c.id}</td><td data-label={t('rosters.name')}><bdi>{c.name}</bdi></td><td data-label={t('rosters.level')}>{t(`rosters.levels.${c.level}`, { defaultValue: c.level })}</td><td data-label={t('incidents.area')}><bdi>{areaName(c.areaId)}</bdi></td></tr>)}</tbody>
          </table>
        </div>
      )}
      {responders.data && (
        <>
          <h2>{t('rosters.responders')}</h2>
          <div class="table-wrap">
            <table class="cards">
              <thead><tr><th>{t('rosters.id')}</th><th>{t('rosters.name')}</th><th>{t('rosters.committees')}</th><th>{t('rosters.channels')}</th></tr></thead>
              <tbody>{responders.data.map((r) => <tr data-responder={r.id}><td data-label={t('rosters.id')} class="break">{r.id}</td><td data-label={t('rosters.name')}><bdi>{r.name}</bdi></td><td data-label={t('rosters.committees')} class="break">{r.committees.flatMap((id, i) => [i > 0 ? ', ' : '', <bdi>{committeeName(id)}</bdi>])}</td><td data-label={t('rosters.channels')} class="break">{r.channels.flatMap((c, i) => [i > 0 ? ' · ' : '', <span>{t(`channels.${c.channel}`, { defaultValue: c.channel })} <bdi dir="ltr">{c.address}</bdi>{c.stopped ? ' ✕' : ''}</span>])}</td></tr>)}</tbody>
            </table>
          </div>
        </>
      )}
      {can(session, 'POST /rosters/import') && (
        <form class="card stack" onSubmit={importRoster}>
          <h2>{t('rosters.import')}</h2>
          <p class="muted small">{t('rosters.importHint')}</p>
          <label>{t('rosters.format')}
            <select name="format"><option value="yaml">YAML / JSON</option><option value="csv">CSV</option></select>
          </label>
          <label>{t('rosters.file')}<input type="file" name="file" accept=".yaml,.yml,.json,.csv,text/csv,text/yaml,application/json" /></label>
          <label>{t('rosters.orPaste')}<textarea name="text" rows={6} /></label>
          <button type="submit" class="primary">{t('rosters.importSubmit')}</button>
          {notice && <p class="notice" role="status">{notice}</p>}
          {problems && (
            <div role="alert">
              <p class="error">{t('rosters.refused')}</p>
              <ul data-testid="problems">{problems.map((p) => <li>{p}</li>)}</ul>
            </div>
          )}
          <ErrorLine error={error} />
        </form>
      )}
    </section>
  );
}
