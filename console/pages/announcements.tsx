/**
 * Announcements: the approval queue (waiting for a second person), the other announcements by
 * state, and the composer: one text per language with a live SMS segment counter, the fallback
 * language (by default the first one written; recipients whose language has no text get it when
 * allowed), the audience (area, topic, channels) and, from POST /broadcasts/preview, the audience per channel and language and
 * the cost in SMS segments before anything is stored.
 */
import { useEffect, useMemo, useState } from 'preact/hooks';
import { get, post } from '../api.ts';
import { navigate } from '../router.ts';
import { language, number, t, when } from '../i18n.ts';
import { Badge, ErrorLine, Loading, message, useLoad } from '../parts/common.tsx';
import { countSegments } from '../../src/segments.ts';
import { gsmLetters } from '../../src/sms-letters.ts';
import { gsmPunctuation } from '../../src/sms-punctuation.ts';
import { can, useSession } from '../session.ts';
import { areasPath, type MapArea } from '../parts/area-map.tsx';
import { broadcastState, type Waiting } from '../parts/broadcast-state.ts';

export interface BroadcastView {
  id: string;
  title: string;
  status: string;
  texts: Record<string, string>;
  urgent: boolean;
  feedback: string;
  audience: { areaId: string | null; topic: string | null; channels: string[]; languages: string[] };
  /** The language whose text goes to recipients without one of their own, when `fallback`. */
  defaultLanguage: string | null;
  fallback: boolean;
  createdBy: { tokenId: string; name: string };
  approvedBy: { name: string; at: string } | null;
  rejectedReason: string | null;
  scheduledAt: string | null;
  audienceSize: number | null;
  createdAt: string;
  /** Present in the list: what has not gone out yet. */
  waiting?: Waiting;
}

export interface Estimate {
  audience: number;
  byChannel: Record<string, number>;
  byLanguage: Record<string, number>;
  byChannelAndLanguage: Record<string, Record<string, number>>;
  missingTotal: number;
  inQuietHoursNow: number;
  sms: Record<string, { characters: number; encoding: string; segments: number; tooLong: boolean }>;
  smsSegments: number;
  durationMs: number;
}

const LANGS = ['en', 'fr', 'ar'] as const;
const CHANNELS = ['sms', 'telegram', 'slack'];

/** How long sending takes, in seconds under a minute (counts take the language's plural forms). */
function duration(ms: number): string {
  if (ms <= 0) return t('announce.durationNone');
  const seconds = Math.ceil(ms / 1000);
  if (seconds < 60) return t('announce.durationSeconds', { count: seconds, seconds: number(seconds) });
  const minutes = Math.round(seconds / 60);
  return t('announce.duration', { count: minutes, minutes: number(minutes) });
}

/**
 * The audience per channel and language, and what it costs. `fallbackLanguage`: the language
 * whose text recipients without one of their own get (null when they get nothing).
 */
export function EstimateView({ estimate, fallbackLanguage }: { estimate: Estimate; fallbackLanguage: string | null }) {
  const languages = Object.keys(estimate.byLanguage);
  return (
    <div class="stack" data-testid="estimate">
      <p><strong>{t('announce.audience', { count: estimate.audience, n: number(estimate.audience) })}</strong> · {t('announce.cost', { count: estimate.smsSegments, segments: number(estimate.smsSegments) })} · {duration(estimate.durationMs)}</p>
      {estimate.audience > 0 && (
        <div class="table-wrap">
          <table>
            <thead><tr><th>{t('announce.channel')}</th>{languages.map((l) => <th class="num" data-language={l}>{t(`languages.${l}`, { defaultValue: l })}</th>)}<th class="num">{t('announce.total')}</th></tr></thead>
            <tbody>
              {Object.entries(estimate.byChannelAndLanguage).map(([channel, counts]) => (
                <tr data-channel={channel}><td>{t(`channels.${channel}`, { defaultValue: channel })}</td>{languages.map((l) => <td class="num">{counts[l] ?? 0}</td>)}<td class="num">{estimate.byChannel[channel] ?? 0}</td></tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {estimate.missingTotal > 0 &&
        (fallbackLanguage ? (
          <p class="muted" data-testid="fallback-note">{t('announce.fallbackNote', { count: estimate.missingTotal, language: t(`languages.${fallbackLanguage}`, { defaultValue: fallbackLanguage }) })}</p>
        ) : (
          <p class="error" data-testid="missing">{t('announce.missing', { count: estimate.missingTotal })}</p>
        ))}
      {estimate.inQuietHoursNow > 0 && <p class="muted">{t('announce.quiet', { count: estimate.inQuietHoursNow })}</p>}
    </div>
  );
}

export interface Topic {
  id: string;
  names: Record<string, string>;
}

function Compose({ areas, topics, onCreated }: { areas: MapArea[]; topics: Topic[]; onCreated: (id: string) => void }) {
  const [title, setTitle] = useState('');
  const [texts, setTexts] = useState<Record<string, string>>({});
  const [chosenDefault, setChosenDefault] = useState('');
  const [fallback, setFallback] = useState(false);
  const [topic, setTopic] = useState('');
  const [areaId, setAreaId] = useState('');
  const [channels, setChannels] = useState<string[]>([]);
  const [feedback, setFeedback] = useState('none');
  const [urgent, setUrgent] = useState(false);
  const [estimate, setEstimate] = useState<Estimate | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const written = LANGS.filter((l) => texts[l]?.trim());
  // The fallback language is one that has a text: the one chosen, else the first written.
  const defaultLanguage = written.includes(chosenDefault as never) ? chosenDefault : written[0] ?? '';
  const body = useMemo(() => {
    const filled = Object.fromEntries(Object.entries(texts).filter(([, v]) => v.trim()));
    return { title: title.trim() || 'draft', texts: filled, ...(defaultLanguage ? { defaultLanguage } : {}), fallback, feedback, urgent, audience: { areaId: areaId || null, topic: topic || null, languages: [], channels } };
  }, [title, texts, defaultLanguage, fallback, areaId, topic, channels, feedback, urgent]);

  // The estimate follows the draft, half a second after the last change.
  useEffect(() => {
    if (Object.keys(body.texts).length === 0) return setEstimate(null);
    const timer = setTimeout(() => {
      post<{ estimate: Estimate }>('/broadcasts/preview', body).then((r) => (setEstimate(r.estimate), setError(null)), (e) => (setEstimate(null), setError(message(e))));
    }, 500);
    return () => clearTimeout(timer);
  }, [JSON.stringify(body)]);

  const submit = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    try {
      const created = await post<{ broadcast: BroadcastView }>('/broadcasts', { ...body, title: title.trim() });
      onCreated(created.broadcast.id);
    } catch (e) {
      setError(message(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <form class="stack card" onSubmit={submit} aria-labelledby="compose-title">
      <h2 id="compose-title">{t('announce.compose')}</h2>
      <label>{t('announce.title')}<input name="title" required maxLength={200} value={title} onInput={(e) => setTitle((e.target as HTMLInputElement).value)} /></label>
      {LANGS.map((lng) => {
        const text = texts[lng] ?? '';
        // Counted as SMS sends it (typographic punctuation and letters in their GSM-7 forms).
        const count = countSegments(gsmLetters(gsmPunctuation(text)));
        return (
          <label>
            {t('announce.textIn', { language: t(`languages.${lng}`) })}
            <textarea lang={lng} dir={lng === 'ar' ? 'rtl' : 'ltr'} name={`text-${lng}`} maxLength={1600} value={text} onInput={(e) => setTexts({ ...texts, [lng]: (e.target as HTMLTextAreaElement).value })} />
            <span class={`counter${count.segments > 2 ? ' over' : ''}`} data-counter={lng} aria-live="polite">
              {t('announce.counter', { count: count.segments, characters: number([...text].length), encoding: count.encoding })}
            </span>
          </label>
        );
      })}
      <div class="row">
        <label>{t('announce.defaultLanguage')}
          <select name="defaultLanguage" value={defaultLanguage} disabled={written.length === 0} onChange={(e) => setChosenDefault((e.target as HTMLSelectElement).value)}>
            {written.map((l) => <option value={l}>{t(`languages.${l}`)}</option>)}
          </select>
        </label>
        <label class="check"><input type="checkbox" name="fallback" checked={fallback} onChange={(e) => setFallback((e.target as HTMLInputElement).checked)} />{t('announce.fallback')}</label>
      </div>
      <div class="row">
        <label>{t('incidents.area')}
          <select name="area" value={areaId} onChange={(e) => setAreaId((e.target as HTMLSelectElement).value)}>
            <option value="">{t('announce.everywhere')}</option>
            {areas.map((a) => <option value={a.id}>{a.name}</option>)}
          </select>
        </label>
        {topics.length > 0 && (
          <label>{t('announce.topic')}
            <select name="topic" value={topic} onChange={(e) => setTopic((e.target as HTMLSelectElement).value)}>
              <option value="">{t('announce.anyTopic')}</option>
              {topics.map((x) => <option value={x.id}>{x.names[language()] ?? x.names.en ?? x.id}</option>)}
            </select>
          </label>
        )}
        <label>{t('announce.feedback')}
          <select name="feedback" value={feedback} onChange={(e) => setFeedback((e.target as HTMLSelectElement).value)}>
            {['none', 'rating', 'free'].map((f) => <option value={f}>{t(`announce.feedbackMode.${f}`)}</option>)}
          </select>
        </label>
      </div>
      <fieldset class="row">
        <legend>{t('announce.channels')}</legend>
        {CHANNELS.map((c) => (
          <label class="check"><input type="checkbox" name="channel" value={c} checked={channels.includes(c)} onChange={(e) => setChannels((e.target as HTMLInputElement).checked ? [...channels, c] : channels.filter((x) => x !== c))} />{t(`channels.${c}`)}</label>
        ))}
        <span class="muted small">{t('announce.channelsHint')}</span>
      </fieldset>
      <label class="check"><input type="checkbox" name="urgent" checked={urgent} onChange={(e) => setUrgent((e.target as HTMLInputElement).checked)} />{t('announce.urgent')}</label>
      <div aria-live="polite">{estimate ? <EstimateView estimate={estimate} fallbackLanguage={fallback && defaultLanguage ? defaultLanguage : null} /> : written.length === 0 && <p class="muted">{t('announce.previewHint')}</p>}</div>
      <ErrorLine error={error} />
      <p class="muted small">{t('announce.afterSubmit')}</p>
      <button type="submit" class="primary" disabled={busy || !title.trim() || Object.keys(body.texts).length === 0}>{t('announce.submit')}</button>
    </form>
  );
}

/** The state as people read it (held, sending, sent: from what has not gone out). */
export function StateBadge({ broadcast, waiting }: { broadcast: BroadcastView; waiting: Waiting | null }) {
  const shown = broadcastState(broadcast, waiting);
  return <Badge kind={shown.kind}>{shown.label}</Badge>;
}

function List({ items, empty }: { items: BroadcastView[]; empty: string }) {
  if (items.length === 0) return <p class="muted">{empty}</p>;
  return (
    <div class="table-wrap">
      <table class="cards">
        <thead><tr><th>{t('announce.title')}</th><th>{t('announce.status')}</th><th>{t('announce.by')}</th><th>{t('announce.created')}</th></tr></thead>
        <tbody>
          {items.map((b) => (
            <tr data-broadcast={b.id}>
              <td data-label={t('announce.title')}><a href={`/console/announcements/${b.id}`} dir="auto">{b.title}</a></td>
              <td data-label={t('announce.status')}><StateBadge broadcast={b} waiting={b.waiting ?? null} /></td>
              <td data-label={t('announce.by')}><bdi>{b.createdBy.name}</bdi></td>
              <td data-label={t('announce.created')}>{when(b.createdAt)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

export function Announcements() {
  const session = useSession();
  const list = useLoad(() => get<{ items: BroadcastView[] }>('/broadcasts'), [], 5_000);
  const areas = useLoad(async () => (can(session, 'GET /areas') ? (await get<{ items: MapArea[] }>(areasPath())).items : []), [language()]);
  const topics = useLoad(async () => (can(session, 'GET /broadcasts/topics') ? (await get<{ items: Topic[] }>('/broadcasts/topics')).items : []), []);
  const [composing, setComposing] = useState(false);
  if (!list.data) return list.error ? <ErrorLine error={list.error} /> : <Loading />;
  const waiting = list.data.items.filter((b) => b.status === 'pending_approval');
  const others = list.data.items.filter((b) => b.status !== 'pending_approval');
  return (
    <section class="stack">
      <h1>{t('announce.pageTitle')}</h1>
      {can(session, 'POST /broadcasts', 'POST /broadcasts/preview') && (composing ? (
        <Compose areas={areas.data ?? []} topics={topics.data ?? []} onCreated={(id) => navigate(`/console/announcements/${id}`)} />
      ) : (
        <p><button type="button" class="primary" onClick={() => setComposing(true)}>{t('announce.new')}</button></p>
      ))}
      <h2>{t('announce.queue')}</h2>
      <p class="muted small">{t('announce.queueHint')}</p>
      <List items={waiting} empty={t('announce.queueEmpty')} />
      <h2>{t('announce.all')}</h2>
      <List items={others} empty={t('announce.none')} />
    </section>
  );
}
