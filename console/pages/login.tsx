/**
 * Log in: username, password and the 6-digit code of the authenticator app (the second factor;
 * required for admins and coordinators, and for anyone who enrolled). One answer for any wrong
 * credential, as the API gives it; 423 (locked) and 429 (too many tries) are said plainly.
 */
import { useState } from 'preact/hooks';
import { ApiError, post } from '../api.ts';
import { t } from '../i18n.ts';
import { message } from '../parts/common.tsx';

export function Login({ onLoggedIn }: { onLoggedIn: () => void }) {
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (event: Event) => {
    event.preventDefault();
    const form = new FormData(event.target as HTMLFormElement);
    const code = String(form.get('code') ?? '').replace(/\s+/g, '');
    setBusy(true);
    setError(null);
    try {
      await post('/auth/login', { username: String(form.get('username')), password: String(form.get('password')), ...(code ? { code } : {}) });
      onLoggedIn();
    } catch (e) {
      if (e instanceof ApiError && e.status === 401) setError(t('login.wrong'));
      else if (e instanceof ApiError && e.status === 423) setError(t('login.locked'));
      else if (e instanceof ApiError && e.status === 429) setError(t('login.tooMany'));
      else setError(message(e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <section class="narrow">
      <h1>{t('login.title')}</h1>
      <form onSubmit={submit} class="stack">
        <label>
          {t('login.username')}
          <input name="username" autocomplete="username" required autoFocus />
        </label>
        <label>
          {t('login.password')}
          <input name="password" type="password" autocomplete="current-password" required />
        </label>
        <label>
          {t('login.code')}
          <input name="code" inputMode="numeric" autocomplete="one-time-code" pattern="[0-9 ]{6,7}" />
          <small class="muted">{t('login.codeHint')}</small>
        </label>
        <button type="submit" class="primary" disabled={busy}>{t('login.submit')}</button>
        {error && <p class="error" role="alert">{error}</p>}
      </form>
    </section>
  );
}
