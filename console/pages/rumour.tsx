/**
 * One rumour: its reports (the read is audited), its status and title, the verified answer per
 * language, and publishing it (to everyone who asked, and optionally as an announcement proposal
 * that goes through approval like any other).
 */
import { useState } from 'preact/hooks';
import { api, get, post } from '../api.ts';
import { t, when } from '../i18n.ts';
import { Badge, ErrorLine, Loading, message, useLoad } from '../parts/common.tsx';
import { can, useSession } from '../session.ts';
import { RUMOUR_STATUSES } from './rumours.tsx';
import type { PageProps } from './registry.ts';

interface Rumour { id: string; title: string | null; text: string; status: string; answers: Record<string, string>; publishedAt: string | null; broadcastId: string | null; reports: { id: string; text: string; channel: string; fromStaff: boolean; createdAt: string }[] }

const LANGS = ['en', 'fr', 'ar'];

export function RumourPage({ params }: PageProps) {
  const session = useSession();
  const id = params.id!;
  const rumour = useLoad(() => get<Rumour>(`/rumours/${id}`), [id]);
  const [notice, setNotice] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  if (!rumour.data) return rumour.error ? <ErrorLine error={rumour.error} /> : <Loading />;
  const r = rumour.data;
  const run = async (work: () => Promise<unknown>, done: string) => {
    try {
      await work();
      setNotice(done);
      setError(null);
      await rumour.reload();
    } catch (e) {
      setError(message(e));
    }
  };
  const investigate = can(session, 'PATCH /rumours/:id');
  return (
    <section class="stack">
      <p><a href="/console/rumours">{t('rumours.back')}</a></p>
      <h1><bdi dir="auto">{r.title ?? r.text}</bdi> <Badge kind={r.status}>{t(`rumours.state.${r.status}`)}</Badge></h1>
      {notice && <p class="notice" role="status">{notice}</p>}
      <ErrorLine error={error} />
      <div class="card">
        <h2>{t('rumours.reports')}</h2>
        <ul>{r.reports.map((p) => <li><span class="muted small">{when(p.createdAt)} · {p.fromStaff ? t('rumours.staff') : p.channel}</span><br /><span dir="auto">{p.text}</span></li>)}</ul>
      </div>
      {investigate && (
        <form class="card row" onSubmit={(e) => { e.preventDefault(); const f = new FormData(e.target as HTMLFormElement); void run(() => api('PATCH', `/rumours/${id}`, { status: String(f.get('status')), title: String(f.get('title')) || undefined }), t('rumours.saved')); }}>
          <label>{t('rumours.titleField')}<input name="title" defaultValue={r.title ?? ''} maxLength={200} /></label>
          <label>{t('rumours.status')}
            <select name="status" defaultValue={r.status}>{RUMOUR_STATUSES.map((s) => <option value={s}>{t(`rumours.state.${s}`)}</option>)}</select>
          </label>
          <button type="submit">{t('rumours.save')}</button>
        </form>
      )}
      <form class="card stack" onSubmit={(e) => { e.preventDefault(); const f = new FormData(e.target as HTMLFormElement); void run(() => api('PUT', `/rumours/${id}/answers`, Object.fromEntries(LANGS.map((l) => [l, String(f.get(l) ?? '')]))), t('rumours.saved')); }}>
        <h2>{t('rumours.answers')}</h2>
        {LANGS.map((l) => (
          <label>{t(`languages.${l}`)}<textarea lang={l} dir={l === 'ar' ? 'rtl' : 'ltr'} name={l} defaultValue={r.answers[l] ?? ''} maxLength={1200} readOnly={!can(session, 'PUT /rumours/:id/answers')} /></label>
        ))}
        {can(session, 'PUT /rumours/:id/answers') && <button type="submit">{t('rumours.saveAnswers')}</button>}
      </form>
      {can(session, 'POST /rumours/:id/publish') && (
        <form class="card stack" onSubmit={(e) => { e.preventDefault(); const f = new FormData(e.target as HTMLFormElement); void run(() => post(`/rumours/${id}/publish`, f.get('broadcast') === 'on' ? { broadcast: {} } : {}), t('rumours.publishedNotice')); }}>
          <h2>{t('rumours.publish')}</h2>
          <p class="muted small">{t('rumours.publishHint')}</p>
          <label class="check"><input type="checkbox" name="broadcast" />{t('rumours.alsoAnnounce')}</label>
          <button type="submit" class="primary">{t('rumours.publish')}</button>
          {r.broadcastId && <p><a href={`/console/announcements/${r.broadcastId}`}>{t('rumours.toAnnouncement')}</a></p>}
        </form>
      )}
    </section>
  );
}
