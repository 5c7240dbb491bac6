/**
 * The accounts capability: staff users of the console (role, optional area scope, optional link
 * to a roster responder), one-time invitation and reset links, argon2id passwords, TOTP, session
 * cookies with CSRF protection, login rate limits and lockouts. Sessions become principals of
 * the same kind as bearer tokens, decided by the same role table (src/admin/access.ts).
 */
import type { Capability } from '../capability.js';
import { registerAccountCommands } from './cli.js';
import { accountRoutes } from './routes.js';
import { sessionAuthenticator } from './session.js';
import { accountSettingsSchema } from './settings.js';
import { Accounts } from './users.js';

export { Accounts, TOTP_REQUIRED } from './users.js';
export { SESSION_COOKIE, CSRF_HEADER } from './session.js';
export { totpCode } from './secrets.js';

export interface AccountsOptions {
  /** The clock (default: the system clock). */
  now?: () => Date;
}

export function accountsCapability(options: AccountsOptions = {}): Capability<typeof accountSettingsSchema> {
  return {
    name: 'accounts',
    settings: accountSettingsSchema,
    commands: (program, cli) => registerAccountCommands(program, cli),
    create(runtime, settings) {
      const accounts = new Accounts({ db: runtime.db, personalData: runtime.personalData, settings, publicUrl: runtime.config.publicUrl, now: options.now ?? (() => new Date()) });
      return {
        authenticate: sessionAuthenticator(accounts),
        adminRoutes: accountRoutes(accounts, { secureCookies: runtime.config.NODE_ENV === 'production', loginsPerMinute: settings.LOGIN_RATE_PER_MINUTE }),
      };
    },
  };
}

export const accounts = accountsCapability();
