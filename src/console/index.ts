/**
 * The staff console capability: the web pages at /console (sources in console/ at the project
 * root, bundled by `npm run build` into dist/console/), and `GET /` leading there. The pages
 * use the admin API under /api/v1 only, with the session cookie and CSRF token of the accounts
 * capability, so every page and action is decided by the one role table (src/admin/access.ts).
 */
import type { Capability } from '../capability.js';
import { projectPath } from '../paths.js';
import { ConsoleAssets } from './assets.js';
import { consoleRoutes } from './routes.js';

export { ConsoleAssets, accepts } from './assets.js';

export interface ConsoleOptions {
  /** Folder of the built console (default dist/console in the project). */
  dir?: string;
}

/** Where `npm run build` writes the console. */
export const CONSOLE_BUILD_DIR = projectPath('dist', 'console');

export function consoleCapability(options: ConsoleOptions = {}): Capability {
  return {
    name: 'console',
    create() {
      const assets = new ConsoleAssets(options.dir ?? CONSOLE_BUILD_DIR);
      return { httpRoutes: consoleRoutes(assets), home: '/console' };
    },
  };
}

export const staffConsole = consoleCapability();
