import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadTranslator } from '../../src/i18n.js';

const translator = loadTranslator('locales', 'en');

describe('translations', () => {
  it('speaks English, French and Arabic, the default first', () => {
    expect(translator.languages).toEqual(['en', 'ar', 'fr']);
    expect(translator.t('fr', 'system:consent.stopped')).toMatch(/^Vous ne recevrez plus/);
  });

  it('isolates inserted values in right-to-left text so they do not reorder the sentence', () => {
    const arabic = translator.t('ar', 'system:case_status.open', { code: 'R-7K3M9P' });
    expect(arabic).toContain('\u2068R-7K3M9P\u2069');
    expect(translator.isRtl('ar')).toBe(true);
    const english = translator.t('en', 'system:case_status.open', { code: 'R-7K3M9P' });
    expect(english).toBe('Case R-7K3M9P was received and is waiting for a responder.');
  });

  it('falls back to the default language for an unknown language or a missing key', () => {
    expect(translator.t('sw', 'system:consent.resumed')).toBe(translator.t('en', 'system:consent.resumed'));
    const dir = mkdtempSync(join(tmpdir(), 'locales-'));
    for (const [lng, body] of [['en', { a: 'English A', b: 'English B' }], ['fr', { a: 'Français A' }]] as const) {
      mkdirSync(join(dir, lng));
      writeFileSync(join(dir, lng, 'system.json'), JSON.stringify(body));
    }
    const small = loadTranslator(dir, 'en');
    expect(small.t('fr', 'system:b')).toBe('English B');
    expect(small.has('fr', 'system:b')).toBe(false);
    expect(small.has('fr', 'system:a')).toBe(true);
  });

  it('names the file of a locale that is not valid JSON, and a missing default language', () => {
    const dir = mkdtempSync(join(tmpdir(), 'locales-'));
    mkdirSync(join(dir, 'en'));
    writeFileSync(join(dir, 'en', 'system.json'), '{ broken');
    expect(() => loadTranslator(dir, 'en')).toThrow(/en\/system\.json is not valid JSON/);
    expect(() => loadTranslator(dir, 'sw')).toThrow();
  });
});
