/**
 * One term per concept in each language: the texts people read (locales/<lng>/*.json) use the
 * glossary's term (locales/glossary.json) and none of its variants. The words people type
 * (flow.json `words`, keyword `aliases`) may be anything people write.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadTranslator } from '../../src/i18n.js';

const LOCALES = join(import.meta.dirname, '..', '..', 'locales');
type Entry = { term: string; variants: string[] };
const glossary = JSON.parse(readFileSync(join(LOCALES, 'glossary.json'), 'utf8')) as Record<string, Record<string, Entry> | string>;

/** Every shown text of a language, with where it is. */
function shownTexts(language: string): { where: string; text: string }[] {
  const out: { where: string; text: string }[] = [];
  const walk = (value: unknown, path: string[]) => {
    const last = path.at(-1) ?? '';
    if (last === 'aliases' || (path[0] === 'flow.json' && path[1] === 'words')) return;
    if (typeof value === 'string') out.push({ where: path.join('.'), text: value });
    else if (value && typeof value === 'object') for (const [key, child] of Object.entries(value)) walk(child, [...path, key]);
  };
  for (const file of readdirSync(join(LOCALES, language)).filter((name) => name.endsWith('.json'))) {
    walk(JSON.parse(readFileSync(join(LOCALES, language, file), 'utf8')), [file]);
  }
  return out;
}

describe('the glossary', () => {
  const languages = Object.keys(glossary).filter((key) => !key.startsWith('_'));

  it('covers the three languages', () => {
    expect(languages.sort()).toEqual(['ar', 'en', 'fr']);
  });

  for (const language of languages) {
    for (const [concept, entry] of Object.entries(glossary[language] as Record<string, Entry>)) {
      it(`${language}: "${concept}" is always "${entry.term}"`, () => {
        const texts = shownTexts(language);
        const offending = texts.filter(({ text }) => entry.variants.some((variant) => text.toLocaleLowerCase(language).includes(variant.toLocaleLowerCase(language))));
        expect(offending).toEqual([]);
        for (const part of entry.term.split(' ')) expect(texts.some(({ text }) => text.toLocaleLowerCase(language).includes(part.toLocaleLowerCase(language)))).toBe(true);
      });
    }
  }

  it('quotes a description in a notification with the quotation marks of each language', () => {
    const translator = loadTranslator(LOCALES);
    expect(translator.t('fr', 'incidents:notify.quote', { text: 'Des hommes armés' })).toBe('« Des hommes armés »');
    expect(translator.t('en', 'incidents:notify.quote', { text: 'Armed men' })).toBe('“Armed men”');
  });
});
