/** Small pieces every page uses: loading data, errors, status badges. */
import type { ComponentChildren } from 'preact';
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { ApiError } from '../api.ts';
import { exists, t } from '../i18n.ts';

export interface Loaded<T> {
  data: T | null;
  error: string | null;
  reload: () => Promise<void>;
}

/**
 * Loads `fetcher` now and whenever `deps` change; with `everyMs`, again at that interval while
 * the page is shown (the live lists poll: see README, Console). Only the answer to the latest
 * load is shown: an earlier one that arrives after it (a filter changed twice quickly, a poll
 * overtaken by a change) is dropped.
 */
export function useLoad<T>(fetcher: () => Promise<T>, deps: unknown[], everyMs?: number): Loaded<T> {
  const [data, setData] = useState<T | null>(null);
  const [error, setError] = useState<string | null>(null);
  const current = useRef(fetcher);
  current.current = fetcher;
  const latest = useRef(0);
  const reload = useCallback(async () => {
    const mine = ++latest.current;
    try {
      const loaded = await current.current();
      if (mine !== latest.current) return;
      setData(loaded);
      setError(null);
    } catch (e) {
      if (mine === latest.current) setError(message(e));
    }
  }, []);
  useEffect(() => {
    void reload();
    if (!everyMs) return;
    const timer = setInterval(() => void reload(), everyMs);
    return () => clearInterval(timer);
  }, deps);
  return { data, error, reload };
}

/**
 * A refusal as a sentence in the console's language: the API's stable code (`errors.<code>` in
 * locales/<lng>/console.json, interpolated with the error body's details), else a sentence for
 * its HTTP status. The API's English message is never shown as such.
 */
export function message(error: unknown): string {
  if (error instanceof ApiError) {
    const details = { ...error.body, ...listed(error.body) };
    if (exists(`errors.${error.code}`)) return t(`errors.${error.code}`, details);
    // An incident action's refusal names its outcome (`reason`, `params`): worded as the console's.
    if (typeof error.body.reason === 'string' && exists(`outcome.${error.body.reason}`)) return t(`outcome.${error.body.reason}`, error.body.params as Record<string, unknown>);
    return t(`errors.status.${error.status >= 500 ? 500 : error.status}`, { defaultValue: t('errors.other') });
  }
  return t('errors.network');
}

/** Array details (languages, channels, topics) joined for reading. */
function listed(body: Record<string, unknown>): Record<string, string> {
  return Object.fromEntries(Object.entries(body).filter(([, v]) => Array.isArray(v)).map(([k, v]) => [k, (v as unknown[]).join(', ')]));
}

export function ErrorLine({ error }: { error: string | null }) {
  if (!error) return null;
  return <p class="error" role="alert">{error}</p>;
}

export function Loading({ what }: { what?: string }) {
  return <p class="muted" aria-busy="true">{what ?? t('common.loading')}</p>;
}

export function Badge({ kind, children }: { kind: string; children: ComponentChildren }) {
  return <span class={`badge badge-${kind}`}>{children}</span>;
}

/** A button that runs an async action, shows it running, and reports its error. */
export function ActionButton(props: { label: string; run: () => Promise<unknown>; kind?: 'primary' | 'danger' | 'plain'; disabled?: boolean; onError?: (m: string) => void }) {
  const [busy, setBusy] = useState(false);
  return (
    <button
      type="button"
      class={props.kind ?? 'plain'}
      disabled={busy || props.disabled}
      onClick={async () => {
        setBusy(true);
        try {
          await props.run();
        } catch (e) {
          props.onError?.(message(e));
        } finally {
          setBusy(false);
        }
      }}
    >
      {props.label}
    </button>
  );
}
