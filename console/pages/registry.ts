/**
 * The console's pages, in navigation order. A page is one file in this folder; adding one is
 * adding its entry here (path, title key in locales/<lng>/console.json, the API routes it needs).
 * A page is listed and opened only when the session may call every route in `needs` (the role
 * table decides, through GET /api/v1/me).
 */
import type { FunctionComponent } from 'preact';
import { Incidents } from './incidents.tsx';
import { Incident } from './incident.tsx';
import { Announcements } from './announcements.tsx';
import { Announcement } from './announcement.tsx';
import { Surveys } from './surveys.tsx';
import { Rumours } from './rumours.tsx';
import { RumourPage } from './rumour.tsx';
import { Rosters } from './rosters.tsx';
import { Contacts } from './contacts.tsx';
import { Queues } from './queues.tsx';
import { Audit } from './audit.tsx';

export interface PageProps {
  params: Record<string, string>;
}

export interface PageDef {
  id: string;
  /** Under /console, with `:name` parameters. */
  path: string;
  /** i18n key of the title. */
  title: string;
  /** Route keys of the role table this page reads; the page is hidden unless all are allowed. */
  needs: string[];
  /** Listed in the navigation (pages reached from another page are not). */
  nav: boolean;
  component: FunctionComponent<PageProps>;
}

export const PAGES: PageDef[] = [
  { id: 'incidents', path: '/console/incidents', title: 'nav.incidents', needs: ['GET /incidents', 'GET /areas'], nav: true, component: Incidents },
  { id: 'incident', path: '/console/incidents/:code', title: 'nav.incidents', needs: ['GET /incidents/:code'], nav: false, component: Incident },
  { id: 'announcements', path: '/console/announcements', title: 'nav.announcements', needs: ['GET /broadcasts'], nav: true, component: Announcements },
  { id: 'announcement', path: '/console/announcements/:id', title: 'nav.announcements', needs: ['GET /broadcasts/:id'], nav: false, component: Announcement },
  { id: 'surveys', path: '/console/surveys', title: 'nav.surveys', needs: ['GET /surveys', 'GET /surveys/:surveyId/results'], nav: true, component: Surveys },
  { id: 'rumours', path: '/console/rumours', title: 'nav.rumours', needs: ['GET /rumours'], nav: true, component: Rumours },
  { id: 'rumour', path: '/console/rumours/:id', title: 'nav.rumours', needs: ['GET /rumours/:id'], nav: false, component: RumourPage },
  { id: 'rosters', path: '/console/rosters', title: 'nav.rosters', needs: ['GET /committees'], nav: true, component: Rosters },
  { id: 'contacts', path: '/console/contacts', title: 'nav.contacts', needs: ['GET /contacts'], nav: true, component: Contacts },
  { id: 'queues', path: '/console/queues', title: 'nav.queues', needs: ['GET /dead-letter'], nav: true, component: Queues },
  { id: 'audit', path: '/console/audit', title: 'nav.audit', needs: ['GET /audit/incidents'], nav: true, component: Audit },
];
