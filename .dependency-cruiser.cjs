/**
 * The import rules of the gateway, checked by `npm run lint:deps` (part of `npm test`):
 *   - the core never imports a channel (bots/) or a feature; only the composition root does;
 *   - a feature uses another only through its front door (index.ts), never both ways (no cycles);
 *   - vendor SDKs (grammY, twilio, Slack) only under bots/;
 *   - no import cycles at all.
 * A new feature folder is added to FEATURES below.
 */
const FEATURES = '(incidents|broadcasts|rumours|surveys|profiles|protection|accounts|console|metrics)';
const ROOT = '^src/(gateway|cli|chat)\\.ts$';

module.exports = {
  forbidden: [
    {
      name: 'no-cycles',
      severity: 'error',
      comment: 'Import cycles make modules load half-initialised and hide which part depends on which.',
      from: {},
      to: { circular: true },
    },
    {
      name: 'core-not-bots',
      severity: 'error',
      comment: 'Only the composition root (src/gateway.ts, src/cli.ts, src/chat.ts) imports bots/; the core talks to channels through src/channels/.',
      from: { path: '^src/', pathNot: ROOT },
      to: { path: '^bots/' },
    },
    {
      name: 'core-not-features',
      severity: 'error',
      comment: 'The core never imports a feature: the composition root hands each capability what it needs.',
      from: { path: '^src/', pathNot: [ROOT, `^src/${FEATURES}/`] },
      to: { path: `^src/${FEATURES}/` },
    },
    {
      name: 'features-through-index',
      severity: 'error',
      comment: 'A feature uses another only through its index.ts.',
      from: { path: `^src/${FEATURES}/` },
      to: { path: `^src/${FEATURES}/`, pathNot: ['^src/$1/', `^src/${FEATURES}/index\\.ts$`] },
    },
    {
      name: 'vendor-sdks-in-bots',
      severity: 'error',
      comment: 'Only bots/<channel>/ imports a provider SDK.',
      from: { path: '^(src|scripts)/' },
      to: { path: 'node_modules/(grammy|twilio|@slack/)' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^src/db/generated/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default', 'types'], extensions: ['.ts', '.js', '.json'] },
    moduleSystems: ['es6', 'cjs'],
  },
};
