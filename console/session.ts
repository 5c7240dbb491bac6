/**
 * Who is logged in: the session's user (GET /api/v1/auth/session, which also gives the CSRF
 * token) and what the role table lets them call (GET /api/v1/me `may`, route keys such as
 * `POST /incidents/:code/ack`). Pages and actions are shown only when `can` says so; the API
 * decides again on every call.
 */
import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import { get, setCsrfToken } from './api.ts';

export interface User {
  id: string;
  username: string;
  role: string;
  areaId: string | null;
  actor: string;
}

export interface Session {
  user: User;
  may: Set<string>;
}

export async function loadSession(): Promise<Session> {
  const session = await get<{ user: User; csrfToken: string }>('/auth/session');
  setCsrfToken(session.csrfToken);
  const me = await get<{ may: string[] }>('/me');
  return { user: session.user, may: new Set(me.may) };
}

export const SessionContext = createContext<Session | null>(null);

export function useSession(): Session {
  const session = useContext(SessionContext);
  if (!session) throw new Error('no session');
  return session;
}

/** Whether the session may call every one of `keys` (e.g. 'POST /broadcasts/:id/approve'). */
export function can(session: Session, ...keys: string[]): boolean {
  return keys.every((key) => session.may.has(key));
}
