/**
 * The answer readers as people type: tables of inputs read with the shipped vocabularies
 * (locales/<lng>/flow.json) and the seed gazetteer. Each table is one kind of reading.
 */
import { describe, expect, it } from 'vitest';
import { parseNumber, parseYesNo, readDate } from '../../src/flow/answers.js';
import { fold } from '../../src/flow/normalize.js';
import { shippedCatalog } from './support.js';

const catalog = shippedCatalog().catalog;
const vocabulary = (language: string) => catalog.vocabulary.get(language)!;
const all = () => [...catalog.vocabulary.values()];

describe('a date without a year, or with two digits, is the most recent such day', () => {
  const january = new Date('2025-01-15T09:00:00Z');
  it.each([
    ['25/12', '2024-12-25'],
    ['15/01', '2025-01-15'],
    ['16/01', '2024-01-16'],
    ['25/12/24', '2024-12-25'],
    ['25/12/25', '1925-12-25'],
    ['10-01-25', '2025-01-10'],
    ['29/02', '2024-02-29'],
    ['٢٥/١٢', '2024-12-25'],
    ['۲۵/۱۲', '2024-12-25'],
    ['25/12/2025', '2025-12-25'],
  ])('%s in January 2025 -> %s', (text, date) => {
    expect(readDate(text, january, all())).toEqual({ date });
  });
});

describe('a day that does not exist is no date', () => {
  const may = new Date('2025-05-01T08:00:00Z');
  it.each(['31/02', '30/02/2024', '31/04', '2023-02-29', '32/01', '12/13', 'on 31/02 at 10:00'])('%s', (text) => {
    expect(readDate(text, may, all())).toBe('impossible');
  });
});

describe('a date inside a sentence, or followed by a time, is a date', () => {
  const may = new Date('2025-05-01T08:00:00Z');
  it.each([
    ['on 12/04 at 10:30', '2025-04-12'],
    ['12/04/2025 14:30', '2025-04-12'],
    ['le 12.04 vers 10h', '2025-04-12'],
    ['It started on 2025-04-12 in the evening', '2025-04-12'],
    ['يوم ١٢/٤ الساعة ١٠', '2025-04-12'],
    ['yesterday at 5pm', '2025-04-30'],
    ['hier soir vers 22h', '2025-04-30'],
  ])('%s -> %s', (text, date) => {
    expect(readDate(text, may, all())).toEqual({ date });
  });

  it.each(['last week', 'between 12/04 and 14/04', 'about 3 days ago'])('%s is not one date', (text) => {
    expect(readDate(text, may, all())).toBeNull();
  });
});

describe('yes and no are read by their meaning', () => {
  it.each([
    ['en', 'No problem', 'yes'],
    ['en', 'no worries', 'yes'],
    ['en', 'Yes please', 'yes'],
    ['en', 'I say yes', 'yes'],
    ['en', 'yes, send it', 'yes'],
    ['en', 'of course', 'yes'],
    ['en', 'of course not', 'no'],
    ['en', 'No thanks', 'no'],
    ['en', 'no', 'no'],
    ['en', "don't send it yet", 'no'],
    ['fr', 'bien sûr que non', 'no'],
    ['fr', 'Bien sûr', 'yes'],
    ['fr', 'pas de problème', 'yes'],
    ['fr', 'pas du tout', 'no'],
    ['fr', 'non merci', 'no'],
    ['ar', 'لا مشكلة', 'yes'],
    ['ar', 'طبعا لا', 'no'],
    ['ar', 'نعم', 'yes'],
    ['ar', 'لا', 'no'],
  ] as const)('%s: %s -> %s', (language, text, meaning) => {
    const own = parseYesNo(text, [vocabulary(language)]);
    expect(own ?? parseYesNo(text, all())).toBe(meaning);
  });

  it.each([
    ['en', "I don't know"],
    ['en', 'not yes'],
    ['en', 'yes no'],
    ['en', 'no idea'],
    ['en', 'well I think maybe we should wait a bit'],
    ['fr', 'je ne sais pas'],
    ['fr', 'oui non'],
    ['ar', 'لا أعرف'],
  ] as const)('%s: %s is asked again', (language, text) => {
    expect(parseYesNo(text, [vocabulary(language)])).toBeNull();
    expect(parseYesNo(text, all())).toBeNull();
  });
});

describe('numbers as people write them', () => {
  it.each([
    ['.5', false, 0.5],
    ['about .5 km', false, 0.5],
    ['0.5', false, 0.5],
    ['١٬٢٠٠', true, 1200],
    ['١٢٠٠', true, 1200],
    ['۱٬۵۰۰ نفر', true, 1500],
    ['٢٫٥', false, 2.5],
    ['٢', true, 2],
  ] as const)('%s -> %d', (text, integer, value) => {
    expect(parseNumber(text, integer)).toBe(value);
  });

  it('a fraction without a leading zero is no whole number', () => {
    expect(parseNumber('.5', true)).toBeNull();
  });
});

describe('places as people name them', () => {
  it.each([
    ['Kanzi, Nord', 'kanzi'],
    ['Kanzi North Region', 'kanzi'],
    ['كانزي، الشمال', 'kanzi'],
    ['کانزی', 'kanzi'],
    ['لیندو', 'lindu'],
    ['Oroma (Rivière)', 'oroma'],
    ['Nord', 'north'],
  ])('%s -> %s', (text, id) => {
    expect(catalog.areas.find(text, ['region', 'locality'])?.id).toBe(id);
  });

  it.each(['Kanzi, River', 'Kanzi or Oroma'])('%s names no single place', (text) => {
    expect(catalog.areas.find(text, ['region', 'locality'])).toBeNull();
  });

  it('folds the Persian keyboard letters to the Arabic ones', () => {
    expect(fold('کانزی')).toBe(fold('كانزي'));
  });
});
