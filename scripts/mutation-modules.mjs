/**
 * The modules under mutation testing and the tests that cover each one (stryker.config.mjs).
 * Globs, so a module split into several files stays covered. Check the paths after a module
 * moves: Stryker mutates nothing for a pattern that matches no file and still reports success.
 */
export const MODULES = {
  consent: {
    mutate: ['src/inbound/pipeline/consent.ts'],
    tests: ['test/core/consent.test.ts', 'test/core/console-pipeline.test.ts'],
  },
  ingest: {
    // Webhooks are stored in batches (ingest-batch.ts); ingest.ts stores the polled channels' events,
    // the webhooks of a sender over its rate limit and the events of a batch that met a unique key,
    // and applies delivery reports.
    mutate: ['src/inbound/ingest.ts', 'src/inbound/ingest-batch.ts'],
    // All in-process (a gateway in a child process never sees the mutant). Not e2e-channels: every
    // one of its 22 tests posts webhooks, so each surviving batch mutant ran them all (a two-hour
    // run); delivery-status covers applyStatus instead. Not two-web-processes: on SQLite the second
    // batch waits for the first and sees its rows, so it never reaches the fallback there.
    tests: [
      'test/channels/ingest-batch.test.ts',
      'test/channels/ingest-outcomes.test.ts',
      'test/channels/telegram-language.test.ts',
      'test/channels/dedupe.test.ts',
      'test/channels/ingest-burst.test.ts',
      'test/channels/polled-ingest.test.ts',
      'test/channels/polled-ingest-outages.test.ts',
      'test/core/redis-outage.test.ts',
      'test/channels/delivery-status.test.ts',
      'test/protection/telegram-clear.test.ts',
    ],
  },
  pacer: {
    mutate: ['src/outbound/pacer.ts'],
    tests: ['test/core/pacer.test.ts', 'test/core/send-gap.test.ts'],
  },
  escalation: {
    // The claims (ladder.ts: a timer claims its step with a conditional update) and the timers
    // (ladder-timers.ts: deterministic job ids, retime after commit, ensureTimer).
    mutate: ['src/incidents/ladder.ts', 'src/incidents/ladder-timers.ts'],
    // ladder-claims fires each timer by hand on one gateway (13 tests, ~15 s), late steps after
    // an acknowledgement included. Not ladder, acknowledge, durability, late-timers: they wait
    // for real delays and start gateways of their own (a two-hour run), and what they check of
    // these two files ladder-claims checks too.
    tests: ['test/incidents/ladder-claims.test.ts'],
  },
  fanout: {
    mutate: ['src/broadcasts/fanout.ts'],
    // fanout runs the fan-out itself on one gateway (8 tests, ~15 s), rows that exist already
    // (the unique-violation recovery) included, so a mutant costs one gateway start. Not
    // recipients (that recovery through the API, in fanout too), targeting (the audience query's
    // own test), cancel (the cancel route and the outbound worker; a runner meeting a moved
    // cursor is in fanout), quiet-hours (fanout holds and releases the same recipients).
    tests: ['test/broadcasts/fanout.test.ts'],
  },
  signatures: {
    mutate: ['bots/slack/signature.ts', 'bots/telegram/verify.ts', 'bots/twilio-sms/webhooks.ts'],
    tests: ['test/channels/slack-webhooks.test.ts', 'test/channels/telegram-inbound.test.ts', 'test/channels/twilio-sms-webhooks.test.ts'],
  },
  'outbound-claim': {
    mutate: ['src/outbound/worker.ts'],
    // One in-process file that drives every branch of the worker against the fakes (claim, stopped
    // and erased contacts, order, gap, failures by class, reconciliation, latency): about 30 s.
    // Not e2e-channels (22 webhook tests per mutant) nor worker-crash and the reconciliation
    // tests, whose gateways run in child processes that never load the mutant.
    tests: ['test/core/outbound-claim.test.ts'],
  },
};
