/**
 * The console's frame: the session (or the login page), the navigation listing only the pages
 * the role may open, the language switcher, and the page of the current path.
 */
import { useEffect, useState } from 'preact/hooks';
import { ApiError, post, setCsrfToken, whenUnauthorised } from './api.ts';
import { LANGUAGES, setLanguage, t, language, type Language } from './i18n.ts';
import { match, navigate, replace, usePath } from './router.ts';
import { can, loadSession, SessionContext, type Session } from './session.ts';
import { PAGES } from './pages/registry.ts';
import { Login } from './pages/login.tsx';
import { AcceptLink } from './pages/link.tsx';
import { message } from './parts/common.tsx';

function LanguageSwitcher({ onChange }: { onChange: () => void }) {
  return (
    <label class="language">
      <span class="sr-only">{t('nav.language')}</span>
      <select
        aria-label={t('nav.language')}
        value={language()}
        onChange={async (event) => {
          await setLanguage((event.target as HTMLSelectElement).value as Language);
          onChange();
        }}
      >
        {LANGUAGES.map((l) => (
          <option value={l.code} lang={l.code}>{l.name}</option>
        ))}
      </select>
    </label>
  );
}

export function App() {
  const path = usePath();
  const [session, setSession] = useState<Session | null | undefined>(undefined);
  const [error, setError] = useState<string | null>(null);
  const [, rerender] = useState(0);

  const refresh = async () => {
    try {
      setSession(await loadSession());
      setError(null);
    } catch (e) {
      if (e instanceof ApiError && (e.status === 401 || e.status === 400)) setSession(null);
      else setError(message(e));
    }
  };
  useEffect(() => {
    whenUnauthorised(() => setSession(null));
    void refresh();
  }, []);

  const visible = session ? PAGES.filter((p) => can(session, ...p.needs)) : [];
  // /console leads to the first page the role may open.
  useEffect(() => {
    if (session && (path === '/console' || path === '/console/') && visible[0]) replace(visible[0].path);
  }, [session, path]);

  const logout = async () => {
    await post('/auth/logout').catch(() => undefined);
    setCsrfToken(null);
    setSession(null);
    navigate('/console');
  };

  let body;
  if (path.startsWith('/console/link')) body = <AcceptLink />;
  else if (session === undefined) body = error ? <p class="error" role="alert">{error}</p> : <p class="muted">{t('common.loading')}</p>;
  else if (session === null) body = <Login onLoggedIn={refresh} />;
  else {
    const current = path;
    const found = PAGES.map((p) => ({ page: p, params: match(p.path, current) })).find((m) => m.params);
    if (!found) body = <p>{visible.length ? t('common.notFound') : t('common.nothingAllowed')}</p>;
    else if (!can(session, ...found.page.needs)) body = <p class="error" role="alert">{t('common.notAllowed')}</p>;
    else {
      const Page = found.page.component;
      body = <Page key={current} params={found.params!} />;
    }
  }
  const here = PAGES.find((p) => match(p.path, path));

  return (
    <SessionContext.Provider value={session ?? null}>
      <a class="skip" href="#main">{t('nav.skip')}</a>
      <header class="top">
        <strong class="brand">{t('app.name')}</strong>
        {session && (
          <nav aria-label={t('nav.label')}>
            <ul>
              {visible.filter((p) => p.nav).map((p) => (
                <li><a href={p.path} aria-current={here?.title === p.title ? 'page' : undefined}>{t(p.title)}</a></li>
              ))}
            </ul>
          </nav>
        )}
        <div class="tools">
          <LanguageSwitcher onChange={() => rerender((n) => n + 1)} />
          {session && (
            <>
              <span class="who" title={session.user.areaId ?? ''}><bdi>{session.user.username}</bdi> · {t(`roles.${session.user.role}`)}</span>
              <button type="button" class="plain" onClick={logout}>{t('nav.logout')}</button>
            </>
          )}
        </div>
      </header>
      <main id="main" tabIndex={-1}>{body}</main>
    </SessionContext.Provider>
  );
}
