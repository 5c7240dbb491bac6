/**
 * One announcement: its texts and audience, the decision steps (a second person approves or
 * rejects; approving sends nothing: a broadcaster or coordinator then sends it now or schedules
 * it), its state told from what has not gone out (held, sending, sent; cancel stops what waits),
 * its delivery progress with a chart of when messages left and settled (the stored times, from
 * GET /broadcasts/:id/progress's `timeline`), and the feedback it received.
 */
import { useEffect, useState } from 'preact/hooks';
import { get, post } from '../api.ts';
import { language, t, time, when, number } from '../i18n.ts';
import { ActionButton, Badge, ErrorLine, Loading, message, useLoad } from '../parts/common.tsx';
import { Chart, color } from '../parts/chart.tsx';
import { can, useSession } from '../session.ts';
import { EstimateView, type BroadcastView, type Estimate, type Topic } from './announcements.tsx';
import { areasPath, type MapArea } from '../parts/area-map.tsx';
import type { PageProps } from './registry.ts';
import { broadcastState, type Waiting } from '../parts/broadcast-state.ts';

interface Progress {
  nextReleaseAt: string | null;
  written: number;
  skipped: number;
  byStatus: Record<string, number>;
  finished: number;
  done: boolean;
  feedback: Record<string, number>;
}

interface Timeline {
  bucket: 'second' | 'minute';
  points: { at: string; sent: number; delivered: number; failed: number }[];
}

/** Running totals over the timeline's buckets, from zero one bucket before the first (x in seconds). */
function runningTotals(timeline: Timeline) {
  const step = timeline.bucket === 'second' ? 1 : 60;
  const first = timeline.points[0];
  const points = first ? [{ at: Date.parse(first.at) / 1000 - step, sent: 0, delivered: 0, failed: 0 }] : [];
  for (const p of timeline.points) {
    const last = points.at(-1)!;
    points.push({ at: Date.parse(p.at) / 1000, sent: last.sent + p.sent, delivered: last.delivered + p.delivered, failed: last.failed + p.failed });
  }
  return points;
}

type Loaded = ReturnType<typeof useLoad<Progress & { audienceSize: number | null; timeline: Timeline }>>;

/** Queued or sending messages: what has not gone out. */
const waitingIn = (p: Progress): Waiting => ({ waiting: (p.byStatus.queued ?? 0) + (p.byStatus.sending ?? 0), nextReleaseAt: p.nextReleaseAt });

function Delivery({ progress }: { progress: Loaded }) {
  const p = progress.data;
  if (!p) return progress.error ? <ErrorLine error={progress.error} /> : <Loading />;
  // When messages left and settled, from the stored times (not when this page looked).
  const points = runningTotals(p.timeline);
  return (
    <div class="card stack">
      <h2>{t('announce.delivery')}</h2>
      <p>{t('announce.progressLine', { count: p.written, written: number(p.written), audience: number(p.audienceSize ?? 0), finished: number(p.finished) })}{p.done ? ` · ${t('announce.done')}` : ''}</p>
      <div class="table-wrap">
        <table>
          <thead><tr><th>{t('announce.status')}</th><th class="num">{t('announce.total')}</th></tr></thead>
          <tbody>{Object.entries(p.byStatus).map(([s, n]) => <tr data-status={s}><td><Badge kind={s}>{t(`delivery.${s}`, { defaultValue: s })}</Badge></td><td class="num">{n}</td></tr>)}</tbody>
        </table>
      </div>
      {points.length === 0 && <p class="muted" data-testid="nothing-left">{t('announce.nothingLeft')}</p>}
      {points.length > 0 && <Chart
        time
        label={t('announce.chartLabel')}
        x={points.map((s) => s.at)}
        series={[
          { label: t('delivery.sent'), values: points.map((s) => s.sent), color: color(0) },
          { label: t('delivery.delivered'), values: points.map((s) => s.delivered), color: color(2) },
          { label: t('delivery.failed'), values: points.map((s) => s.failed), color: color(1) },
        ]}
      />}
      {Object.keys(p.feedback).length > 0 && (
        <p data-testid="feedback-counts">{t('announce.feedbackCounts')} {Object.entries(p.feedback).map(([a, n]) => `${a}: ${n}`).join(' · ')}</p>
      )}
    </div>
  );
}

/**
 * What "send now" did, as the server answered it (POST /broadcasts/:id/schedule's `start`): held
 * until quiet hours end for everyone, started for some and held for the others, or started.
 */
export function startedNotice(answer: { start?: { audience: number | null; held: number; heldUntil: string | null } }): string {
  const start = answer.start;
  if (!start || start.held === 0 || !start.heldUntil) return t('announce.sendingNotice');
  if (start.audience !== null && start.held >= start.audience) return t('announce.heldNotice', { time: time(start.heldUntil) });
  return t('announce.partlyHeldNotice', { count: start.held, n: number(start.held), time: time(start.heldUntil) });
}

function Feedback({ id }: { id: string }) {
  const [items, setItems] = useState<{ id: string; answer: string | null; text: string | null; createdAt: string }[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  return (
    <div class="card stack">
      <h2>{t('announce.replies')}</h2>
      {items === null ? (
        <p><ActionButton label={t('announce.showReplies')} run={async () => setItems((await get(`/broadcasts/${id}/feedback`)).items)} onError={setError} /> <span class="muted small">{t('announce.repliesAudited')}</span></p>
      ) : items.length === 0 ? <p class="muted">{t('announce.noReplies')}</p> : (
        <ul>{items.map((f) => <li><span class="muted small">{when(f.createdAt)}</span> <bdi>{f.answer ?? ''}</bdi> <span dir="auto">{f.text ?? ''}</span></li>)}</ul>
      )}
      <ErrorLine error={error} />
    </div>
  );
}

/** Who the announcement goes to, as it was composed: area, topic, channels and languages. */
function Audience({ broadcast }: { broadcast: BroadcastView }) {
  const session = useSession();
  const { areaId, topic, channels, languages } = broadcast.audience;
  const areas = useLoad(async () => (areaId && can(session, 'GET /areas') ? (await get<{ items: MapArea[] }>(areasPath())).items : []), [areaId, language()]);
  const topics = useLoad(async () => (topic && can(session, 'GET /broadcasts/topics') ? (await get<{ items: Topic[] }>('/broadcasts/topics')).items : []), [topic]);
  const areaName = areaId ? (areas.data?.find((a) => a.id === areaId)?.name ?? areaId) : t('announce.everywhere');
  const found = topic ? topics.data?.find((x) => x.id === topic) : undefined;
  const topicName = topic ? (found?.names[language()] ?? found?.names.en ?? topic) : t('announce.anyTopic');
  const list = (items: string[], key: string) => items.map((item) => t(`${key}.${item}`, { defaultValue: item })).join(', ');
  return (
    <dl class="kv" data-testid="audience">
      <dt>{t('incidents.area')}</dt><dd data-testid="audience-area"><bdi>{areaName}</bdi></dd>
      <dt>{t('announce.topic')}</dt><dd data-testid="audience-topic"><bdi>{topicName}</bdi></dd>
      <dt>{t('announce.channels')}</dt><dd data-testid="audience-channels">{channels.length > 0 ? list(channels, 'channels') : t('announce.allChannels')}</dd>
      {languages.length > 0 && (<><dt>{t('announce.languages')}</dt><dd>{list(languages, 'languages')}</dd></>)}
    </dl>
  );
}

export function Announcement({ params }: PageProps) {
  const session = useSession();
  const id = params.id!;
  const broadcast = useLoad(() => get<BroadcastView>(`/broadcasts/${id}`), [id], 5_000);
  const status = broadcast.data?.status ?? '';
  const tracked = ['sending', 'dispatched', 'cancelled', 'scheduled'].includes(status) && can(session, 'GET /broadcasts/:id/progress');
  const live = ['scheduled', 'sending', 'dispatched'].includes(status);
  const progress = useLoad(async () => (tracked ? get<Progress & { audienceSize: number | null; timeline: Timeline }>(`/broadcasts/${id}/progress`) : null), [id, status, tracked], live ? 3_000 : undefined) as Loaded;
  const estimate = useLoad(() => get<{ estimate: Estimate }>(`/broadcasts/${id}/estimate`), [id]);
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  useEffect(() => setError(null), [id]);
  if (!broadcast.data) return broadcast.error ? <ErrorLine error={broadcast.error} /> : <Loading />;
  const b = broadcast.data;
  const shown = broadcastState(b, progress.data ? waitingIn(progress.data) : null);
  const mine = b.createdBy.tokenId === session.user.id;
  const run = (path: string, body: unknown, done: string | ((answer: any) => string)) => async () => {
    try {
      const answer = await post(`/broadcasts/${id}/${path}`, body);
      setNotice(typeof done === 'string' ? done : done(answer));
      setError(null);
    } catch (e) {
      setError(message(e));
    }
    await broadcast.reload();
  };

  return (
    <section class="stack">
      <p><a href="/console/announcements">{t('announce.back')}</a></p>
      <h1><bdi dir="auto">{b.title}</bdi> <Badge kind={shown.kind}>{shown.label}</Badge>{b.urgent && <> <Badge kind="urgent">{t('announce.urgentBadge')}</Badge></>}</h1>
      <p class="muted" data-testid="byline">{t('announce.writtenBy', { name: b.createdBy.name, at: when(b.createdAt) })}{b.approvedBy ? ` · ${t('announce.approvedBy', { name: b.approvedBy.name, at: when(b.approvedBy.at) })}` : ''}</p>
      {notice && <p class="notice" role="status">{notice}</p>}
      <ErrorLine error={error} />

      <div class="card stack" data-testid="decision">
        <h2>{t('announce.decision')}</h2>
        {b.urgent && <p class="notice" data-testid="urgent">{t('announce.urgentNote')}</p>}
        {b.status === 'pending_approval' && (mine ? (
          <p class="notice">{t('announce.ownWaiting')}</p>
        ) : can(session, 'POST /broadcasts/:id/approve') ? (
          <div class="actions">
            <ActionButton kind="primary" label={t('announce.approve')} run={run('approve', {}, t(can(session, 'POST /broadcasts/:id/schedule') ? 'announce.approvedNotice' : 'announce.approvedNoticeOthersSend'))} />
            <form class="row" onSubmit={(e) => { e.preventDefault(); void run('reject', { reason: String(new FormData(e.target as HTMLFormElement).get('reason')) }, t('announce.rejectedNotice'))(); }}>
              <label>{t('announce.reason')}<input name="reason" required maxLength={500} /></label>
              <button type="submit" class="danger">{t('announce.reject')}</button>
            </form>
          </div>
        ) : <p class="muted">{t('announce.waitingForApprover')}</p>)}
        {b.status === 'approved' && (
          <>
            <p class="notice">{t(can(session, 'POST /broadcasts/:id/schedule') ? 'announce.approvedNothingSent' : 'announce.approvedOthersSend')}</p>
            {can(session, 'POST /broadcasts/:id/schedule') && (
              <div class="actions">
                <ActionButton kind="primary" label={t('announce.sendNow')} run={run('schedule', {}, startedNotice)} />
                <form class="row" onSubmit={(e) => { e.preventDefault(); const at = String(new FormData(e.target as HTMLFormElement).get('at')); void run('schedule', { at: new Date(at).toISOString() }, t('announce.scheduledNotice'))(); }}>
                  <label>{t('announce.at')}<input name="at" type="datetime-local" required /></label>
                  <button type="submit">{t('announce.schedule')}</button>
                </form>
              </div>
            )}
          </>
        )}
        {b.status === 'scheduled' && shown.kind === 'scheduled' && <p>{t('announce.scheduledFor', { at: when(b.scheduledAt) })}</p>}
        {shown.kind === 'held' && <p data-testid="held">{shown.label}</p>}
        {shown.kind === 'sending' && <p>{t('announce.sendingNow')}</p>}
        {shown.kind === 'sent' && <p>{t('announce.allSent')}</p>}
        {b.status === 'rejected' && <p class="error">{t('announce.rejectedBecause', { reason: b.rejectedReason ?? '' })}</p>}
        {shown.open && can(session, 'POST /broadcasts/:id/cancel') && (
          // Before it starts nothing has gone out: the whole announcement is cancelled.
          <p><ActionButton kind="danger" label={t(['pending_approval', 'approved'].includes(b.status) ? 'announce.cancelWhole' : 'announce.cancel')} run={run('cancel', {}, t('announce.cancelledNotice'))} /></p>
        )}
      </div>

      <div class="card stack">
        <h2>{t('announce.texts')}</h2>
        {Object.entries(b.texts).map(([lng, text]) => <p lang={lng} dir={lng === 'ar' ? 'rtl' : 'ltr'}><strong lang={language()} dir="auto">{t(`languages.${lng}`, { defaultValue: lng })}</strong>: <span dir="auto" data-testid={`text-${lng}`}>{text}</span></p>)}
        <Audience broadcast={b} />
        {estimate.data ? <EstimateView estimate={estimate.data.estimate} fallbackLanguage={b.fallback ? b.defaultLanguage : null} /> : <ErrorLine error={estimate.error} />}
      </div>

      {tracked && <Delivery progress={progress} />}
      {b.feedback !== 'none' && can(session, 'GET /broadcasts/:id/feedback') && <Feedback id={id} />}
    </section>
  );
}
