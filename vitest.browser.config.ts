import { defineConfig } from 'vitest/config';

/**
 * The console's browser tests (test/browser/): headless Debian Chromium driven by playwright-core
 * against real gateways. Run by `npm run test:browser`, once per CI run (after the SQLite suite);
 * the default suite leaves them out. The console is built fresh before they start.
 */
export default defineConfig({
  test: {
    include: ['test/browser/**/*.test.ts'],
    globalSetup: ['test/support/global-setup.ts', 'test/browser/support/build-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 90_000,
    pool: 'forks',
    maxWorkers: 1,
    fileParallelism: false,
  },
});
