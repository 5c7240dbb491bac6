/**
 * What an approver sees before saying yes: who gets the announcement (per channel and language),
 * who would not because their language has no text, how long sending takes at each channel's
 * pace, and what it costs in SMS segments.
 */
import type { ChannelAdapter } from '../channels/adapter.js';
import type { Db } from '../db/client.js';
import type { Translator } from '../i18n.js';
import type { AreaTree } from '../areas/tree.js';
import { audiencePages, type AudienceSpec, type Dialect } from './audience.js';
import { quietDelayMs } from './quiet-hours.js';
import type { MeasureMessage, MessageCost } from '../channels/module.js';
import { announcementMessage, textLanguage, type Announcement } from './render.js';
import type { BroadcastSettings, QuietHours } from './settings.js';

export interface Estimate {
  /** Recipients that will get a message. */
  audience: number;
  byChannel: Record<string, number>;
  /** By the language of the text they get. */
  byLanguage: Record<string, number>;
  byChannelAndLanguage: Record<string, Record<string, number>>;
  /** Contacts whose own language has no text, by that language (they get the fallback, or nothing). */
  missingLanguage: Record<string, number>;
  missingTotal: number;
  /** Recipients in their area's quiet hours right now (they get a non-urgent message when these end). */
  inQuietHoursNow: number;
  /** When the last of those quiet hours ends (ISO 8601); null when nobody is in quiet hours now. */
  quietUntil: string | null;
  /** SMS rendering of each language's message (characters, encoding, segments). */
  sms: Record<string, MessageCost>;
  /** Total SMS segments the broadcast costs. */
  smsSegments: number;
  /** Time to send at each channel's pace, in ms; channels send in parallel. */
  durationMsByChannel: Record<string, number>;
  durationMs: number;
}

export interface EstimateDeps {
  db: Db;
  translator: Translator;
  adapters: Map<string, ChannelAdapter>;
  /** Measures a message on each channel that bills by segment. */
  measures: Map<string, MeasureMessage>;
  settings: BroadcastSettings;
  quietHours: QuietHours | null;
  tree: AreaTree;
  now: Date;
  dialect: Dialect;
}

function bump(record: Record<string, number>, key: string, by = 1): void {
  record[key] = (record[key] ?? 0) + by;
}

export async function estimate(deps: EstimateDeps, spec: AudienceSpec, announcement: Announcement, urgent: boolean): Promise<Estimate> {
  const result: Estimate = {
    audience: 0,
    byChannel: {},
    byLanguage: {},
    byChannelAndLanguage: {},
    missingLanguage: {},
    missingTotal: 0,
    inQuietHoursNow: 0,
    quietUntil: null,
    sms: {},
    smsSegments: 0,
    durationMsByChannel: {},
    durationMs: 0,
  };
  const measureSms = deps.measures.get('sms');
  if (measureSms) {
    for (const language of Object.keys(announcement.texts)) result.sms[language] = measureSms(announcementMessage(announcement, language, deps.translator));
  }
  const pages = audiencePages(deps.db, spec, {
    tree: deps.tree,
    available: [...deps.adapters.keys()],
    defaultLanguage: deps.translator.defaultLanguage,
    pageSize: deps.settings.BROADCAST_PAGE_SIZE,
    after: null,
    dialect: deps.dialect,
  });
  const timezone = (areaId: string | null) => deps.tree.timezone(areaId, deps.settings.BROADCAST_DEFAULT_TIMEZONE);
  const quietByZone = new Map<string, number>();
  let quietLongest = 0;
  for await (const page of pages) {
    for (const recipient of page.recipients) {
      if (!announcement.texts[recipient.language]) {
        bump(result.missingLanguage, recipient.language);
        result.missingTotal += 1;
      }
      const language = textLanguage(announcement, recipient.language);
      if (!language) continue;
      result.audience += 1;
      bump(result.byChannel, recipient.channel);
      bump(result.byLanguage, language);
      bump((result.byChannelAndLanguage[recipient.channel] ??= {}), language);
      if (recipient.channel === 'sms') result.smsSegments += result.sms[language]?.segments ?? 0;
      if (!urgent) {
        const zone = timezone(recipient.areaId);
        let delay = quietByZone.get(zone);
        if (delay === undefined) {
          delay = quietDelayMs(deps.quietHours, zone, deps.now);
          quietByZone.set(zone, delay);
        }
        if (delay > 0) {
          result.inQuietHoursNow += 1;
          quietLongest = Math.max(quietLongest, delay);
        }
      }
    }
  }
  if (quietLongest > 0) result.quietUntil = new Date(deps.now.getTime() + quietLongest).toISOString();
  for (const [channel, count] of Object.entries(result.byChannel)) {
    const rate = deps.adapters.get(channel)?.rate;
    const ms = rate ? Math.ceil(count / rate.max) * rate.durationMs : 0;
    result.durationMsByChannel[channel] = ms;
    result.durationMs = Math.max(result.durationMs, ms);
  }
  return result;
}
