/**
 * How values read from the answers are shown inside a text (a summary before sending): a day in
 * the reader's own format, a long answer as a short excerpt. The stored values do not change.
 */

/** Day formats per language (Intl, UTC days): en "5 Dec 2026", fr "05/12/2026", ar "5 ديسمبر 2026". */
const DAY_FORMATS: Record<string, { locale: string; options: Intl.DateTimeFormatOptions }> = {
  en: { locale: 'en-GB', options: { day: 'numeric', month: 'short', year: 'numeric' } },
  // Numeric: month names such as "août" or "févr." hold letters outside GSM-7 and would double an SMS's cost.
  fr: { locale: 'fr-FR', options: { day: '2-digit', month: '2-digit', year: 'numeric' } },
  ar: { locale: 'ar', options: { day: 'numeric', month: 'long', year: 'numeric' } },
};

const ISO_DAY = /^(\d{4})-(\d{2})-(\d{2})$/;

/**
 * The UTC midnight of `value` when it is a real YYYY-MM-DD day, null for any other text (a day
 * given in words, "2026-02-30"). The console reads days by it too.
 */
export function calendarDay(value: string): Date | null {
  const match = ISO_DAY.exec(value);
  if (match === null) return null;
  const date = new Date(Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3])));
  return Number.isFinite(date.getTime()) && date.toISOString().slice(0, 10) === value ? date : null;
}

/**
 * A YYYY-MM-DD day as the people of `language` write it; any other text (a date answer given in
 * words) is returned unchanged. Languages without a format of their own use Intl's medium style.
 */
export function shownDay(value: string, language: string): string {
  const date = calendarDay(value);
  if (date === null) return value;
  const format = DAY_FORMATS[language] ?? { locale: language, options: { dateStyle: 'medium' } as Intl.DateTimeFormatOptions };
  try {
    return new Intl.DateTimeFormat(format.locale, { ...format.options, timeZone: 'UTC' }).format(date);
  } catch {
    return value;
  }
}

/**
 * The start of a text, spaces collapsed, at most `max` characters (code points): cut at the last
 * word boundary that fits, followed by "..." (three full stops, which SMS sends in GSM-7, unlike
 * the ellipsis character). A text that fits is returned whole.
 */
export function excerpt(value: string, max: number): string {
  const text = value.replace(/\s+/gu, ' ').trim();
  const chars = Array.from(text);
  if (chars.length <= max) return text;
  const head = chars.slice(0, max).join('');
  const space = head.lastIndexOf(' ');
  const cutAt = space >= max / 2 ? head.slice(0, space) : head;
  return `${cutAt.replace(/[\s\p{P}]+$/u, '')}...`;
}
