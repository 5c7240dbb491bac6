/**
 * Mutation testing (StrykerJS) of the modules where a mistake costs a person: consent, ingest and
 * dedupe, the pacer, escalation claims and timers, fan-out, webhook signatures, the outbound
 * claim. Each module is mutated against the tests that cover it (the whole suite per mutant
 * would take hours on two cores). Choose modules with MUTATE (comma-separated names below, or
 * "all"): `MUTATE=pacer npm run test:mutation`. Reports land in reports/mutation/.
 */
import { MODULES } from './scripts/mutation-modules.mjs';

const chosen = (process.env.MUTATE ?? 'all').split(',').map((s) => s.trim()).filter(Boolean);
const names = chosen.includes('all') ? Object.keys(MODULES) : chosen;
for (const name of names) if (!MODULES[name]) throw new Error(`unknown module "${name}"; known: ${Object.keys(MODULES).join(', ')}`);
const selected = names.map((name) => MODULES[name]);
// The narrowed test set reaches vitest through the environment (see vitest.mutation.config.ts).
process.env.MUTATION_TESTS = [...new Set(selected.flatMap((m) => m.tests))].join(',');

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  testRunner: 'vitest',
  plugins: ['@stryker-mutator/vitest-runner'],
  vitest: { configFile: 'vitest.mutation.config.ts', related: false },
  mutate: selected.flatMap((m) => m.mutate),
  coverageAnalysis: 'perTest',
  concurrency: Number(process.env.MUTATION_CONCURRENCY ?? 1),
  // A mutant that makes a test hang (a loop that never ends) costs this much on top of the test's
  // own time; MUTATION_TIMEOUT_MS lowers it for modules whose tests are quick.
  timeoutMS: Number(process.env.MUTATION_TIMEOUT_MS ?? 60_000),
  timeoutFactor: 2,
  ignoreStatic: true,
  tempDirName: '.stryker-tmp',
  cleanTempDir: 'always',
  reporters: ['clear-text', 'progress', 'json', 'html'],
  jsonReporter: { fileName: `reports/mutation/${names.join('-')}.json` },
  htmlReporter: { fileName: `reports/mutation/${names.join('-')}.html` },
  thresholds: { high: 90, low: 80, break: null },
};
