/**
 * Who may do what: the one role table of the admin API (role × route, with area scope). Every
 * request under /api/v1, whether it carries a bearer token or a console session cookie, is
 * decided here by `decide` (called from src/admin/auth.ts); routes carry no role checks of
 * their own. A route that is not in this table is refused to everyone (403), and a test checks
 * that the table and the registered routes are the same set. The README's role table is
 * generated from this one (`renderRoleTable`) and a test keeps them equal.
 *
 * Area scope: a principal limited to an area sees and acts only on what lies in that area and
 * below (each route filters its data). Routes marked `scoped: false` are refused outright to an
 * area-limited principal (rosters, accounts, exports), because their data has no single area.
 */
import { ROLES, type Role } from './tokens.js';

export interface RouteAccess {
  /** Roles allowed, or 'public' (no credentials: login, invitation links, the API document). */
  roles: readonly Role[] | 'public';
  /** Whether an area-limited principal may call it (default true). */
  scoped?: boolean;
  /** One line for the README and the API document. */
  summary: string;
}

const ALL: readonly Role[] = ROLES;
const COORD: readonly Role[] = ['admin', 'coordinator'];
const INCIDENT_STAFF: readonly Role[] = ['admin', 'coordinator', 'responder'];
const BROADCAST_READ: readonly Role[] = ['admin', 'coordinator', 'broadcaster', 'approver', 'analyst'];
const BROADCAST_WRITE: readonly Role[] = ['admin', 'coordinator', 'broadcaster'];
const BROADCAST_APPROVE: readonly Role[] = ['admin', 'coordinator', 'approver'];
const RUMOUR_READ: readonly Role[] = ['admin', 'coordinator', 'analyst', 'broadcaster', 'approver'];
const RUMOUR_INVESTIGATE: readonly Role[] = ['admin', 'coordinator', 'analyst'];
const SURVEY_READ: readonly Role[] = ['admin', 'coordinator', 'analyst'];

/** Incident actions, all with the same access (src/incidents/routes.ts). */
export const INCIDENT_ACTIONS = ['ack', 'resolve', 'note', 'verify', 'reassign', 'link', 'dismiss', 'ask'] as const;

/** The table. Keys are `METHOD /path` with Fastify's `:param` placeholders, relative to /api/v1. */
export const ACCESS: Record<string, RouteAccess> = {
  'GET /openapi.json': { roles: 'public', summary: 'this API, as an OpenAPI 3.1 document' },
  'POST /auth/login': { roles: 'public', summary: 'log in with username, password and (when enrolled) a TOTP code; sets the session cookie' },
  'POST /auth/links/accept': { roles: 'public', summary: 'use a one-time invitation or reset link: set the password (and enrol TOTP)' },
  'GET /auth/session': { roles: ALL, summary: "the session's user and its CSRF token" },
  'POST /auth/logout': { roles: ALL, summary: 'end the session' },
  'GET /me': { roles: ALL, summary: 'who is calling: name, role, area, and the routes of this table it may call' },
  'GET /areas': { roles: ALL, summary: 'the gazetteer in scope: areas with level, parent and point (for maps)' },
  'GET /users': { roles: ['admin'], scoped: false, summary: 'staff accounts' },
  'POST /users': { roles: ['admin'], scoped: false, summary: 'invite a staff user (answers with a one-time link)' },
  'POST /users/:id/reset': { roles: ['admin'], scoped: false, summary: 'a one-time password reset link' },
  'GET /dead-letter': { roles: COORD, summary: 'failed jobs of every queue' },
  'POST /dead-letter/:queue/:jobId/retry': { roles: ['admin'], summary: 'retry one failed job' },
  'DELETE /dead-letter/:queue/:jobId': { roles: ['admin'], summary: 'discard one failed job (its message stays failed)' },
  'GET /messages/:id': { roles: ['admin', 'coordinator', 'broadcaster'], summary: "a message's delivery state (never its text or address)" },
  'POST /flow-starts': { roles: COORD, summary: 'start a flow for contacts or for an area' },
  'GET /incidents': { roles: ['admin', 'coordinator', 'responder', 'analyst'], summary: 'incidents in scope (no report texts)' },
  'GET /incidents/:code': { roles: INCIDENT_STAFF, summary: 'one incident with its timeline and rosters (the view is audited)' },
  ...Object.fromEntries(INCIDENT_ACTIONS.map((action) => [`POST /incidents/:code/${action}`, { roles: INCIDENT_STAFF, summary: `${action} an incident` }])),
  'GET /audit/incidents': { roles: ['admin'], scoped: false, summary: 'the audit trail, exported (jsonl or csv)' },
  'GET /committees': { roles: INCIDENT_STAFF, summary: 'committees (area-limited: of its area, below and above it)' },
  'POST /committees': { roles: COORD, scoped: false, summary: 'add or change a committee' },
  'DELETE /committees/:id': { roles: COORD, scoped: false, summary: 'remove a committee' },
  'POST /committees/:id/members': { roles: COORD, scoped: false, summary: 'add a responder to a committee' },
  'DELETE /committees/:id/members/:responderId': { roles: COORD, scoped: false, summary: 'remove a responder from a committee' },
  'GET /responders': { roles: COORD, summary: 'responders (area-limited: members of the committees it sees)' },
  'POST /responders': { roles: COORD, scoped: false, summary: 'add or change a responder' },
  'DELETE /responders/:id': { roles: COORD, scoped: false, summary: 'remove a responder' },
  'POST /rosters/import': { roles: COORD, scoped: false, summary: 'import a roster (YAML, JSON, or responders as CSV)' },
  'POST /broadcasts': { roles: BROADCAST_WRITE, summary: 'create an announcement' },
  'POST /broadcasts/preview': { roles: ['admin', 'coordinator', 'broadcaster', 'approver'], summary: 'estimate an announcement without storing it' },
  'GET /broadcasts': { roles: BROADCAST_READ, summary: 'announcements' },
  'GET /broadcasts/topics': { roles: BROADCAST_READ, summary: 'topics an audience may name, with their names' },
  'GET /broadcasts/:id': { roles: BROADCAST_READ, summary: 'one announcement and its progress' },
  'GET /broadcasts/:id/estimate': { roles: BROADCAST_READ, summary: 'audience, duration and cost' },
  'POST /broadcasts/:id/approve': { roles: BROADCAST_APPROVE, summary: 'approve (never one\'s own); it is sent once scheduled' },
  'POST /broadcasts/:id/reject': { roles: BROADCAST_APPROVE, summary: 'reject with a reason' },
  'POST /broadcasts/:id/schedule': { roles: BROADCAST_WRITE, summary: 'send an approved announcement now or at a time' },
  'POST /broadcasts/:id/cancel': { roles: ['admin', 'coordinator', 'broadcaster', 'approver'], summary: 'stop what has not gone out' },
  'GET /broadcasts/:id/progress': { roles: BROADCAST_READ, summary: 'counts by delivery state, feedback counts, `timeline` (messages sent, delivered and failed per second or minute, from the stored times)' },
  'GET /broadcasts/:id/recipients': { roles: BROADCAST_READ, summary: 'delivery state per recipient' },
  'GET /broadcasts/:id/feedback': { roles: ['admin', 'coordinator', 'broadcaster', 'analyst'], summary: 'replies (the read is audited)' },
  'GET /rumours': { roles: RUMOUR_READ, summary: 'rumours (groups of similar reports)' },
  'POST /rumours': { roles: ['admin', 'coordinator', 'analyst', 'broadcaster'], summary: 'report a rumour as staff' },
  'GET /rumours/:id': { roles: RUMOUR_READ, summary: 'one rumour and its reports' },
  'PATCH /rumours/:id': { roles: RUMOUR_INVESTIGATE, summary: 'change status or title' },
  'PUT /rumours/:id/answers': { roles: RUMOUR_INVESTIGATE, summary: 'the verified answer per language' },
  'POST /rumours/:id/publish': { roles: ['admin', 'coordinator', 'broadcaster'], summary: 'publish the answer (optionally as an announcement)' },
  'GET /surveys': { roles: SURVEY_READ, summary: 'surveys with their waves: invited, started, completed, response rate' },
  'GET /surveys/:surveyId/results': { roles: SURVEY_READ, summary: 'counts and shares per question, by area, gender or age band, small cells suppressed' },
  'GET /surveys/:surveyId/indicators': { roles: SURVEY_READ, summary: 'indicator series per area across waves' },
  'GET /surveys/:surveyId/quality': { roles: SURVEY_READ, summary: 'completion funnel, median time, responses per channel' },
  'GET /surveys/:surveyId/export': { roles: SURVEY_READ, summary: 'results as CSV or HXL (the export is audited)' },
  'POST /surveys/:surveyId/waves': { roles: COORD, summary: 'start a wave: invite, remind once, close' },
  'POST /surveys/:surveyId/waves/:wave/close': { roles: COORD, summary: 'close a wave now' },
  'GET /contacts': { roles: COORD, scoped: false, summary: 'find contacts by case code or area: ids, area, language, channels (never an address; the search is audited)' },
  'POST /contacts/:id/erase': { roles: COORD, scoped: false, summary: 'erase a person (by contact id or case code); answers what was removed, never who' },
};

/** The principal's part of an access decision. */
export interface Caller {
  role: Role;
  areaId: string | null;
}

export type Decision = { allowed: true } | { allowed: false; status: 401 | 403; reason: string };

/** The table's key of a route, e.g. `GET /incidents/:code`, from the method and the full URL pattern. */
export function routeKey(method: string, url: string, prefix = '/api/v1'): string {
  return `${method.toUpperCase()} ${url.startsWith(prefix) ? url.slice(prefix.length) || '/' : url}`;
}

/** The decision for `key` and `caller` (null caller: no valid credentials). */
export function decide(key: string, caller: Caller | null): Decision {
  const entry = ACCESS[key];
  if (entry?.roles === 'public') return { allowed: true };
  if (!caller) return { allowed: false, status: 401, reason: 'missing or invalid credentials' };
  if (!entry) return { allowed: false, status: 403, reason: 'this route is in no role table entry' };
  if (!entry.roles.includes(caller.role)) return { allowed: false, status: 403, reason: `this needs one of the roles: ${entry.roles.join(', ')}` };
  if (caller.areaId && entry.scoped === false) return { allowed: false, status: 403, reason: 'an area-limited account cannot use this route' };
  return { allowed: true };
}

/** The README's role table (markdown), generated from ACCESS. */
export function renderRoleTable(): string {
  const lines = ['| route | ' + ROLES.join(' | ') + ' | area-limited | does |', '| --- |' + ROLES.map(() => ' :-: |').join('') + ' :-: | --- |'];
  for (const [key, entry] of Object.entries(ACCESS)) {
    const cells = ROLES.map((role) => (entry.roles === 'public' || entry.roles.includes(role) ? 'x' : ''));
    const scoped = entry.roles === 'public' ? 'public' : entry.scoped === false ? 'refused' : 'own area';
    lines.push(`| \`${key}\` | ${cells.join(' | ')} | ${scoped} | ${entry.summary} |`);
  }
  return lines.join('\n');
}
