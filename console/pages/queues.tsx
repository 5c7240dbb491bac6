/**
 * Queues: the jobs that finally failed (the dead-letter list of every queue) with their reason;
 * an admin can put one back to work or discard it (its message stays failed). A failed job
 * carries ids, never a message text or address.
 */
import { useState } from 'preact/hooks';
import { api, get, post } from '../api.ts';
import { t, when } from '../i18n.ts';
import { ActionButton, ErrorLine, Loading, useLoad } from '../parts/common.tsx';
import { can, useSession } from '../session.ts';

interface Letter { queue: string; jobId: string; name: string; reason: string; attempts: number; failedAt: string | null }

export function Queues() {
  const session = useSession();
  const list = useLoad(() => get<{ items: Letter[] }>('/dead-letter'), [], 10_000);
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  return (
    <section class="stack">
      <h1>{t('queues.title')}</h1>
      <p class="muted">{t('queues.hint')}</p>
      {notice && <p class="notice" role="status">{notice}</p>}
      <ErrorLine error={list.error ?? error} />
      {!list.data ? <Loading /> : list.data.items.length === 0 ? <p class="muted">{t('queues.none')}</p> : (
        <div class="table-wrap">
          <table class="cards">
            <thead><tr><th>{t('queues.queue')}</th><th>{t('queues.job')}</th><th>{t('queues.reason')}</th><th class="num">{t('queues.attempts')}</th><th>{t('queues.failedAt')}</th><th /></tr></thead>
            <tbody>
              {list.data.items.map((l) => (
                <tr data-job={`${l.queue}/${l.jobId}`}>
                  <td data-label={t('queues.queue')}>{l.queue}</td><td data-label={t('queues.job')} class="break">{l.name} <span class="muted small">{l.jobId}</span></td><td data-label={t('queues.reason')} class="break">{l.reason}</td><td data-label={t('queues.attempts')} class="num">{l.attempts}</td><td data-label={t('queues.failedAt')}>{when(l.failedAt)}</td>
                  <td>{can(session, 'POST /dead-letter/:queue/:jobId/retry') && <ActionButton label={t('queues.retry')} onError={setError} run={async () => { await post(`/dead-letter/${encodeURIComponent(l.queue)}/${encodeURIComponent(l.jobId)}/retry`); setNotice(t('queues.retried')); await list.reload(); }} />}
                    {can(session, 'DELETE /dead-letter/:queue/:jobId') && <ActionButton kind="danger" label={t('queues.discard')} onError={setError} run={async () => { await api('DELETE', `/dead-letter/${encodeURIComponent(l.queue)}/${encodeURIComponent(l.jobId)}`); setNotice(t('queues.discarded')); await list.reload(); }} />}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
