/**
 * Settings of the broadcasts capability: BROADCAST_* variables, parsed with the configuration;
 * a test or an embedding program passes overrides to the capability factory.
 */
import { z } from 'zod';
import { overrideSettings, type SettingOverrides } from '../capability.js';

const clock = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, { message: 'HH:MM, 24-hour clock' });

/** "role:max,role:max": audiences up to `max` recipients need no second approval for `role`. */
const approvalRules = z
  .string()
  .transform((text, ctx) => {
    const rules: Record<string, number> = {};
    for (const part of text.split(',').map((p) => p.trim()).filter(Boolean)) {
      const match = /^([a-z]+):(\d+)$/.exec(part);
      if (!match) {
        ctx.addIssue({ code: 'custom', message: `"${part}" is not role:max-audience (e.g. coordinator:50)` });
        return z.NEVER;
      }
      rules[match[1]!] = Number(match[2]);
    }
    return rules;
  });

export const broadcastSettingsSchema = z.object({
  /** Quiet hours in each area's local time, `HH:MM-HH:MM` (may wrap midnight); empty: none. */
  BROADCAST_QUIET_HOURS: z.union([z.literal(''), z.string().regex(/^\d\d:\d\d-\d\d:\d\d$/, { message: 'HH:MM-HH:MM' })]).default('21:00-07:00'),
  /** Time zone of contacts without an area (IANA name). */
  BROADCAST_DEFAULT_TIMEZONE: z.string().min(1).default('UTC'),
  /** Contacts read and written per fan-out page. */
  BROADCAST_PAGE_SIZE: z.coerce.number().int().min(1).max(20_000).default(2000),
  /** Audiences a role may send to without a second approval (none by default). */
  BROADCAST_APPROVAL_EXEMPT: approvalRules.default({}),
  /** Topics contacts may subscribe to (JOIN <topic>). */
  BROADCAST_TOPICS: z
    .string()
    .transform((v) => v.split(',').map((t) => t.trim()).filter(Boolean))
    .default(['security', 'civic', 'surveys', 'verified_facts']),
  /** How long after an announcement a reply counts as feedback on it. */
  BROADCAST_FEEDBACK_HOURS: z.coerce.number().positive().default(48),
  /**
   * Pacing windows: a channel's recipients are released to its send queue in windows of this
   * many seconds, each holding what the channel can send in it, so that no message waits in the
   * queue longer than the provider keeps it (an SMS older than the provider queue is refused).
   */
  BROADCAST_RELEASE_WINDOW_S: z.coerce.number().int().min(1).default(600),
  /** How often stalled fan-outs are resumed (ms). */
  BROADCAST_SWEEP_MS: z.coerce.number().int().min(100).default(60_000),
  /** Job priority of urgent and of other broadcasts (replies have none and go first). */
  BROADCAST_PRIORITY_URGENT: z.coerce.number().int().min(1).default(1),
  BROADCAST_PRIORITY_NORMAL: z.coerce.number().int().min(1).default(10),
});

export type BroadcastSettingsInput = z.input<typeof broadcastSettingsSchema>;
export type BroadcastSettings = z.output<typeof broadcastSettingsSchema>;

export interface QuietHours {
  /** Minutes after local midnight. */
  start: number;
  end: number;
}

export function parseQuietHours(text: string): QuietHours | null {
  if (text === '') return null;
  const [from, to] = text.split('-') as [string, string];
  const minutes = (hhmm: string) => {
    clock.parse(hhmm);
    const [h, m] = hhmm.split(':').map(Number) as [number, number];
    return h * 60 + m;
  };
  const hours = { start: minutes(from), end: minutes(to) };
  return hours.start === hours.end ? null : hours;
}

/** The settings as configured, with `overrides` (in their written form) checked and applied. */
export function resolveSettings(configured: BroadcastSettings, overrides: SettingOverrides<typeof broadcastSettingsSchema> = {}): BroadcastSettings {
  const settings = overrideSettings(broadcastSettingsSchema, configured, overrides);
  parseQuietHours(settings.BROADCAST_QUIET_HOURS);
  return settings;
}
