/** The problems a configuration is refused with, for tests of the boot checks. */
import { expect } from 'vitest';
import { ConfigError } from '../../src/config.js';
import { loadConfig } from '../../src/gateway.js';

/** The ConfigError's problems for `env`; fails the test when the configuration is accepted. */
export function configProblems(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).problems;
  }
  throw new Error('expected a ConfigError');
}
