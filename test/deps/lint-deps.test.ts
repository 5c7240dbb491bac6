/**
 * The import rules (.dependency-cruiser.cjs, run on the gateway's code by `npm run lint:deps` in
 * `npm test`) fail on each kind of forbidden import: a fixture tree has one import of each kind.
 */
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { cruise, type ICruiseResult } from 'dependency-cruiser';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..', '..');
const rules = createRequire(import.meta.url)(join(ROOT, '.dependency-cruiser.cjs')) as { forbidden: unknown[]; options: Record<string, unknown> };

async function violations(baseDir: string, paths: string[]): Promise<string[]> {
  const { output } = await cruise(paths, {
    baseDir,
    validate: true,
    ruleSet: { forbidden: rules.forbidden } as never,
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^src/db/generated/' },
    tsPreCompilationDeps: true,
    moduleSystems: ['es6', 'cjs'],
  }, { extensions: ['.ts', '.js', '.json'] } as never, { tsConfig: { fileName: join(ROOT, 'tsconfig.json') } } as never);
  const result = output as ICruiseResult;
  return result.summary.violations.map((v) => `${v.rule.name}: ${v.from} -> ${v.to}`).sort();
}

describe('import rules', () => {
  it('refuse each kind of forbidden import', async () => {
    const found = await violations(join(ROOT, 'test', 'fixtures', 'deps'), ['src', 'bots']);
    expect(found).toEqual([
      'core-not-bots: src/conversation/reaches-bot.ts -> bots/telegram/index.ts',
      'core-not-features: src/conversation/reaches-feature.ts -> src/incidents/index.ts',
      'features-through-index: src/incidents/reaches-inside.ts -> src/broadcasts/service.ts',
      expect.stringMatching(/^vendor-sdks-in-bots: src\/broadcasts\/uses-sdk\.ts -> .*node_modules\/grammy\//),
    ]);
  }, 60_000);
});
