/**
 * The shape of a roster, shared by every way one comes in (YAML file, CSV, admin API, command
 * line): committees (an area and a level, or a specialised desk) and responders (channel
 * identities, committees), checked by zod. `parseRoster` throws a RosterError listing every
 * problem with its source and field; nothing here touches the database.
 */
import { z } from 'zod';

export const COMMITTEE_KINDS = ['local', 'regional', 'national', 'desk'] as const;
/** What kind of body a committee is: civilian, or the liaison of a security institution. */
export const COMMITTEE_BODIES = ['civilian', 'security_liaison'] as const;
export const RESPONDER_CHANNELS = ['sms', 'telegram', 'slack', 'console'] as const;

const slug = z.string().regex(/^[a-z0-9][a-z0-9-]*$/, { message: 'lower-case letters, digits and -, e.g. kanzi-peace' });

export const committeeInput = z
  .strictObject({
    id: slug,
    name: z.string().trim().min(1),
    level: z.enum(COMMITTEE_KINDS, { message: `accepted: ${COMMITTEE_KINDS.join(', ')}` }),
    desk: z.string().regex(/^[a-z0-9_]+$/, { message: 'a desk name: a-z, 0-9, _ (e.g. human_rights)' }).optional(),
    /** Escalation policies may exclude a kind per category (policies.yaml `categories`). */
    kind: z.enum(COMMITTEE_BODIES, { message: `accepted: ${COMMITTEE_BODIES.join(', ')}` }).default('civilian'),
    area: z.string().min(1),
  })
  .refine((c) => (c.level === 'desk') === (c.desk !== undefined), { message: 'a desk committee needs `desk`, other levels must not have one', path: ['desk'] });

const identityInput = z
  .strictObject({
    channel: z.enum(RESPONDER_CHANNELS, { message: `accepted: ${RESPONDER_CHANNELS.join(', ')}` }),
    address: z.union([z.string(), z.number()]).transform((v) => String(v).trim()),
  })
  .superRefine((identity, ctx) => {
    const ok =
      identity.channel === 'sms'
        ? /^\+[1-9]\d{6,14}$/.test(identity.address)
        : identity.channel === 'telegram'
          ? /^-?\d{1,20}$/.test(identity.address)
          : identity.channel === 'slack'
            ? /^[UW][A-Z0-9]{2,20}$/.test(identity.address)
            : identity.address.length > 0 && identity.address.length <= 100;
    if (!ok) {
      const expected = { sms: 'an E.164 number such as +15550100001', telegram: 'a numeric chat id', slack: 'a Slack user id such as U0123ABCD', console: 'a name' }[identity.channel];
      ctx.addIssue({ code: 'custom', path: ['address'], message: `not a valid ${identity.channel} address: expected ${expected}` });
    }
  });

export const responderInput = z.strictObject({
  id: slug,
  name: z.string().trim().min(1),
  language: z.string().regex(/^[a-z]{2,3}$/).optional(),
  preferredChannel: z.enum(RESPONDER_CHANNELS).optional(),
  active: z.boolean().default(true),
  identities: z.array(identityInput).min(1, { message: 'a responder needs at least one channel identity' }),
  committees: z.array(slug).default([]),
});

export const rosterSchema = z.strictObject({
  committees: z.array(committeeInput).default([]),
  responders: z.array(responderInput).default([]),
});

export type CommitteeInput = z.infer<typeof committeeInput>;
export type ResponderInput = z.infer<typeof responderInput>;
export type Roster = z.infer<typeof rosterSchema>;

/** A roster refused as a whole; `problems` name the source and the field (or line) of each. */
export class RosterError extends Error {
  constructor(readonly problems: string[]) {
    super(`roster not applied (nothing was changed):\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'RosterError';
  }
}

/** Parses roster data (from YAML or JSON), naming the field of each problem. */
export function parseRoster(data: unknown, source = 'roster'): Roster {
  const parsed = rosterSchema.safeParse(data);
  if (!parsed.success) throw new RosterError(parsed.error.issues.map((i) => `${source}: ${i.path.join('.') || '(root)'}: ${i.message}`));
  return parsed.data;
}
