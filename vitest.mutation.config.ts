/**
 * The vitest configuration of mutation testing (stryker.config.mjs): the project's, limited to
 * the tests that cover the modules being mutated (MUTATION_TESTS, comma-separated).
 *
 * Stryker's vitest runner asks for worker threads, where a gateway cannot start (Node refuses
 * `process.umask()` in a worker, and the gateway sets it for its data folder): the plugin below
 * puts each project back on child processes (`forks`, as `npm test` runs) after Stryker's options
 * are applied. Without it every test that starts a gateway fails in its `beforeAll`, which the
 * runner counts as skipped, and every mutant of such a module is reported "no coverage".
 */
import { defineConfig } from 'vitest/config';
import base from './vitest.config';

const tests = (process.env.MUTATION_TESTS ?? '').split(',').filter(Boolean);

export default defineConfig({
  ...base,
  plugins: [
    {
      name: 'mutation-tests-in-forks',
      configureVitest({ project }) {
        project.config.pool = 'forks';
      },
    },
  ],
  test: { ...base.test, include: tests.length ? tests : base.test?.include, maxWorkers: 1 },
});
