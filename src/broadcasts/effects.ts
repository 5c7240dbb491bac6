/**
 * The flow effects broadcasts own: `subscribe` and `unsubscribe` to a topic. A subscription
 * remembers the channel the contact subscribed on: broadcasts on the topic go there.
 */
import type { EffectHandlers } from '../conversation/effects.js';

export const subscriptionEffects: EffectHandlers = {
  subscribe: async (effect, ctx) => {
    await ctx.tx.subscription.upsert({
      where: { contactId_topic: { contactId: ctx.contactId, topic: effect.topic } },
      create: { contactId: ctx.contactId, topic: effect.topic, channel: ctx.channel },
      update: { channel: ctx.channel },
    });
  },
  unsubscribe: async (effect, ctx) => {
    await ctx.tx.subscription.deleteMany({ where: { contactId: ctx.contactId, topic: effect.topic } });
  },
};
