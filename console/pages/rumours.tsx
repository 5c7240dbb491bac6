/**
 * The rumour desk: rumours (each a group of similar reports), newest reports first, by status;
 * staff can file a rumour they heard themselves.
 */
import { useState } from 'preact/hooks';
import { get, post, query } from '../api.ts';
import { t, when } from '../i18n.ts';
import { Badge, ErrorLine, Loading, message, useLoad } from '../parts/common.tsx';
import { can, useSession } from '../session.ts';

export const RUMOUR_STATUSES = ['new', 'investigating', 'verified_true', 'false', 'unverifiable'];

interface RumourItem { id: string; title: string | null; text: string; status: string; areaId: string | null; reportCount: number; lastReportAt: string; publishedAt: string | null }

export function Rumours() {
  const session = useSession();
  const [status, setStatus] = useState('');
  const list = useLoad(() => get<{ items: RumourItem[] }>(`/rumours${query({ status })}`), [status], 10_000);
  const [error, setError] = useState<string | null>(null);
  return (
    <section class="stack">
      <h1>{t('rumours.title')}</h1>
      <form class="filters" onSubmit={(e) => e.preventDefault()} aria-label={t('common.filters')}>
        <label>{t('rumours.status')}
          <select name="status" value={status} onChange={(e) => setStatus((e.target as HTMLSelectElement).value)}>
            <option value="">{t('common.all')}</option>
            {RUMOUR_STATUSES.map((s) => <option value={s}>{t(`rumours.state.${s}`)}</option>)}
          </select>
        </label>
      </form>
      <ErrorLine error={list.error ?? error} />
      {!list.data ? <Loading /> : list.data.items.length === 0 ? <p class="muted">{t('rumours.none')}</p> : (
        <div class="table-wrap">
          <table class="cards">
            <thead><tr><th>{t('rumours.rumour')}</th><th>{t('rumours.status')}</th><th class="num">{t('rumours.reports')}</th><th>{t('rumours.last')}</th></tr></thead>
            <tbody>
              {list.data.items.map((r) => (
                <tr data-rumour={r.id}>
                  <td data-label={t('rumours.rumour')}><a href={`/console/rumours/${r.id}`} dir="auto">{r.title ?? r.text}</a>{r.publishedAt && <> <Badge kind="resolved">{t('rumours.published')}</Badge></>}</td>
                  <td data-label={t('rumours.status')}><Badge kind={r.status}>{t(`rumours.state.${r.status}`)}</Badge></td>
                  <td data-label={t('rumours.reports')} class="num">{r.reportCount}</td>
                  <td data-label={t('rumours.last')}>{when(r.lastReportAt)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {can(session, 'POST /rumours') && (
        <form class="card stack" onSubmit={async (e) => {
          e.preventDefault();
          const form = e.target as HTMLFormElement;
          try {
            await post('/rumours', { text: String(new FormData(form).get('text')) });
            form.reset();
            setError(null);
            await list.reload();
          } catch (err) {
            setError(message(err));
          }
        }}>
          <h2>{t('rumours.file')}</h2>
          <label>{t('rumours.heard')}<textarea name="text" required minLength={3} maxLength={1000} /></label>
          <button type="submit">{t('rumours.fileSubmit')}</button>
        </form>
      )}
    </section>
  );
}
