/**
 * The console's texts: the same keys in English, French and Arabic, and no empty text. A counted
 * text has the plural forms of its language (i18next's suffixes from Intl.PluralRules: English and
 * French one/other (French also many), Arabic zero/one/two/few/many/other): each language gives
 * exactly its own forms.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const LOCALES = join(import.meta.dirname, '..', '..', 'locales');
const read = (language: string) => JSON.parse(readFileSync(join(LOCALES, language, 'console.json'), 'utf8')) as Record<string, unknown>;

function leaves(value: unknown, path = ''): Map<string, string> {
  const out = new Map<string, string>();
  if (typeof value === 'string') out.set(path, value);
  else if (value && typeof value === 'object') for (const [k, v] of Object.entries(value)) for (const [p, s] of leaves(v, path ? `${path}.${k}` : k)) out.set(p, s);
  return out;
}

const PLURAL = /_(zero|one|two|few|many|other)$/;
const base = (key: string) => key.replace(PLURAL, '');

/** Per base key, the plural forms given (empty for a text that is not counted). */
function forms(texts: Map<string, string>): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const key of texts.keys()) {
    const form = PLURAL.exec(key)?.[1];
    const list = out.get(base(key)) ?? [];
    if (form) list.push(form);
    out.set(base(key), list);
  }
  return out;
}

describe('console texts', () => {
  const en = leaves(read('en'));
  for (const language of ['en', 'fr', 'ar']) {
    it(`${language} has exactly the English keys, each with a text, its language's plural forms and the same placeholders`, () => {
      const texts = leaves(read(language));
      const given = forms(texts);
      expect([...given.keys()].sort()).toEqual([...forms(en).keys()].sort());
      const wanted = [...new Intl.PluralRules(language).resolvedOptions().pluralCategories].sort();
      for (const [key, list] of given) if (list.length > 0) expect(list.sort(), key).toEqual(wanted);
      const placeholders = (s: string) => [...s.matchAll(/\{\{(\w+)\}\}/g)].map((m) => m[1]).sort();
      const englishOf = (key: string) => en.get(key) ?? en.get(`${base(key)}_other`)!;
      for (const [key, text] of texts) {
        expect(text.trim(), key).not.toBe('');
        // A plural form may leave out the count (Arabic says "two ..." in a word), nothing more.
        if (PLURAL.test(key)) expect(placeholders(englishOf(key)), key).toEqual(expect.arrayContaining(placeholders(text)));
        else expect(placeholders(text), key).toEqual(placeholders(englishOf(key)));
      }
    });
  }
});
