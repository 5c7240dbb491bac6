/**
 * What SMS texts cost: every text of the English and French locales (flows and system texts) is
 * sent in GSM-7 unless it needs a character that has no GSM-7 form. A text made UCS-2 (70 instead
 * of 160 characters a segment) by a replaceable character is reported: typographic punctuation
 * (“ ” « » ’ … – — no-break spaces) that the SMS rendering does not turn into its plain form, or a
 * letter outside GSM-7 (û ê î â ô ï ë) where another wording exists. Arabic is UCS-2 anyway.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { renderSms } from '../../bots/twilio-sms/render.js';
import { countSegments } from '../../src/segments.js';
import { gsmPunctuation } from '../../src/sms-punctuation.js';
import { loadTranslator } from '../../src/i18n.js';

const LOCALES = join(import.meta.dirname, '../../locales');

/** Characters that make a text UCS-2 although the text could do without them. */
const REPLACEABLE = /[“”„«»‘’‚…\u00a0\u202f\u2009\u2013\u2014ûêîâôïëÛÊÎÂÔÏËÀ]/u;

/**
 * Texts that keep a letter outside GSM-7 because French has no other word for it (âge: the
 * profile's age band questions), or that are not sent by SMS.
 */
const KEPT: Record<string, string> = {
  'fr profile.json ask_demographics_consent': 'âge',
  'fr profile.json show': 'Âge',
  'fr profile.json change.demographics': 'âge',
  'fr profile.json confirm_clear': 'âge',
  'fr survey.json ask_age': 'âge',
};

/** Keys that are not texts sent to people: the words people type, and the staff console (web only). */
function sentBySms(file: string, key: string): boolean {
  if (file === 'console.json') return false;
  // The words people type: flow.json words, and the words accepted for options (category_words...).
  if (/(^|\.)[a-z_]*words(\.|$)/.test(key)) return false;
  return true;
}

function leaves(value: unknown, path: string, out: [string, string][]): [string, string][] {
  if (typeof value === 'string') out.push([path, value]);
  else if (value !== null && typeof value === 'object') {
    for (const [key, inner] of Object.entries(value)) leaves(inner, path === '' ? key : `${path}.${key}`, out);
  }
  return out;
}

function isUcs2(char: string): boolean {
  return countSegments(char).encoding === 'UCS-2';
}

describe('SMS texts of the English and French locales', () => {
  it.each(['en', 'fr'])('%s: no text is UCS-2 only because of a replaceable character', (language) => {
    const reported: string[] = [];
    for (const file of readdirSync(join(LOCALES, language)).filter((name) => name.endsWith('.json'))) {
      const texts = leaves(JSON.parse(readFileSync(join(LOCALES, language, file), 'utf8')), '', []);
      for (const [key, text] of texts) {
        if (!sentBySms(file, key) || KEPT[`${language} ${file} ${key}`] !== undefined) continue;
        const sent = renderSms({ type: 'text', text }).text;
        const outside = Array.from(sent).filter(isUcs2);
        if (outside.length > 0 && outside.every((char) => REPLACEABLE.test(char))) {
          reported.push(`${file} ${key}: ${[...new Set(outside)].join(' ')}`);
        }
      }
    }
    expect(reported).toEqual([]);
  });

  it('the kept texts still need their letter (the list stays short and true)', () => {
    for (const [where, word] of Object.entries(KEPT)) {
      const [language, file, key] = where.split(' ') as [string, string, string];
      const text = key.split('.').reduce<unknown>((value, part) => (value as Record<string, unknown>)[part], JSON.parse(readFileSync(join(LOCALES, language, file), 'utf8')));
      expect(text, where).toContain(word);
    }
  });
});

describe('SMS rendering of typographic punctuation', () => {
  it('turns quotes, apostrophes, ellipsis, dashes and no-break spaces into GSM-7 and changes no letter', () => {
    expect(gsmPunctuation('« Des hommes armés »')).toBe('"Des hommes armés"');
    expect(gsmPunctuation('“Armed men” – they’re here…')).toBe('"Armed men" - they\'re here...');
    expect(gsmPunctuation('gravité\u00a0: élevée\u202f!')).toBe('gravité : élevée !');
    expect(gsmPunctuation('sûr, être, âge')).toBe('sûr, être, âge');
  });

  it('the French safety text after a report is one GSM-7 segment', () => {
    const translator = loadTranslator(LOCALES);
    const sms = renderSms({ type: 'text', text: translator.t('fr', 'system:protection.delete_thread') });
    expect(sms).toMatchObject({ encoding: 'GSM-7', segments: 1 });
  });

  it('the English responder alert quoting a description in “ ” is sent in GSM-7: 286 characters in 2 segments, not 5', () => {
    const translator = loadTranslator(LOCALES);
    const description = 'About thirty armed men crossed the river at dawn and are now at the market asking for the chief; shops closed.';
    const text = [
      'High incident R-7K3M9P: Movement of armed groups in Kanzi.',
      translator.t('en', 'incidents:notify.quote', { text: description }),
      'People affected: 30.',
      'When: 2026-12-05.',
      translator.t('en', 'incidents:notify.commands', { code: 'R-7K3M9P' }),
    ].join('\n');
    expect(text).toContain('“');
    expect(countSegments(text)).toMatchObject({ encoding: 'UCS-2', segments: 5 });
    expect(renderSms({ type: 'text', text })).toMatchObject({ encoding: 'GSM-7', segments: 2, characters: 286 });
  });
});
