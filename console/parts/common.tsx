/** Small pieces every page uses: loading data, errors, status badges. */
import type { ComponentChildren } from 'preact';
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { ApiError } from '../api.ts';
import { t } from '../i18n.ts';

export interface Loaded<T> {
  data: T | null;
  error: string | null;
  reload: () => Promise<void>;
}

/**
 * Loads `fetcher` now and whenever `deps` change; with `everyMs`, again at that interval while
 * the page is shown (the live lists poll: see README, Console).
 */
export function useLoad<T>(fetcher: () => Promise<T>, deps: unknown[], everyMs?: number): Loaded<T> {
  const [data, setData] = useState<T | null>(null);
  const [error, setError] = useState<string | null>(null);
  const current = useRef(fetcher);
  current.current = fetcher;
  const reload = useCallback(async () => {
    try {
      setData(await current.current());
      setError(null);
    } catch (e) {
      setError(message(e));
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

export function message(error: unknown): string {
  if (error instanceof ApiError) return `${error.message} (${error.status})`;
  return (error as Error).message ?? String(error);
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
