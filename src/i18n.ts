/**
 * User-facing text. Every string a person reads is a key in locales/<language>/<namespace>.json,
 * resolved here in the contact's language. Keys are written `namespace:path.to.key`.
 */
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { join, basename } from 'node:path';
import i18next, { type i18n } from 'i18next';

const RTL_LANGUAGES = new Set(['ar', 'fa', 'he', 'ur', 'ps', 'ckb']);
/** Unicode first-strong isolate and pop directional isolate. */
const FSI = '\u2068';
const PDI = '\u2069';

export type TextParams = Record<string, string | number>;

export interface Translator {
  /** Languages with a locales/ folder, the default first. */
  readonly languages: string[];
  readonly defaultLanguage: string;
  /** Resolves a key in a language, falling back to the default language. */
  t(language: string | null | undefined, key: string, params?: TextParams): string;
  /** Whether a key exists in exactly this language (no fallback). */
  has(language: string, key: string): boolean;
  isRtl(language: string): boolean;
}

/** Loads every locales/<lng>/<ns>.json under `dir`. */
export function loadTranslator(dir: string, defaultLanguage = 'en'): Translator {
  if (!existsSync(dir)) throw new Error(`locales folder not found: ${dir}`);
  const resources: Record<string, Record<string, unknown>> = {};
  const namespaces = new Set<string>();
  for (const language of readdirSync(dir, { withFileTypes: true })) {
    if (!language.isDirectory()) continue;
    const bundle: Record<string, unknown> = {};
    for (const file of readdirSync(join(dir, language.name))) {
      if (!file.endsWith('.json')) continue;
      const ns = basename(file, '.json');
      const path = join(dir, language.name, file);
      try {
        bundle[ns] = JSON.parse(readFileSync(path, 'utf8'));
      } catch (error) {
        throw new Error(`locale file ${path} is not valid JSON: ${(error as Error).message}`);
      }
      namespaces.add(ns);
    }
    resources[language.name] = bundle;
  }
  if (!resources[defaultLanguage]) throw new Error(`default language "${defaultLanguage}" has no folder in ${dir}`);
  const instance: i18n = i18next.createInstance();
  void instance.init({
    initImmediate: false,
    resources: resources as never,
    ns: [...namespaces],
    defaultNS: 'system',
    nsSeparator: ':',
    fallbackLng: defaultLanguage,
    interpolation: { escapeValue: false },
    returnNull: false,
    showSupportNotice: false,
  } as never);
  const languages = [defaultLanguage, ...Object.keys(resources).filter((l) => l !== defaultLanguage).sort()];
  const isRtl = (language: string) => RTL_LANGUAGES.has(language.split('-')[0] ?? language);

  return {
    languages,
    defaultLanguage,
    isRtl,
    t(language, key, params) {
      const lng = language && resources[language] ? language : defaultLanguage;
      const values: TextParams = {};
      for (const [name, value] of Object.entries(params ?? {})) {
        // In right-to-left text, isolate inserted values (case codes, numbers, Latin names) so
        // that they do not reorder the sentence around them.
        values[name] = isRtl(lng) ? `${FSI}${value}${PDI}` : value;
      }
      return instance.t(key, { lng, ...values }) as string;
    },
    has(language, key) {
      return instance.exists(key, { lng: language, fallbackLng: false } as never);
    },
  };
}
