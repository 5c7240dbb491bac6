/**
 * An invitation or reset link (/console/link#<token>, printed by `gateway users invite` or
 * `users reset`): choose a password and, optionally (required for admins and coordinators),
 * enrol an authenticator app; its secret is shown once.
 */
import { useState } from 'preact/hooks';
import { post } from '../api.ts';
import { t } from '../i18n.ts';
import { message } from '../parts/common.tsx';

export function AcceptLink() {
  const token = location.hash.slice(1);
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState<{ username: string; totp: { secret: string; uri: string } | null } | null>(null);
  const submit = async (event: Event) => {
    event.preventDefault();
    const form = new FormData(event.target as HTMLFormElement);
    const password = String(form.get('password'));
    if (password !== String(form.get('again'))) return setError(t('link.mismatch'));
    try {
      setDone(await post('/auth/links/accept', { token, password, enableTotp: form.get('totp') === 'on' }));
      history.replaceState(null, '', '/console/link');
    } catch (e) {
      setError(message(e));
    }
  };
  if (done) {
    return (
      <section class="narrow">
        <h1>{t('link.done', { username: done.username })}</h1>
        {done.totp && (
          <div class="stack">
            <p>{t('link.totp')}</p>
            <p><code class="secret">{done.totp.secret}</code></p>
            <p class="muted small break">{done.totp.uri}</p>
          </div>
        )}
        <p><a href="/console">{t('link.toLogin')}</a></p>
      </section>
    );
  }
  return (
    <section class="narrow">
      <h1>{t('link.title')}</h1>
      {!token && <p class="error">{t('link.noToken')}</p>}
      <form onSubmit={submit} class="stack">
        <label>{t('link.password')}<input name="password" type="password" minLength={10} maxLength={200} autocomplete="new-password" required /></label>
        <label>{t('link.again')}<input name="again" type="password" autocomplete="new-password" required /></label>
        <label class="check"><input name="totp" type="checkbox" defaultChecked />{t('link.enableTotp')}</label>
        <button type="submit" class="primary">{t('link.submit')}</button>
        {error && <p class="error" role="alert">{error}</p>}
      </form>
    </section>
  );
}
