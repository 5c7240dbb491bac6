/**
 * SMS segment accounting (3GPP TS 23.038). A text made only of GSM-7 characters is sent in
 * GSM-7: 160 septets in one segment, 153 per segment when split; characters of the extension
 * table (^ { } \ [ ~ ] | €, form feed) take two septets. Any other character makes the whole
 * message UCS-2: 70 UTF-16 code units in one segment, 67 per segment when split.
 */

const GSM7_BASIC =
  '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞ\u001bÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?' +
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

/** Counts the segments of a text as a carrier would. Counts characters, never bytes. */
export function countSegments(text: string): SegmentCount {
  let septets = 0;
  let gsm = true;
  for (const char of text) {
    if (basic.has(char)) septets += 1;
    else if (extension.has(char)) septets += 2;
    else {
      gsm = false;
      break;
    }
  }
  if (gsm) {
    return { encoding: 'GSM-7', units: septets, segments: segmentsFor(septets, 160, 153) };
  }
  const units = text.length; // UTF-16 code units: an emoji outside the BMP takes two.
  return { encoding: 'UCS-2', units, segments: segmentsFor(units, 70, 67) };
}

function segmentsFor(units: number, single: number, perPart: number): number {
  if (units === 0) return 0;
  return units <= single ? 1 : Math.ceil(units / perPart);
}
