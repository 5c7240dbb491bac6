/**
 * Contacts: find a person by the case code of their report or by area, without ever seeing
 * their number or chat id (the API gives none), and erase them on request: identities,
 * addresses, messages, sessions and profile go; incidents stay without the person.
 */
import { useState } from 'preact/hooks';
import { get, post, query } from '../api.ts';
import { language, t, when } from '../i18n.ts';
import { ErrorLine, message, useLoad } from '../parts/common.tsx';
import { can, useSession } from '../session.ts';
import { areasPath, type MapArea } from '../parts/area-map.tsx';

interface Contact { id: string; areaId: string | null; language: string | null; status: string; channels: { channel: string; stopped: boolean }[]; createdAt: string }

function Erase({ contact, onErased }: { contact: Contact; onErased: (removed: Record<string, number>) => void }) {
  const [error, setError] = useState<string | null>(null);
  return (
    <details class="action">
      <summary>{t('contacts.erase')}</summary>
      <form class="stack" onSubmit={async (e) => {
        e.preventDefault();
        try {
          const answer = await post<{ removed: Record<string, number> }>(`/contacts/${encodeURIComponent(contact.id)}/erase`);
          onErased(answer.removed);
        } catch (err) {
          setError(message(err));
        }
      }}>
        <p class="small">{t('contacts.eraseWhat')}</p>
        <label class="check"><input type="checkbox" name="sure" required />{t('contacts.sure')}</label>
        <button type="submit" class="danger">{t('contacts.eraseNow')}</button>
        <ErrorLine error={error} />
      </form>
    </details>
  );
}

export function Contacts() {
  const session = useSession();
  const areas = useLoad(async () => (can(session, 'GET /areas') ? (await get<{ items: MapArea[] }>(areasPath())).items : []), [language()]);
  const [found, setFound] = useState<Contact[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [last, setLast] = useState<Record<string, string>>({});

  const search = async (params: Record<string, string>) => {
    setError(null);
    setNotice(null);
    try {
      setFound((await get<{ items: Contact[] }>(`/contacts${query(params)}`)).items);
      setLast(params);
    } catch (e) {
      setFound(null);
      setError(message(e));
    }
  };

  return (
    <section class="stack">
      <h1>{t('contacts.title')}</h1>
      <p class="muted">{t('contacts.hint')}</p>
      <div class="row">
        <form class="row" onSubmit={(e) => { e.preventDefault(); void search({ case: String(new FormData(e.target as HTMLFormElement).get('case')).trim() }); }}>
          <label>{t('contacts.byCase')}<input name="case" required placeholder="R-XXXXXX" maxLength={40} /></label>
          <button type="submit">{t('contacts.find')}</button>
        </form>
        <form class="row" onSubmit={(e) => { e.preventDefault(); void search({ area: String(new FormData(e.target as HTMLFormElement).get('area')) }); }}>
          <label>{t('contacts.byArea')}
            <select name="area" required>{(areas.data ?? []).map((a) => <option value={a.id}>{a.name}</option>)}</select>
          </label>
          <button type="submit">{t('contacts.find')}</button>
        </form>
      </div>
      {notice && <p class="notice" role="status">{notice}</p>}
      <ErrorLine error={error} />
      {found && (found.length === 0 ? <p class="muted">{t('contacts.none')}</p> : (
        <div class="table-wrap">
          <table class="cards">
            <thead><tr><th>{t('contacts.contact')}</th><th>{t('incidents.area')}</th><th>{t('nav.language')}</th><th>{t('rosters.channels')}</th><th>{t('contacts.since')}</th><th /></tr></thead>
            <tbody>
              {found.map((c) => (
                <tr data-contact={c.id}>
                  <td data-label={t('contacts.contact')}><code>{c.id.slice(0, 8)}</code></td>
                  <td data-label={t('incidents.area')}>{c.areaId ? areas.data?.find((a) => a.id === c.areaId)?.name ?? c.areaId : '—'}</td>
                  <td data-label={t('nav.language')}>{c.language ? t(`languages.${c.language}`, { defaultValue: c.language }) : '—'}</td>
                  <td data-label={t('rosters.channels')}>{c.channels.map((ch) => `${t(`channels.${ch.channel}`, { defaultValue: ch.channel })}${ch.stopped ? ` (${t('contacts.optedOut')})` : ''}`).join(', ')}</td>
                  <td data-label={t('contacts.since')}>{when(c.createdAt)}</td>
                  <td>{can(session, 'POST /contacts/:id/erase') && <Erase contact={c} onErased={(removed) => { void search(last).then(() => setNotice(t('contacts.erased', { summary: Object.entries(removed).map(([k, v]) => `${k}: ${v}`).join(', ') }))); }} />}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ))}
    </section>
  );
}
