/**
 * The modules under mutation testing and the tests that cover each one (stryker.config.mjs).
 * Globs, so a module split into several files stays covered (escalation is one file today).
 */
export const MODULES = {
  consent: {
    mutate: ['src/inbound/pipeline/consent.ts'],
    tests: ['test/core/consent.test.ts', 'test/core/console-pipeline.test.ts'],
  },
  ingest: {
    mutate: ['src/inbound/ingest.ts'],
    tests: ['test/channels/dedupe.test.ts', 'test/core/console-pipeline.test.ts', 'test/channels/e2e-channels.test.ts'],
  },
  pacer: {
    mutate: ['src/outbound/pacer.ts'],
    tests: ['test/core/pacer.test.ts', 'test/core/send-gap.test.ts'],
  },
  escalation: {
    mutate: ['src/incidents/escalation.ts', 'src/incidents/escalation/**/*.ts'],
    tests: ['test/incidents/late-timers.test.ts', 'test/incidents/ladder.test.ts', 'test/incidents/acknowledge.test.ts', 'test/incidents/durability.test.ts'],
  },
  fanout: {
    mutate: ['src/broadcasts/fanout.ts'],
    tests: ['test/broadcasts/recipients.test.ts', 'test/broadcasts/targeting.test.ts', 'test/broadcasts/cancel.test.ts', 'test/broadcasts/quiet-hours.test.ts'],
  },
  signatures: {
    mutate: ['bots/slack/signature.ts', 'bots/telegram/verify.ts', 'bots/twilio-sms/webhooks.ts'],
    tests: ['test/channels/slack-webhooks.test.ts', 'test/channels/telegram-inbound.test.ts', 'test/channels/twilio-sms-webhooks.test.ts'],
  },
  'outbound-claim': {
    mutate: ['src/outbound/worker.ts'],
    tests: ['test/core/send-gap.test.ts', 'test/channels/e2e-channels.test.ts', 'test/core/worker-crash.test.ts', 'test/broadcasts/cancel.test.ts'],
  },
};
