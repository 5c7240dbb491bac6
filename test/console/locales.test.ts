/** The console's texts: the same keys in English, French and Arabic, and no empty text. */
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

describe('console texts', () => {
  const en = leaves(read('en'));
  for (const language of ['fr', 'ar']) {
    it(`${language} has exactly the English keys, each with a text and the same placeholders`, () => {
      const other = leaves(read(language));
      expect([...other.keys()].sort()).toEqual([...en.keys()].sort());
      const placeholders = (s: string) => [...s.matchAll(/\{\{(\w+)\}\}/g)].map((m) => m[1]).sort();
      for (const [key, text] of other) {
        expect(text.trim(), key).not.toBe('');
        expect(placeholders(text), key).toEqual(placeholders(en.get(key)!));
      }
    });
  }
});
