/**
 * SMS segment accounting (3GPP TS 23.038). A text made only of GSM-7 characters is sent in
 * GSM-7: 160 septets in one segment, 153 per segment when split; characters of the extension
 * table (^ { } \ [ ~ ] | €, form feed) take two septets. Any other character makes the whole
 * message UCS-2: 70 UTF-16 code units in one segment, 67 per segment when split.
 */

const GSM7_BASIC =
  '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?' +
  '¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà';
const GSM7_EXTENSION = '^{}\\[~]|€\f';

const basic = new Set(Array.from(GSM7_BASIC));
const extension = new Set(Array.from(GSM7_EXTENSION));

export type SmsEncoding = 'GSM-7' | 'UCS-2';

export interface SegmentCount {
  encoding: SmsEncoding;
  /** Number of SMS segments the text is billed and sent as (0 for an empty text). */
  segments: number;
  /** Septets (GSM-7) or UTF-16 code units (UCS-2) the text takes. */
  units: number;
}

/**
 * Counts the segments of a text as a carrier splits it. Counts characters, never bytes, and never
 * splits a character: a two-septet extension character or a surrogate pair that does not fit at
 * the end of a segment starts the next one.
 */
export function countSegments(text: string): SegmentCount {
  const chars = Array.from(text);
  const gsm = chars.every((c) => basic.has(c) || extension.has(c));
  const widths = gsm ? chars.map((c) => (extension.has(c) ? 2 : 1)) : chars.map((c) => c.length);
  const units = widths.reduce((sum, w) => sum + w, 0);
  const [single, perPart] = gsm ? [160, 153] : [70, 67];
  return { encoding: gsm ? 'GSM-7' : 'UCS-2', units, segments: segmentsFor(widths, units, single, perPart) };
}

function segmentsFor(widths: number[], units: number, single: number, perPart: number): number {
  if (units === 0) return 0;
  if (units <= single) return 1;
  let segments = 1;
  let used = 0;
  for (const width of widths) {
    if (used + width > perPart) {
      segments += 1;
      used = 0;
    }
    used += width;
  }
  return segments;
}
