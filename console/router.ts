/**
 * Paths under /console, kept in the address bar (a reload or a shared link opens the same page).
 * `navigate` pushes a path; links with `href` starting /console are followed without a reload.
 */
import { useEffect, useState } from 'preact/hooks';

const listeners = new Set<() => void>();

export function navigate(path: string): void {
  history.pushState(null, '', path);
  for (const listener of listeners) listener();
}

/** Like navigate, without a new history entry (a redirect). */
export function replace(path: string): void {
  history.replaceState(null, '', path);
  for (const listener of listeners) listener();
}

export function usePath(): string {
  const [path, setPath] = useState(location.pathname);
  useEffect(() => {
    const update = () => setPath(location.pathname);
    listeners.add(update);
    window.addEventListener('popstate', update);
    return () => {
      listeners.delete(update);
      window.removeEventListener('popstate', update);
    };
  }, []);
  return path;
}

/** Follows in-console links without a reload (a modified click opens a tab as usual). */
export function interceptLinks(): void {
  document.addEventListener('click', (event) => {
    const anchor = (event.target as Element).closest?.('a');
    if (!anchor || event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || anchor.target) return;
    const href = anchor.getAttribute('href');
    if (!href || !href.startsWith('/console') || anchor.hasAttribute('download')) return;
    event.preventDefault();
    navigate(href);
  });
}

/** Matches `/console/incidents/:code` against a path; answers the params or null. */
export function match(pattern: string, path: string): Record<string, string> | null {
  const p = pattern.split('/').filter(Boolean);
  const s = path.replace(/\/+$/, '').split('/').filter(Boolean);
  if (p.length !== s.length) return null;
  const params: Record<string, string> = {};
  for (let i = 0; i < p.length; i++) {
    if (p[i]!.startsWith(':')) params[p[i]!.slice(1)] = decodeURIComponent(s[i]!);
    else if (p[i] !== s[i]) return null;
  }
  return params;
}
