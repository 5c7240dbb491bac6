/**
 * The vitest configuration of mutation testing (stryker.config.mjs): the project's, limited to
 * the tests that cover the modules being mutated (MUTATION_TESTS, comma-separated).
 */
import { defineConfig } from 'vitest/config';
import base from './vitest.config';

const tests = (process.env.MUTATION_TESTS ?? '').split(',').filter(Boolean);

export default defineConfig({ ...base, test: { ...base.test, include: tests.length ? tests : base.test?.include, maxWorkers: 1 } });
