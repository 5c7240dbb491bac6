/**
 * Quiet hours: a non-urgent announcement reaches a recipient whose area is in its quiet hours
 * (local time of the area's time zone) when those hours end, not at 3 a.m.
 */
import type { QuietHours } from './settings.js';

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let format = formatters.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-GB', { timeZone, hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' });
    formatters.set(timeZone, format);
  }
  return format;
}

/** Whether a time zone name is one this runtime knows. */
export function isTimeZone(name: string): boolean {
  try {
    formatter(name);
    return true;
  } catch {
    return false;
  }
}

/** Milliseconds since local midnight in a time zone. */
export function localTimeOfDayMs(at: Date, timeZone: string): number {
  const parts = formatter(timeZone).formatToParts(at);
  const value = (type: string) => Number(parts.find((p) => p.type === type)?.value ?? 0);
  return ((value('hour') * 60 + value('minute')) * 60 + value('second')) * 1000 + at.getUTCMilliseconds();
}

const DAY_MS = 24 * 3600 * 1000;

/**
 * How long a message must wait for the quiet hours of `timeZone` to end, in ms (0 outside them).
 * The window may wrap midnight (21:00-07:00).
 */
export function quietDelayMs(hours: QuietHours | null, timeZone: string, now: Date): number {
  if (!hours) return 0;
  const local = localTimeOfDayMs(now, timeZone);
  const start = hours.start * 60_000;
  const end = hours.end * 60_000;
  const inside = start < end ? local >= start && local < end : local >= start || local < end;
  if (!inside) return 0;
  return (end - local + DAY_MS) % DAY_MS;
}
